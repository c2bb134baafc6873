import { type Finding, finding } from '../findings.js';
import { messageOf } from '../errors.js';
import type { RepoState as HubState, RecordedPoint, SyncBatch, TaskChange } from '../hub/types.js';
import { deliveredFromOutbox } from '../clone/outbox.js';
import { keepOwnRecords } from '../clone/own-records.js';
import { layoutsToSend } from '../reconcile/layouts.js';
import { AFTER, BLAME, type Plan, type PlannedChange, type Writeback } from '../reconcile/types.js';
import type { Repo } from '../repo.js';
import { LandingError, landWritebackCommit, type PreparedCommit, prepareWritebackCommit } from '../writeback/commit.js';
import { fileOrigins, type RunFacts } from './gather.js';
import type { ReconcileDeps, ReconcileOptions } from './options.js';
import { hubFailure, sendInParts } from './send.js';

/** What applying a plan came to. Only `sent` changed anything; `stale` asks for a re-plan. */
export type Applied =
  | { kind: 'failed'; finding: Finding }
  | { kind: 'stale'; ids: string[]; applied: string }
  | {
      kind: 'sent';
      etag: string;
      /** The hub held nothing but what this run read and sent. */
      nothingElse: boolean;
      /** The writeback commit, once the branch points at it. */
      landedCommit: string | null;
      landed: Writeback[];
      /** Tasks whose writeback the commit does not carry, or whose commit did not land. */
      unwritten: string[];
      /** Why writebacks were refused (before the plan's findings) and why a commit did not land (after). */
      refusals: Finding[];
      landing: Finding | null;
    };

/** The writeback commit as far as it could be built: which tasks it carries and which it refused. */
interface Built {
  prepared: PreparedCommit | null;
  unwritten: Set<string>;
  refusals: Finding[];
}

async function buildWriteback(
  repo: Repo,
  facts: RunFacts,
  writebacks: readonly Writeback[],
  deps: ReconcileDeps,
  mode: ReconcileOptions['mode'],
): Promise<Built> {
  const built: Built = { prepared: null, unwritten: new Set(), refusals: [] };
  if (writebacks.length === 0) return built;
  try {
    const result = await (deps.prepareCommit ?? prepareWritebackCommit)(repo, facts.head, writebacks, deps.hostname);
    built.prepared = result.prepared;
    for (const { writeback: w, reason } of result.refused) {
      built.unwritten.add(w.taskId);
      built.refusals.push(finding('C-25', mode, { file: w.file, line: w.line, taskId: w.taskId, message: `status not written back: ${reason}` }));
    }
  } catch (error) {
    built.refusals.push(finding('C-25', mode, { message: `writeback not committed, files left as they are: ${messageOf(error)}` }));
  }
  if (!built.prepared) built.unwritten = new Set(writebacks.map((w) => w.taskId));
  return built;
}

/**
 * The plan's symbolic commits made real: AFTER is the writeback commit for a task it carries (a
 * task it does not carry still differs between the sides: no point), BLAME a commit holding the task as HEAD does.
 */
function resolveChanges(
  changes: readonly PlannedChange[],
  built: Built,
  facts: RunFacts,
  blamed: ReadonlyMap<string, string | null>,
  hub: Pick<HubState, 'restatements'>,
): TaskChange[] {
  const after = built.prepared?.commit ?? facts.head;
  return changes.flatMap(({ point, ...change }) => {
    if (!point) return [change];
    if (point.origin === AFTER && (!built.prepared || built.unwritten.has(change.id))) {
      // Without its point, a change that only marked the rank decision says nothing new.
      const { decidedByRank: _marker, ...rest } = change;
      return Object.keys(rest).length > 2 ? [change] : [];
    }
    const origin = point.origin === AFTER ? after : point.origin === BLAME ? (blamed.get(change.id) ?? facts.head) : point.origin;
    // An older hub refuses a point that restates one: without it, the push is as it always was.
    const restates = point.restates && hub.restatements ? { restates: point.restates } : {};
    return [{ ...change, point: { status: point.status, commit: after, upstream: facts.upstream, origin, ...restates } }];
  });
}

/**
 * Builds the writeback commit, sends the version-checked batch (with any rewrite records waiting in
 * the outbox), and only when the hub took all of it moves the branch and the files.
 */
