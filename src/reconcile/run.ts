import { type Finding, finding, type Situation } from '../findings.js';
import { messageOf } from '../errors.js';
import {
  ancestryAmong,
  blameLines,
  fetchUpstream,
  isAncestor,
  presentCommits,
  readRepoState,
  resolveCommit,
  trackedBranches,
  type RepoState,
} from '../git-facts.js';
import { git } from '../git.js';
import { InvalidRequestError, type Hub, type RepoState as HubState, type SyncBatch, type TaskChange } from '../hub/types.js';
import { acquireRunLock } from '../lock.js';
import { deliveredFromOutbox, readOutbox } from '../outbox.js';
import { changedFiles, type Repo } from '../repo.js';
import type { Action, Report } from '../report.js';
import { loadTouchedWorkplans, loadWorkplans, type LoadedWorkplans } from '../workplan/load.js';
import { finishInterruptedLanding, landWritebackCommit, prepareWritebackCommit, type PreparedCommit } from '../writeback.js';
import { batchParts } from './batch-parts.js';
import { disagreeing, plan } from './plan.js';
import { AFTER, BLAME, type FileTask, type Plan, type Writeback } from './types.js';

export interface ReconcileOptions {
  mode: 'check' | 'fix';
  writeback: boolean;
  /** `git pull --ff-only` first; a failed pull warns and the run goes on. */
  pull: boolean;
  /** Fetch the upstream for the pull gate (hooks right after a pull skip it: the tracking ref is fresh). */
  fetch?: boolean;
  fetchTimeoutMs?: number;
  /**
   * Reconcile this commit instead of HEAD (pre-push: the commit being pushed to a tracked
   * branch). Files are read from it, nothing is written back, the working tree is not consulted.
   */
  at?: string;
  /** post-rewrite runs while git still holds the finished rebase's state; that is no guard. */
  rebaseFinishing?: boolean;
  /**
   * Set by the hooks when git and the hub show that, since a settled run at `since` against the
   * hub at `etag`, no workplan but `files` changed. The run then reads those files and their
   * tasks alone, unless the hub has moved on or a new id in them is one the hub knows already
   * (it may sit in another file): then it reads everything after all.
   */
  touched?: Touched;
  /** The working tree's state, when the caller has just read it (pre-push, to pick the pushed branches). */
  state?: RepoState;
}

export interface Touched {
  since: string;
  etag: string;
  files: string[];
}

/** Effects a test may replace to inject a fault (a failing commit, a hub that times out). */
export interface ReconcileDeps {
  hub: Hub;
  hostname: string;
  machine: string;
  prepareCommit?: typeof prepareWritebackCommit;
  landCommit?: typeof landWritebackCommit;
  /** How many times a batch refused for stale versions is re-planned. */
  attempts?: number;
  /** The most JSON one request of a batch carries (default `PART_BYTES`). */
  partBytes?: number;
}

const SPEC_BEHIND = (slug: string) => `Repo '${slug}' is behind remote — pull before fixing to avoid clobbering remote progress`;
const SPEC_DIRTY = 'workplan has uncommitted changes — skipping writeback';

