import { writeFile } from 'node:fs/promises';
import { keepDriverPoints } from '../clone/driver-points.js';
import { refuseAnotherHub } from '../clone/hub.js';
import { messageOf } from '../errors.js';
import { hookDeadline } from '../hook/fast-path.js';
import { chooseHub } from '../hub/location.js';
import { openHub } from '../hub/open.js';
import type { DriverPoint, Hub, SyncBatch } from '../hub/types.js';
import { machineName } from '../machine.js';
import { openRepo, type Repo, workplanPaths } from '../repo.js';
import type { Status } from '../status.js';
import { chooseStatus } from './choose-status.js';
import { gitLabels } from './labels.js';
import { conflictPieces } from './conflict-pieces.js';
import { type DriverArgs, type DriverDeps, mergeFile } from './driver.js';
import { heldCandidate, sideCommits, theirsCandidates } from './side-commits.js';
import { sideRulings } from './side-rulings.js';
import { heldBySides, resolvedOutput, type StatusHunk, statusHunks } from './status-hunks.js';

/** When the driver gives up, and the time the hooks allow in all (CUSTODIAN_HOOK_TIMEOUT), to say. */
interface Deadline {
  at: number;
  ms: number;
}

/** `work`, or a failure at the deadline: a hub or a database that never answers decides nothing. */
function within<T>(work: Promise<T>, deadline: Deadline): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    const why = `no answer within ${deadline.ms / 1000} s (CUSTODIAN_HOOK_TIMEOUT)`;
    timer = setTimeout(() => reject(new Error(why)), Math.max(0, deadline.at - Date.now()));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** The hub the repo's hooks reach, as quick to give up as `doctor`; read-only unless the driver has points to send. */
async function defaultHub(repo: Repo, env: NodeJS.ProcessEnv, readOnly = true): Promise<Hub> {
  const choice = chooseHub(env, repo.config.hub, repo.top);
  refuseAnotherHub(repo, choice);
  return openHub(choice, { http: { timeoutMs: 3000, readRetries: 0 }, readOnly, env });
}

/**
 * After merge-file found conflicts: the theirs side named in the markers as git names it, where
 * git says which; then each conflict that differs only in status values settled, if the facts
 * settle it. Whatever fails leaves merge-file's output as it is: unknown never decides.
 */
export async function settleConflicts(
  args: DriverArgs,
  deps: DriverDeps,
  first: Awaited<ReturnType<typeof mergeFile>>,
  bytes: { ours: Buffer; theirs: Buffer },
  /** git's command line (see gitCommandLine), as the driver read it. */
  argv: readonly string[] | null,
): Promise<number> {
  const repo = await openRepo(deps.cwd).catch(() => null);
  const candidates = repo ? theirsCandidates(repo.gitDir, deps.env) : [];
  // A rebase's or sequencer's pick is theirs only where it holds git's bytes: not for the autostash or a stash popped meanwhile.
  const held = repo ? await heldCandidate(repo.top, args.file, bytes.theirs, candidates) : null;
  const named = !args.labels.theirs || !args.labels.base ? await gitLabels(deps.cwd, held?.candidate) : null;
  const merged = named ? await mergeFile(args, deps.cwd, named) : first;
  await writeFile(args.ours, merged.stdout);
  const pieces = conflictPieces(merged.stdout, args.markerSize);
  // A file the config excludes (or a glob selects that git marks more widely) is no workplan: text.
  if (!repo || !pieces || !workplanPaths(repo)(args.file)) return merged.exitCode;
  const found = statusHunks(pieces, args.file);
  const { views } = found;
  const { hunks, mixed } = heldBySides(found.hunks, bytes, args.file);
  for (const { task, side, own } of mixed)
    deps.warn(
      `custodian-hooks: ${args.file}: task '${task.id}' (ours ${task.ours}, theirs ${task.theirs}): left as a conflict: ` +
        (own
          ? `${side}'s own file gives it ${own}; the other side changed which task the line belongs to (an id edited or swapped)`
          : `${side}'s own file holds no block of it that can be read (conflict markers, or a block that does not parse)`),
    );
  if (hunks.length === 0) return merged.exitCode;
  // One deadline for all the driver asks: deciding first, then telling the hub what it took.
  const { ms, problem } = hookDeadline(deps.env);
  if (problem) deps.warn(`custodian-hooks: ${problem}`);
  const deadline: Deadline = { at: Date.now() + ms, ms };
  const decide = async () => {
    const sides = await sideCommits(repo.top, args.file, bytes.ours, held);
    if (!sides.ours || !sides.theirs)
      throw new Error(`git did not say which commit ${sides.ours ? 'theirs' : 'ours'} is, or that commit does not hold the file as git passed it`);
    const known = { ours: { commit: sides.ours, bytes: bytes.ours }, theirs: { commit: sides.theirs, bytes: bytes.theirs } };
    const chosen = await chooseStatuses(args, deps, repo, known, hunks);
    // The commit the result will sit on: ours (HEAD) in a merge, the one a replayed commit goes onto
    // in a rebase. A squash merge makes a commit on ours alone, as a replayed commit is.
    const squash = !!argv && argv.lastIndexOf('--squash') > argv.lastIndexOf('--no-squash');
    return { ...chosen, parent: sides.ours, theirs: sides.merging && !squash ? sides.theirs : undefined };
  };
  let chosen: Chosen & { parent: string; theirs: string | undefined };
  try {
    chosen = await within(decide(), deadline);
  } catch (error) {
    deps.warn(`custodian-hooks: ${args.file}: status conflicts left for you: ${messageOf(error).split('\n')[0]}`);
    return merged.exitCode;
  }
  if (chosen.statuses.size === 0) return merged.exitCode;
  const { bytes: result, left } = resolvedOutput(pieces, views, hunks, chosen.statuses);
  await writeFile(args.ours, result);
  const at = new Date().toISOString();
  const points = chosen.fromHub.map((value): DriverPoint => ({ ...value, parent: chosen.parent, ...(chosen.theirs ? { theirs: chosen.theirs } : {}), at }));
  await keepHubValues(repo, deps, args.file, points, chosen.keepsNotes ? deadline : null);
  return Math.min(left, 127);
}

