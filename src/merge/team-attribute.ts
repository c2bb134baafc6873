import { existsSync } from 'node:fs';
import path from 'node:path';
import { gitOutcome } from '../git/run.js';

/**
 * The merge attribute the team's own attributes give `file` (the committed .gitattributes, the
 * user's and the system's), without the line install put in .git/info/attributes, which outranks
 * them all: asked of git with an empty repository of the driver's own as the git dir. `home` is
 * the driver's folder; null when git cannot be asked.
 */
export async function teamMergeAttribute(home: string | undefined, top: string, file: string): Promise<string | null> {
  if (!home) return null;
  const probe = path.join(home, 'attributes-probe');
  if (!existsSync(path.join(probe, 'HEAD')) && (await gitOutcome(home, ['init', '--bare', '-q', probe])).exitCode !== 0) return null;
  const asked = await gitOutcome(top, [`--git-dir=${probe}`, `--work-tree=${top}`, 'check-attr', '-z', 'merge', '--', file]);
  return asked.exitCode === 0 ? (asked.stdout.toString('utf8').split('\0')[2] ?? null) : null;
}
