import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { messageOf } from '../errors.js';
import { gitOutcome } from '../git/run.js';
import { DRIVER } from '../hook/merge-setup.js';
import { gitCommandLine, strategyOptions } from './git-command-line.js';
import { keptStrategyOptions } from './kept-options.js';
import type { Labels } from './labels.js';
import { teamMergeAttribute } from './team-attribute.js';
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

/**
 * git merge-file's merge of the three versions, printed (conflicts to one side, if asked), labelled
 * as git asked or else as `named`: its exit code counts the conflicts.
 */
export function mergeFile(args: DriverArgs, cwd: string, named: Labels | null, favor?: 'ours' | 'theirs' | 'union') {
  const labels = [args.labels.ours ?? named?.ours ?? 'HEAD', args.labels.base ?? named?.base ?? 'base', args.labels.theirs ?? named?.theirs ?? 'theirs'];
  const how = [`--marker-size=${args.markerSize}`, ...(favor ? [`--${favor}`] : []), ...labels.flatMap((l) => ['-L', l])];
  return gitOutcome(cwd, ['merge-file', '-p', ...how, args.ours, args.base, args.theirs]);
}

/**
 * The merge the team's own attributes ask for a file install also marked: `-merge` (or `binary`)
 * keeps ours as a conflict, `union` takes both sides' lines, another driver is run as git would
 * run it. null for a driver git has no command for: git merges that as text, and so does this one.
 */
async function mergeAsTheTeamSays(team: string, args: DriverArgs, deps: DriverDeps): Promise<number | null> {
  if (team === 'unset' || team === 'binary') {
    deps.warn(`custodian-hooks: ${args.file} is not to be merged (-merge or binary in the team's attributes): kept ours, as git does`);
    return 1;
  }
  if (team === 'union') {
    const merged = await mergeFile(args, deps.cwd, null, 'union');
    await writeFile(args.ours, merged.stdout);
    return merged.exitCode;
  }
  const command = (await gitOutcome(deps.cwd, ['config', '--get', `merge.${team}.driver`])).stdout.toString().trim();
  if (command === '') return null;
  // As git 2.39 fills them: the temporary files' names as they are (plain, safe names), the path quoted.
  const quoted = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const values: Record<string, string> = { O: args.base, A: args.ours, B: args.theirs, L: String(args.markerSize), P: quoted(args.file) };
  const run = command.replace(/%([OABLP%])/g, (_, c: string) => (c === '%' ? '%' : values[c]!));
  return new Promise((resolve) => {
    spawn('sh', ['-c', run], { cwd: deps.cwd, stdio: 'inherit' }).on('close', (code) => resolve(code ?? 1));
  });
}

/**
 * The merge driver for workplans: git merge-file's merge, in git's conflict style and marker size,
 * then every conflict that differs only in status values resolved as the reconciler's rules would
 * settle it (see settle.ts, loaded only then: a file that merges cleanly costs a merge-file).
 * Returns the conflicts left: git's "did not merge cleanly" when not 0.
 */
export async function mergeDriver(args: DriverArgs, deps: DriverDeps): Promise<number> {
  const team = await teamMergeAttribute(deps.env.CUSTODIAN_MERGE_HOME, deps.cwd, args.file);
  const asked = team !== null && !['unspecified', 'set', 'text', DRIVER].includes(team) ? await mergeAsTheTeamSays(team, args, deps) : null;
  if (asked !== null) return asked;
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
  // `-X ours` / `-X theirs` reach an external driver only on git's command line, or in what a rebase keeps.
  const argv = gitCommandLine();
  const { favor, unapplied } = strategyOptions(argv, await keptStrategyOptions(deps.cwd, args.file, sides.theirs));
  if (unapplied.length > 0)
    deps.warn(
      `custodian-hooks: ${args.file}: merged without ${unapplied.map((o) => `-X ${o}`).join(', ')}, which the driver does not pass to git merge-file: its conflicts are as a plain merge leaves them`,
    );
  if (favor) {
    const taken = await mergeFile(args, deps.cwd, null, favor);
    await writeFile(args.ours, taken.stdout);
    return taken.exitCode;
  }
  const { settleConflicts } = await import('./settle.js');
  return settleConflicts(args, deps, merged, sides, argv);
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
  const warn = (line: string) => process.stderr.write(`${line}\n`);
  const original = await readFile(ours).catch((error: unknown) => {
    warn(`custodian-hooks merge-driver: cannot read ours (%A) at ${ours}: ${messageOf(error)}; git calls the driver with the files it writes`);
    return null;
  });
  if (original === null) return 2;
  try {
    return await mergeDriver(args, { cwd: process.cwd(), env: process.env, warn });
  } catch (error) {
    // Never ours alone, silently: git's own text merge of what git passed, conflicts and all.
    warn(`custodian-hooks: ${file}: the merge driver failed (${messageOf(error)}); merged as text`);
    await writeFile(ours, original);
    const merged = await mergeFile(args, process.cwd(), null);
    // merge-file failing too: git's bytes for ours, and a conflict.
    await writeFile(ours, merged.exitCode > 127 ? original : merged.stdout);
    return merged.exitCode === 0 ? 0 : Math.max(1, Math.min(merged.exitCode, 127));
  }
}
