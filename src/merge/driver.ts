import { readFile, writeFile } from 'node:fs/promises';
import { gitOutcome } from '../git/run.js';
import type { Hub } from '../hub/types.js';
import type { Repo } from '../repo.js';

/** What git passes a merge driver: `%O %A %B %L %P`, and `%S %X %Y` (the labels) where git is new enough to fill them. */
export interface DriverArgs {
  base: string;
  ours: string;
  theirs: string;
  markerSize: number;
  file: string;
  labels: { base: string | null; ours: string | null; theirs: string | null };
}

export interface DriverDeps {
  cwd: string;
  env: NodeJS.ProcessEnv;
  warn: (line: string) => void;
  /** The hub to ask; by default the one the repo's hooks reach, asked with a short deadline. */
  openHub?: (repo: Repo) => Promise<Hub>;
}

/** git merge-file's merge of the three versions, printed: its exit code counts the conflicts. */
export function mergeFile(args: DriverArgs, cwd: string, theirsName: string | null) {
  const labels = [args.labels.ours ?? 'HEAD', args.labels.base ?? 'base', args.labels.theirs ?? theirsName ?? 'theirs'];
  return gitOutcome(cwd, ['merge-file', '-p', `--marker-size=${args.markerSize}`, ...labels.flatMap((l) => ['-L', l]), args.ours, args.base, args.theirs]);
}

/**
 * The merge driver for workplans: git merge-file's merge, in git's conflict style and marker size,
 * then every conflict that differs only in status values resolved as the reconciler's rules would
 * settle it (see settle.ts, loaded only then: a file that merges cleanly costs a merge-file).
 * Returns the conflicts left: git's "did not merge cleanly" when not 0.
 */
export async function mergeDriver(args: DriverArgs, deps: DriverDeps): Promise<number> {
  const sides = { ours: await readFile(args.ours), theirs: await readFile(args.theirs) };
  const merged = await mergeFile(args, deps.cwd, null);
  if (merged.exitCode > 127) {
    deps.warn(`custodian-hooks: ${args.file}: git merge-file failed: ${merged.stderr.trim()}`);
    return merged.exitCode;
  }
  if (merged.exitCode === 0 || deps.env.CUSTODIAN_HOOKS === '0') {
    await writeFile(args.ours, merged.stdout);
    return merged.exitCode;
  }
  const { settleConflicts } = await import('./settle.js');
  return settleConflicts(args, deps, merged, sides);
}

/** `custodian-hooks merge-driver %O %A %B %L %P [%S %X %Y]`, as install configures it for git. */
export async function driverMain(argv: readonly string[]): Promise<number> {
  const [base, ours, theirs, size, file, ...labels] = argv;
  const markerSize = Number(size);
  if (!base || !ours || !theirs || !file || !Number.isInteger(markerSize) || markerSize < 1) {
    process.stderr.write('usage: custodian-hooks merge-driver %O %A %B %L %P [%S %X %Y] — git calls it; install configures it\n');
    return 2;
  }
  // A git too old to fill %S %X %Y passes them as written.
  const label = (at: number, placeholder: string) => (labels[at] !== undefined && labels[at] !== placeholder ? labels[at] : null);
  const args = { base, ours, theirs, markerSize, file, labels: { base: label(0, '%S'), ours: label(1, '%X'), theirs: label(2, '%Y') } };
  return mergeDriver(args, { cwd: process.cwd(), env: process.env, warn: (line) => process.stderr.write(`${line}\n`) });
}