/** A value the driver took from the hub, before it knows where the commit will sit. */
type HubValue = Pick<DriverPoint, 'id' | 'status' | 'statusVersion'>;

/** Each contested task's status, where the facts settle it, and which of those are the hub's value; whether the hub keeps notes of them. */
interface Chosen {
  statuses: Map<string, Status>;
  fromHub: HubValue[];
  keepsNotes: boolean;
}

/**
 * Keeps the hub's values the driver merged in as points: when the pull ran without hooks, no run
 * records that the commit holds them, and a change made on top would later look older than the
 * hub's value (found by the soak, seed 20261303). The clone keeps them all; a merge's go to the
 * hub too, by `deadline` (null: the hub keeps none), for any clone that pulls the merge and runs
 * first. A replayed commit's note stays here: the commit it sits on is the upstream's tip, which
 * every clone builds on, and only here does a note stand for this clone's own commits. Never at
 * the cost of the merge.
 */
async function keepHubValues(repo: Repo, deps: DriverDeps, file: string, points: readonly DriverPoint[], deadline: Deadline | null): Promise<void> {
  if (points.length === 0) return;
  const failed = (what: string, error: unknown) =>
    deps.warn(`custodian-hooks: ${file}: could not ${what} of the hub's values it merged in: ${messageOf(error).split('\n')[0]}`);
  try {
    keepDriverPoints(repo.gitDir, points);
  } catch (error) {
    failed('keep a note', error);
  }
  const merges = points.flatMap(({ at: _, theirs, ...point }) => (theirs ? [{ ...point, theirs }] : []));
  if (merges.length === 0 || deadline === null) return;
  try {
    await within(sendToHub(repo, deps, merges), deadline);
  } catch (error) {
    failed('send the hub a note', error);
  }
}

/** The points, sent in a batch that changes no task. */
async function sendToHub(repo: Repo, deps: DriverDeps, points: NonNullable<SyncBatch['driverPoints']>): Promise<void> {
  const hub = await (deps.openHub ?? ((r: Repo) => defaultHub(r, deps.env, false)))(repo);
  try {
    await hub.sync({ repo: repo.slug, by: machineName(), changes: [], driverPoints: points, ...(repo.origin ? { origin: repo.origin } : {}) });
  } finally {
    await hub.close();
  }
}

type Sides = Parameters<typeof sideRulings>[3];

/** The status each contested task takes, for the tasks the facts settle; each decision said on stderr. */
async function chooseStatuses(args: DriverArgs, deps: DriverDeps, repo: Repo, sides: Sides, hunks: readonly StatusHunk[]): Promise<Chosen> {
  const contests = hunks.flatMap((h) => h.tasks);
  const hub = await (deps.openHub ?? ((r: Repo) => defaultHub(r, deps.env)))(repo);
  let ruled: Awaited<ReturnType<typeof sideRulings>>;
  try {
    ruled = await sideRulings(
      repo,
      hub,
      args.file,
      sides,
      contests.map((c) => c.id),
    );
  } finally {
    await hub.close();
  }
  const chosen: Chosen = { statuses: new Map(), fromHub: [], keepsNotes: ruled.keepsNotes };
  for (const contest of contests) {
    const fact = ruled.facts.get(contest.id);
    const choice = fact ? chooseStatus(contest.ours, contest.theirs, fact.hub, fact) : { leave: 'the hub has no such task yet' };
    const said = `custodian-hooks: ${args.file}: task '${contest.id}' (ours ${contest.ours}, theirs ${contest.theirs})`;
    if ('leave' in choice) {
      deps.warn(`${said}: left as a conflict: ${choice.leave}`);
      continue;
    }
    deps.warn(`${said}: merged as ${choice.status}: ${choice.why}`);
    chosen.statuses.set(contest.id, choice.status);
    if (fact && choice.status === fact.hub) chosen.fromHub.push({ id: contest.id, status: choice.status, statusVersion: fact.statusVersion });
  }
  return chosen;
}
