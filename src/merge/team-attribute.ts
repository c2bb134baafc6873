import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { gitOutcome } from '../git/run.js';

/**
 * An empty repository of the driver's own, made once: in a folder of its own and renamed into
 * place whole, so merges running at once (worktrees) never see one half made.
 */
async function probeIn(home: string): Promise<string | null> {
  const probe = path.join(home, 'attributes-probe');
  if (existsSync(probe)) return probe;
  const made = `${probe}.${process.pid}`;
  if ((await gitOutcome(home, ['init', '--bare', '-q', made])).exitCode !== 0) return null;
  // Another merge may have put its own in place first: then that one serves.
  await rename(made, probe).catch(() => rm(made, { recursive: true, force: true }));
  return existsSync(probe) ? probe : null;
}

/**
 * The merge attribute the team's own attributes give `file` (the committed .gitattributes, the
 * user's and the system's), without the line install put in .git/info/attributes, which outranks
 * them all: asked of git with that empty repository as the git dir. `home` is the driver's
 * folder; null when git cannot be asked. (A `core.attributesFile` set in the clone's own config is
 * not seen: the probe has none.)
 */
export async function teamMergeAttribute(home: string | undefined, top: string, file: string): Promise<string | null> {
  const probe = home ? await probeIn(home) : null;
  if (!probe) return null;
  const asked = await gitOutcome(top, [`--git-dir=${probe}`, `--work-tree=${top}`, 'check-attr', '-z', 'merge', '--', file]);
  return asked.exitCode === 0 ? (asked.stdout.toString('utf8').split('\0')[2] ?? null) : null;
}
