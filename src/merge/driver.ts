import { readFile, writeFile } from 'node:fs/promises';
import { refuseAnotherHub } from '../clone/hub.js';
import { messageOf } from '../errors.js';
import { gitOutcome } from '../git/run.js';
import { chooseHub } from '../hub/location.js';
import { openHub } from '../hub/open.js';
import type { Hub } from '../hub/types.js';
import { openRepo, type Repo } from '../repo.js';
import type { Status } from '../status.js';
import { chooseStatus } from './choose-status.js';
import { conflictPieces, type Piece } from './conflict-pieces.js';
import { sideCommits, theirsCandidates } from './side-commits.js';
import { sideRulings } from './side-rulings.js';
import { resolvedOutput, type StatusHunk, statusHunks } from './status-hunks.js';

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

/** The hub the repo's hooks reach, read-only and as quick to give up as `doctor`. */
async function defaultHub(repo: Repo): Promise<Hub> {
  const choice = chooseHub(process.env, repo.config.hub, repo.top);
  refuseAnotherHub(repo, choice);
  return openHub(choice, { http: { timeoutMs: 3000, readRetries: 0 }, readOnly: true });
}

/** git merge-file's merge of the three versions, printed: its exit code counts the conflicts. */
function mergeFile(args: DriverArgs, cwd: string, theirsName: string | null) {
  const labels = [args.labels.ours ?? 'HEAD', args.labels.base ?? 'base', args.labels.theirs ?? theirsName ?? 'theirs'];
  return gitOutcome(cwd, ['merge-file', '-p', `--marker-size=${args.markerSize}`, ...labels.flatMap((l) => ['-L', l]), args.ours, args.base, args.theirs]);
}

/**
 * The merge driver for workplans: git merge-file's merge, in git's conflict style and marker size,
 * then every conflict that differs only in status values resolved as the reconciler's rules would
 * settle it. Returns the conflicts left (git's "did not merge cleanly" when not 0). Whatever fails
 * past merge-file leaves its output as it is: unknown never decides.
 */
export async function mergeDriver(args: DriverArgs, deps: DriverDeps): Promise<number> {
  const [oursBytes, theirsBytes] = await Promise.all([readFile(args.ours), readFile(args.theirs)]);
  let merged = await mergeFile(args, deps.cwd, null);
  if (merged.exitCode > 127) {
    deps.warn(`custodian-hooks: ${args.file}: git merge-file failed: ${merged.stderr.trim()}`);
    return merged.exitCode;
  }
  if (merged.exitCode === 0 || deps.env.CUSTODIAN_HOOKS === '0') {
    await writeFile(args.ours, merged.stdout);
    return merged.exitCode;
  }
  // Conflicts: the side git merges is named in the markers, as git names it, where git says which.
  const repo = await openRepo(deps.cwd).catch(() => null);
  const candidates = repo ? theirsCandidates(repo.gitDir, deps.env) : [];
  if (!args.labels.theirs && candidates[0]) merged = await mergeFile(args, deps.cwd, candidates[0].name);
  await writeFile(args.ours, merged.stdout);
  const pieces = conflictPieces(merged.stdout, args.markerSize);
  if (!repo || !pieces) return merged.exitCode;
  const { views, hunks } = statusHunks(pieces, args.file);
  if (hunks.length === 0) return merged.exitCode;
  let chosen: Map<string, Status>;
  try {
    const sides = await sideCommits(repo.top, args.file, { ours: oursBytes, theirs: theirsBytes }, candidates);
    if (!sides.ours || !sides.theirs)
      throw new Error(`git did not say which commit ${sides.ours ? 'theirs' : 'ours'} is, or that commit does not hold the file as git passed it`);
    chosen = await chooseStatuses(
      args,
      deps,
      repo,
      { ours: { commit: sides.ours, bytes: oursBytes }, theirs: { commit: sides.theirs, bytes: theirsBytes } },
      hunks,
    );
  } catch (error) {
    deps.warn(`custodian-hooks: ${args.file}: status conflicts left for you: ${messageOf(error).split('\n')[0]}`);
    return merged.exitCode;
  }
  return writeResolved(args, pieces, views, hunks, chosen);
}

async function writeResolved(
  args: DriverArgs,
  pieces: Piece[],
  views: ReturnType<typeof statusHunks>['views'],
  hunks: StatusHunk[],
  chosen: Map<string, Status>,
) {
  if (chosen.size === 0) return pieces.filter((p) => p.kind === 'conflict').length;
  const { bytes, left } = resolvedOutput(pieces, views, hunks, chosen);
  await writeFile(args.ours, bytes);
  return Math.min(left, 127);
}

type Sides = Parameters<typeof sideRulings>[3];

/** The status each contested task takes, for the tasks the facts settle; each decision said on stderr. */
async function chooseStatuses(args: DriverArgs, deps: DriverDeps, repo: Repo, sides: Sides, hunks: readonly StatusHunk[]): Promise<Map<string, Status>> {
  const contests = hunks.flatMap((h) => h.tasks);
  const hub = await (deps.openHub ?? defaultHub)(repo);
  let facts: Awaited<ReturnType<typeof sideRulings>>;
  try {
    facts = await sideRulings(
      repo,
      hub,
      args.file,
      sides,
      contests.map((c) => c.id),
    );
  } finally {
    await hub.close();
  }
  const chosen = new Map<string, Status>();
  for (const contest of contests) {
    const fact = facts.get(contest.id);
    const choice = fact ? chooseStatus(contest.ours, contest.theirs, fact.hub, fact) : { leave: 'the hub has no such task yet' };
    const said = `custodian-hooks: ${args.file}: task '${contest.id}' (ours ${contest.ours}, theirs ${contest.theirs})`;
    if ('leave' in choice) {
      deps.warn(`${said}: left as a conflict: ${choice.leave}`);
      continue;
    }
    deps.warn(`${said}: merged as ${choice.status}: ${choice.why}`);
    chosen.set(contest.id, choice.status);
  }
  return chosen;
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