export async function applyPlan(
  repo: Repo,
  thePlan: Plan,
  facts: RunFacts,
  hub: HubState,
  deps: ReconcileDeps,
  mode: ReconcileOptions['mode'],
): Promise<Applied> {
  const toBlame = new Set(thePlan.changes.filter((c) => c.point?.origin === BLAME).map((c) => c.id));
  const [blamed, built] = await Promise.all([
    fileOrigins(
      repo,
      facts.head,
      facts.files.filter((f) => toBlame.has(f.id)),
    ),
    buildWriteback(repo, facts, thePlan.writebacks, deps, mode),
  ]);
  const after = built.prepared?.commit ?? facts.head;
  // A writeback that could not be committed leaves those lines unreconciled too.
  const skipped = [...thePlan.run!.skipped, ...built.unwritten];
  const runIsNews = !hub.runs.some((r) => r.commit === after && r.upstream === facts.upstream && r.skipped.every((id) => skipped.includes(id)));
  const { pendingRewrites } = facts;
  const batch: SyncBatch = {
    repo: repo.slug,
    by: deps.machine,
    why: 'custodian-hooks run --fix',
    ...(repo.origin ? { origin: repo.origin } : {}),
    changes: resolveChanges(thePlan.changes, built, facts, blamed, hub),
    ...(runIsNews ? { run: { commit: after, upstream: facts.upstream, skipped } } : {}),
    ...(pendingRewrites.length > 0 ? { rewrites: pendingRewrites } : {}),
  };
  const layouts = facts.shared ? layoutsToSend(facts.layouts, facts.among, hub.layouts) : [];
  if (layouts.length > 0) batch.layouts = layouts;
  // The hub's clock where it says it: own runs are compared with the hub's (with-own-records.ts), and this clone's clock may be off.
  const keep = (part: SyncBatch, receipts: readonly RecordedPoint[], at: string | undefined) =>
    keepOwnRecords(repo.gitDir, facts.own, part, receipts, at ?? new Date().toISOString());
  const sent = await sendInParts(deps.hub, batch, hub.etag, { partBytes: deps.partBytes, applied: keep }).catch(
    (error: unknown) => ({ failed: hubFailure(error) }) as const,
  );
  if ('failed' in sent) return { kind: 'failed', finding: finding('C-23', mode, { message: sent.failed }) };
  if (!sent.ok) return { kind: 'stale', ids: sent.ids, applied: sent.applied };
  if (pendingRewrites.length > 0) deliveredFromOutbox(repo.gitDir, pendingRewrites);
  const landing = built.prepared ? await land(repo, facts, built.prepared, deps, mode) : { moved: false, finding: null };
  const landed = built.prepared && landing.moved ? built.prepared.files.flatMap((f) => f.writebacks) : [];
  return {
    kind: 'sent',
    etag: sent.etag,
    nothingElse: sent.nothingElse,
    landedCommit: landed.length > 0 ? built.prepared!.commit : null,
    landed,
    unwritten: [...built.unwritten, ...(landing.moved ? [] : thePlan.writebacks.map((w) => w.taskId))],
    refusals: built.refusals,
    landing: landing.finding,
  };
}

/**
 * Moves the branch and the files to the writeback commit: whether the branch moved, and a finding
 * when something failed (a branch that moved with files not yet updated is finished by the next run).
 */
async function land(
  repo: Repo,
  facts: RunFacts,
  prepared: PreparedCommit,
  deps: ReconcileDeps,
  mode: ReconcileOptions['mode'],
): Promise<{ moved: boolean; finding: Finding | null }> {
  try {
    await (deps.landCommit ?? landWritebackCommit)(repo, facts.state.branchRef!, prepared);
    return { moved: true, finding: null };
  } catch (error) {
    const commit = prepared.commit.slice(0, 10);
    if (error instanceof LandingError && error.branchMoved) {
      const message = `writeback commit ${commit} landed, but the working copy was not updated: ${messageOf(error)} — the next run finishes it`;
      return { moved: true, finding: finding('C-25', mode, { message }) };
    }
    return { moved: false, finding: finding('C-25', mode, { message: `writeback commit ${commit} not landed: ${messageOf(error)}` }) };
  }
}
