import { writeFile } from 'node:fs/promises';
import { refuseAnotherHub } from '../clone/hub.js';
import { messageOf } from '../errors.js';
import { hookDeadlineMs } from '../hook/fast-path.js';
import { chooseHub } from '../hub/location.js';
import { openHub } from '../hub/open.js';
import type { Hub } from '../hub/types.js';
import { openRepo, type Repo, workplanPaths } from '../repo.js';
import type { Status } from '../status.js';
import { chooseStatus } from './choose-status.js';
import { gitLabels } from './labels.js';
import { conflictPieces } from './conflict-pieces.js';
import { type DriverArgs, type DriverDeps, mergeFile } from './driver.js';
import { sideCommits, theirsCandidates } from './side-commits.js';
import { sideRulings } from './side-rulings.js';
import { resolvedOutput, type StatusHunk, statusHunks } from './status-hunks.js';

/** `work`, or a failure once `ms` have passed: a hub or a database that never answers decides nothing. */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s (CUSTODIAN_HOOK_TIMEOUT)`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** The hub the repo's hooks reach, read-only and as quick to give up as `doctor`. */
async function defaultHub(repo: Repo, env: NodeJS.ProcessEnv): Promise<Hub> {
  const choice = chooseHub(env, repo.config.hub, repo.top);
  refuseAnotherHub(repo, choice);
  return openHub(choice, { http: { timeoutMs: 3000, readRetries: 0 }, readOnly: true, env });
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
): Promise<number> {
  const repo = await openRepo(deps.cwd).catch(() => null);
  const candidates = repo ? theirsCandidates(repo.gitDir, deps.env) : [];
  const named = (!args.labels.theirs || !args.labels.base) && candidates[0] ? await gitLabels(deps.cwd, candidates[0]) : null;
  const merged = named ? await mergeFile(args, deps.cwd, named) : first;
  await writeFile(args.ours, merged.stdout);
  const pieces = conflictPieces(merged.stdout, args.markerSize);
  // A file the config excludes (or a glob selects that git marks more widely) is no workplan: text.
  if (!repo || !pieces || !workplanPaths(repo)(args.file)) return merged.exitCode;
  const { views, hunks } = statusHunks(pieces, args.file);
  if (hunks.length === 0) return merged.exitCode;
  const decide = async () => {
    const sides = await sideCommits(repo.top, args.file, bytes, candidates);
    if (!sides.ours || !sides.theirs)
      throw new Error(`git did not say which commit ${sides.ours ? 'theirs' : 'ours'} is, or that commit does not hold the file as git passed it`);
    const known = { ours: { commit: sides.ours, bytes: bytes.ours }, theirs: { commit: sides.theirs, bytes: bytes.theirs } };
    return chooseStatuses(args, deps, repo, known, hunks);
  };
  let chosen: Map<string, Status>;
  try {
    chosen = await within(decide(), hookDeadlineMs(deps.env));
  } catch (error) {
    deps.warn(`custodian-hooks: ${args.file}: status conflicts left for you: ${messageOf(error).split('\n')[0]}`);
    return merged.exitCode;
  }
  if (chosen.size === 0) return merged.exitCode;
  const { bytes: result, left } = resolvedOutput(pieces, views, hunks, chosen);
  await writeFile(args.ours, result);
  return Math.min(left, 127);
}

type Sides = Parameters<typeof sideRulings>[3];

/** The status each contested task takes, for the tasks the facts settle; each decision said on stderr. */
async function chooseStatuses(args: DriverArgs, deps: DriverDeps, repo: Repo, sides: Sides, hunks: readonly StatusHunk[]): Promise<Map<string, Status>> {
  const contests = hunks.flatMap((h) => h.tasks);
  const hub = await (deps.openHub ?? ((r: Repo) => defaultHub(r, deps.env)))(repo);
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