/** Why this working tree must not be written to now, or null. */
async function guardReason(repo: Repo, state: RepoState, options: ReconcileOptions): Promise<{ situation: Situation; reason: string } | null> {
  if (options.at) return null;
  if (state.operation && !(options.rebaseFinishing && state.operation.includes('rebase')))
    return { situation: 'operation', reason: `${state.operation} is in progress` };
  if (!state.branchRef) return { situation: 'detached', reason: 'HEAD is detached' };
  const branch = state.branchRef.replace(/^refs\/heads\//, '');
  const tracked = trackedBranches(repo, state);
  if (!tracked.includes(branch)) {
    const reason = `branch '${branch}' is not tracked (tracked: ${tracked.join(', ')}); list it under "branches" in .custodian.yml to reconcile it`;
    return { situation: 'untracked-branch', reason };
  }
  return null;
}

function fileTasks(loaded: LoadedWorkplans, dirty: ReadonlySet<string>): { files: FileTask[]; skipped: Set<string>; dirtyFiles: string[] } {
  const skipped = new Set(loaded.unreadableIds);
  const dirtyFiles: string[] = [];
  const workplanOf = new Map<string, FileTask['workplan']>();
  for (const w of loaded.workplans) {
    const id = typeof w.frontMatter.id === 'string' ? w.frontMatter.id : w.file;
    workplanOf.set(w.file, { id, title: typeof w.frontMatter.title === 'string' ? w.frontMatter.title : null });
    if (dirty.has(w.file) && (w.tasks.length > 0 || w.unreadableIds.length > 0)) {
      dirtyFiles.push(w.file);
      for (const t of w.tasks) skipped.add(t.id);
    }
  }
  const files = loaded.tasks.filter((t) => !dirty.has(t.file)).map((t) => ({ ...t, workplan: workplanOf.get(t.file)! }));
  return { files, skipped, dirtyFiles };
}

/**
 * The pull gate (C-14): the upstream commit, after a fetch unless told not to, and whether HEAD is
 * behind it or has diverged from it: then another machine's progress is not here yet.
 */
async function pullGate(repo: Repo, state: RepoState, head: string, options: ReconcileOptions): Promise<{ upstream: string | null; behind: boolean }> {
  if (!state.upstreamRef) return { upstream: null, behind: false };
  const fetched = options.fetch !== false && (await fetchUpstream(repo, state, options.fetchTimeoutMs ?? 3000));
  const upstream = fetched ? await resolveCommit(repo, state.upstreamRef) : state.upstream;
  return { upstream, behind: upstream !== null && !(await isAncestor(repo, upstream, head)) };
}

/** What a run reconciles: the workplans at its commit, the files with uncommitted changes, and the hub's side. */
interface View {
  loaded: LoadedWorkplans;
  dirty: Set<string>;
  /** The hub's first answer, and how to ask again after a refused batch. */
  firstRead: Promise<HubState>;
  reread: () => Promise<HubState>;
  /** When only part of the repo was read: the ETag at which the rest is known to agree (null: all was read). */
  restAgreesAt: string | null;
}

/** Every workplan and the whole hub, all asked for at once. */
async function readEverything(repo: Repo, head: string, options: ReconcileOptions, hub: Hub): Promise<View> {
  const reread = () => hub.readRepo(repo.slug).then((r) => r as HubState);
  const firstRead = reread();
  firstRead.catch(() => undefined);
  const [loaded, dirty] = await Promise.all([loadWorkplans(repo, head), options.at ? new Set<string>() : changedFiles(repo)]);
  return { loaded, dirty, firstRead, reread, restAgreesAt: null };
}

/** The touched workplans and their tasks' hub rows, or null when everything must be read after all. */
async function readTouched(repo: Repo, head: string, options: ReconcileOptions, touched: Touched, hub: Hub): Promise<View | null> {
  const [loaded, dirty] = await Promise.all([
    loadTouchedWorkplans(repo, head, touched.since, touched.files),
    options.at ? new Set<string>() : changedFiles(repo, touched.files),
  ]);
  const ids = new Set([...loaded.idsBefore, ...loaded.tasks.map((t) => t.id), ...loaded.unreadableIds]);
  const reread = () => hub.readRepo(repo.slug, undefined, [...ids]).then((r) => r as HubState);
  const firstRead = reread();
  // A hub that does not answer is reported as in any run.
  const first = await firstRead.catch(() => null);
  if (first && (first.etag !== touched.etag || first.tasks.some((t) => !loaded.idsBefore.has(t.id)))) return null;
  return { loaded, dirty, firstRead, reread, restAgreesAt: touched.etag };
}

/** The commits that last set the status lines of these tasks, from one blame per file. */
async function originsOf(repo: Repo, head: string, tasks: readonly FileTask[], options: { firstParent?: boolean } = {}): Promise<Map<string, string | null>> {
  const linesByFile = new Map<string, number[]>();
  // Pushed, not spread: a copy per task made 20,000 tasks in one file quadratic.
  for (const t of tasks) linesByFile.get(t.file)?.push(t.line) ?? linesByFile.set(t.file, [t.line]);
  const blamed = await blameLines(repo, head, linesByFile, options);
  return new Map(tasks.map((t) => [t.id, blamed.get(t.file)?.get(t.line) ?? null]));
}

function actionsOf(thePlan: Plan, hub: HubState, landed: Writeback[], commit: string | null): Action[] {
  const current = new Map(hub.tasks.map((t) => [t.id, t]));
  const actions: Action[] = [];
  for (const c of thePlan.changes) {
    const before = current.get(c.id);
    if (!before) actions.push({ type: 'create', taskId: c.id, status: c.status! });
    else if (c.status) actions.push({ type: 'push', taskId: c.id, from: before.status, to: c.status });
    const fields = (['title', 'priority', 'workplan'] as const).filter((f) => c[f] !== undefined);
    if (before && fields.length > 0) actions.push({ type: 'update', taskId: c.id, fields });
  }
  for (const w of landed) actions.push({ type: 'writeback', taskId: w.taskId, file: w.file, line: w.line, from: w.from, to: w.to });
  if (commit) actions.push({ type: 'commit', commit, files: [...new Set(landed.map((w) => w.file))] });
  return actions;
}

/**
 * What came of sending a batch: applied, with the ETag after it and whether the hub held nothing
 * but what this run read and sent (only then can the run settle); or refused for stale versions.
 */
type Sent = { ok: true; etag: string; nothingElse: boolean } | { ok: false; ids: string[]; applied: string };

/**
 * Sends the batch in parts that fit a request (see `batchParts`). A part refused for stale
 * versions is a refused batch: the parts before it hold, and the re-read sees them. A hub that
 * fails between parts is thrown as a `PartialSync`.
 */
async function sendInParts(hub: Hub, batch: SyncBatch, basis: string, partBytes?: number): Promise<Sent> {
  if (batch.changes.length === 0 && !batch.run && !batch.rewrites?.length) return { ok: true, etag: basis, nothingElse: true };
  const parts = batchParts(batch, partBytes);
  let etag = basis;
  let nothingElse = true;
  for (const [at, part] of parts.entries()) {
    const result = await hub.sync(part).catch((error: unknown) => {
      throw at === 0 ? error : new PartialSync(at, parts.length, error);
    });
    if (!result.ok) {
      const applied = at === 0 ? 'nothing written' : `${at} of ${parts.length} parts of the batch applied, nothing written back`;
      return { ok: false, ids: result.conflicts.map((c) => c.id), applied };
    }
    nothingElse &&= result.basis === etag;
    etag = result.etag;
  }
  return { ok: true, etag, nothingElse };
}

/** A hub that failed after some parts of a batch were applied. */
class PartialSync extends Error {
  constructor(
    readonly applied: number,
    readonly of: number,
    cause: unknown,
  ) {
    super(messageOf(cause), { cause });
  }
}

/** Why a batch was not (wholly) written: a hub that did not answer, or one that refused the request as it was. */
function hubFailure(error: unknown): string {
  const cause = error instanceof PartialSync ? error.cause : error;
  const partly =
    error instanceof PartialSync
      ? `${error.applied} of ${error.of} parts of the batch applied, the rest and any writeback wait for the next run`
      : 'nothing written';
  if (cause instanceof InvalidRequestError) return `hub refused the batch, ${partly}: ${messageOf(cause)}`;
  return `hub unreachable, ${partly}: ${messageOf(cause)}`;
}

/**
 * One reconcile of one working tree: read files and hub, plan (pure), then in fix mode build the
 * writeback commit, send the version-checked batch (in parts when it is large), and only when the
 * hub accepted all of it move the branch and the files. A batch refused for stale versions is
 * re-read and re-planned.
 */
export async function reconcileRepo(repo: Repo, options: ReconcileOptions, deps: ReconcileDeps): Promise<Report> {
  const findings: Finding[] = [];
  let actions: Action[] = [];
  let workplans: Report['workplans'] = [];
  let settled: Report['settled'] = null;
  const report = (): Report => ({ repo: repo.slug, mode: options.mode, workplans, findings, actions, ...(fixMode ? { settled } : {}) });
  const fixMode = options.mode === 'fix';

  let state = options.state ?? (await readRepoState(repo));
  if (!state.head) {
    findings.push(finding('C-24', options.mode, { situation: 'no-commits', message: 'the repo has no commits yet: nothing to reconcile' }));
    return report();
  }
  const guard = await guardReason(repo, state, options);
  if (guard)
    findings.push(finding('C-24', options.mode, { situation: guard.situation, message: `${guard.reason} — ${fixMode ? 'nothing written' : 'reported only'}` }));

  const release = fixMode && !guard ? await acquireRunLock(repo.gitDir) : null;
  // What earlier hooks could not deliver goes with this run's batch; only a fix run sends.
  const pendingRewrites = fixMode ? readOutbox(repo.gitDir) : [];
  if (fixMode && !guard && !release) {
    findings.push(
      finding('C-24', options.mode, {
        situation: 'run-in-progress',
        message: 'another custodian-hooks run is in progress in this working tree — nothing written',
      }),
    );
    return report();
  }
  try {
    if (release) {
      await finishInterruptedLanding(repo).catch((error: unknown) => {
        findings.push(finding('C-25', options.mode, { message: `could not finish the working copy of an interrupted writeback: ${messageOf(error)}` }));
      });
    }
    if (options.pull && fixMode && !guard) {
      await git(repo.top, ['pull', '--ff-only', '--quiet'], { env: { GIT_TERMINAL_PROMPT: '0' } }).catch((error: unknown) => {
        findings.push(finding('C-14', options.mode, { message: `git pull --ff-only failed — fixing anyway: ${messageOf(error).split('\n')[0]}` }));
      });
      state = await readRepoState(repo);
    }
    const head = options.at ?? state.head!;

    // The pull gate, the workplans, the working tree's state and the hub are independent: ask
    // for all of them at once, so the network's wait hides the local work.
    const gate = pullGate(repo, state, head, options);
    gate.catch(() => undefined);
    const view =
      (options.touched && (await readTouched(repo, head, options, options.touched, deps.hub))) || (await readEverything(repo, head, options, deps.hub));
    const { loaded, dirty } = view;
    let firstRead: Promise<HubState> | null = view.firstRead;
    const { upstream, behind } = await gate;
    if (behind) findings.push(finding('C-14', options.mode, { message: SPEC_BEHIND(repo.slug) }));
    const fixing = fixMode && !guard && !behind;

    workplans = loaded.workplans.map((w) => ({ file: w.file, tasks: w.tasks.map((t) => ({ id: t.id, status: t.status, title: t.title, line: t.line })) }));
    findings.push(...loaded.findings);
    const { files, skipped, dirtyFiles } = fileTasks(loaded, dirty);
    for (const file of dirtyFiles) findings.push(finding('C-14', options.mode, { file, message: SPEC_DIRTY }));

    for (let attempt = 1; ; attempt++) {
      let hub: HubState;
      try {
        hub = await (firstRead ?? view.reread());
        firstRead = null;
      } catch (error) {
        findings.push(finding('C-23', options.mode, { message: `hub unreachable, nothing reconciled: ${messageOf(error)}` }));
        return report();
      }
      // Rewrite records this clone could not deliver yet count as heard: this batch carries them.
      const knownRewrites = [...hub.rewrites, ...pendingRewrites];
      const contested = new Set(disagreeing(files, hub.tasks));
      const contestedFiles = files.filter((f) => contested.has(f.id));
      // Commits the hub names may be another clone's: which ones this clone has is asked while blame runs.
      const [origins, hubCommitsHere] = await Promise.all([
        originsOf(repo, head, contestedFiles),
        presentCommits(repo, [
          ...hub.tasks.flatMap((t) => t.points.flatMap((p) => [p.commit, p.upstream, p.origin])),
          ...hub.runs.flatMap((r) => [r.commit, r.upstream]),
          ...knownRewrites.flatMap((r) => [r.old, r.new]),
        ]),
      ]);
      const commits = [head, upstream, ...origins.values(), ...hubCommitsHere];
      const walk = await ancestryAmong(repo, commits);
      let ancestry = walk.ancestry;
      // Where both sides of a merge hold the same line, blame names one of them; the first-parent
      // chain may hold the copy the hub has heard of. Where history from HEAD down to every origin
      // is one line, blame along first parents names the same commits: it is not asked.
      const oneLine =
        walk.linear &&
        contestedFiles.every((f) => {
          const origin = origins.get(f.id);
          return !!origin && ancestry(origin, head) === 'yes';
        });
      const firstParentOrigins = oneLine ? origins : await originsOf(repo, head, contestedFiles, { firstParent: true });
      const otherOrigins = new Map([...firstParentOrigins].flatMap(([id, c]) => (c && c !== origins.get(id) ? [[id, [c]]] : [])));
      if (otherOrigins.size > 0) ancestry = (await ancestryAmong(repo, [...commits, ...firstParentOrigins.values()])).ancestry;
      const sharedUpstream = behind ? null : upstream;
      const thePlan = plan({
        mode: fixing ? 'fix' : 'check',
        writeback: options.writeback && !options.at,
        files,
        skipped: [...skipped],
        hubTasks: hub.tasks,
        runs: hub.runs,
        rewrites: knownRewrites,
        head,
        upstream: sharedUpstream,
        origins,
        otherOrigins,
        ancestry,
      });
      if (!fixing) {
        findings.push(...thePlan.findings);
        return report();
      }

      // Origins the rules did not need but the new points do.
      const toBlame = new Set(thePlan.changes.filter((c) => c.point?.origin === BLAME).map((c) => c.id));
      const blamed = await originsOf(
        repo,
        head,
        files.filter((f) => toBlame.has(f.id)),
      );

      let prepared: PreparedCommit | null = null;
      let changes = thePlan.changes;
      // Tasks whose status the commit does not carry: refused one by one, or all when no commit could be built.
      let unwritten = new Set<string>();
      // Reported with the plan's findings, once the attempt is not re-planned.
      const writebackFindings: Finding[] = [];
      if (thePlan.writebacks.length > 0) {
        try {
          const result = await (deps.prepareCommit ?? prepareWritebackCommit)(repo, head, thePlan.writebacks, deps.hostname);
          prepared = result.prepared;
          for (const { writeback: w, reason } of result.refused) {
            unwritten.add(w.taskId);
            writebackFindings.push(
              finding('C-25', options.mode, {
                file: w.file,
                line: w.line,
                taskId: w.taskId,
                message: `status not written back: ${reason}`,
              }),
            );
          }
        } catch (error) {
          writebackFindings.push(finding('C-25', options.mode, { message: `writeback not committed, files left as they are: ${messageOf(error)}` }));
        }
        if (!prepared) unwritten = new Set(thePlan.writebacks.map((w) => w.taskId));
        // Without the commit the two sides still differ for those tasks: no point for them.
        changes = changes.flatMap((c) => {
          if (c.point?.origin !== AFTER || (prepared && !unwritten.has(c.id))) return [c];
          const { point: _point, ...rest } = c;
          return Object.keys(rest).length > 2 ? [rest] : [];
        });
      }
      const after = prepared?.commit ?? head;
      const resolved: TaskChange[] = changes.map(({ point, ...change }) =>
        point
          ? {
              ...change,
              point: {
                status: point.status,
                commit: after,
                upstream: sharedUpstream,
                origin: point.origin === AFTER ? after : point.origin === BLAME ? (blamed.get(change.id) ?? head) : point.origin,
              },
            }
          : change,
      );
      // A writeback that could not be committed leaves those lines unreconciled too.
      const runSkipped = [...thePlan.run!.skipped, ...unwritten];
      const runIsNews = !hub.runs.some((r) => r.commit === after && r.upstream === sharedUpstream && r.skipped.every((id) => runSkipped.includes(id)));
      const batch: SyncBatch = {
        repo: repo.slug,
        by: deps.machine,
        why: 'custodian-hooks run --fix',
        changes: resolved,
        ...(runIsNews ? { run: { commit: after, upstream: sharedUpstream, skipped: runSkipped } } : {}),
        ...(pendingRewrites.length > 0 ? { rewrites: pendingRewrites } : {}),
      };
      let sent: Sent;
      try {
        sent = await sendInParts(deps.hub, batch, hub.etag, deps.partBytes);
      } catch (error) {
        findings.push(finding('C-23', options.mode, { message: hubFailure(error) }));
        return report();
      }
      if (!sent.ok) {
        if (attempt < (deps.attempts ?? 3)) continue;
        findings.push(
          finding('C-26', options.mode, {
            message: `the hub kept changing under this run (${sent.ids.join(', ')}); ${sent.applied} — run again`,
          }),
        );
        return report();
      }
      const { etag, nothingElse } = sent;
      if (pendingRewrites.length > 0) deliveredFromOutbox(repo.gitDir, pendingRewrites);
      findings.push(...writebackFindings, ...thePlan.findings);
      let landed: Writeback[] = [];
      if (prepared) {
        try {
          await (deps.landCommit ?? landWritebackCommit)(repo, state.branchRef!, prepared);
          landed = prepared.files.flatMap((f) => f.writebacks);
        } catch (error) {
          findings.push(finding('C-25', options.mode, { message: `writeback commit ${prepared.commit.slice(0, 10)} not landed: ${messageOf(error)}` }));
        }
      }
      actions = actionsOf({ ...thePlan, changes }, hub, landed, landed.length > 0 ? prepared!.commit : null);
      // Settled: nothing skipped, nothing left to write back, nothing that went wrong.
      const unsettling = findings.some((f) => ['C-14', 'C-23', 'C-24', 'C-25', 'C-26', 'C-27'].includes(f.code));
      const pendingWriteback = thePlan.findings.some((f) => f.code === 'C-13') && landed.length === 0;
      // A run that read part of the repo vouches for the rest only at the hub state it agreed with.
      const vouches = nothingElse && (view.restAgreesAt === null || hub.etag === view.restAgreesAt);
      settled = skipped.size === 0 && !unsettling && !pendingWriteback && vouches ? { head: landed.length > 0 ? prepared!.commit : head, etag } : null;
      return report();
    }
  } finally {
    await release?.();
  }
}
