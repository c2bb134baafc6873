import type { Finding } from '../findings.js';
import type { HubTask, Rewrite, RunRecord, SyncPoint } from '../hub/types.js';
import { rank, type Status } from '../status.js';
import { putBackAge } from './put-back-age.js';
import { bothMoved, fileAhead, hubAhead, inNoFile, missingInHub, undecided } from './messages.js';
import { AFTER, BLAME, type Decision, type FileTask, type Plan, type PlannedChange, type ReconcileInput, type Writeback, type WrittenBack } from './types.js';

/** Tasks whose file and hub statuses differ: the only ones the rules need git's history for. */
export function disagreeing(files: readonly FileTask[], hubTasks: readonly HubTask[]): string[] {
  const hub = new Map(hubTasks.map((t) => [t.id, t]));
  return files.filter((f) => hub.has(f.id) && hub.get(f.id)!.status !== f.status).map((f) => f.id);
}

/** Why a rule could not decide (DESIGN.md, "Rules v2", 2): each has its own remedy. */
export type Unknown = 'origin' | 'blind' | 'dropped' | 'concurrent' | 'copy' | 'merge' | 'unrecorded';

/** `restates`: the push puts back the value of a point a restore lost, the hub's time of that point. */
type Ruling = { decision: 'push' | 'writeback'; conflict: boolean; restates?: string } | { decision: 'unknown'; why: Unknown };

/** Every commit reachable from `commit` by `step` (to the commits a rewrite record pairs it with), `commit` included. */
function closure(commit: string, step: (commit: string) => readonly string[]): string[] {
  const found = new Set([commit]);
  for (const c of found) for (const next of step(c)) found.add(next);
  return [...found];
}

/** Rewrites as lookups both ways: by the commit that replaced, and by the one replaced. */
export interface RewriteIndex {
  olds: Map<string, Rewrite[]>;
  news: Map<string, Rewrite[]>;
}

/** Rewrites as lookups both ways. */
export function rewriteIndex(rewrites: readonly Rewrite[]): RewriteIndex {
  const olds = new Map<string, Rewrite[]>();
  const news = new Map<string, Rewrite[]>();
  for (const r of rewrites) {
    olds.set(r.new, [...(olds.get(r.new) ?? []), r]);
    news.set(r.old, [...(news.get(r.old) ?? []), r]);
  }
  return { olds, news };
}

/** `commit` and every commit that replaced it, rewrite after rewrite, whatever each changed. */
export function replacedBy(commit: string, rewrites: RewriteIndex): string[] {
  return closure(commit, (c) => (rewrites.news.get(c) ?? []).map((r) => r.new));
}

/**
 * `commit` and every commit a rewrite that left task `id`'s status as it was pairs it with, either
 * way: only such a rewrite carried the line over. What the hub heard of the rewritten commit, it
 * heard of the original (a clone that still holds an amended commit the amend's author
 * force-pushed over: seed 42 path 56), and the other way round.
 */
export function carriedOver(commit: string, id: string, rewrites: RewriteIndex): string[] {
  const unchanged = (r: Rewrite) => !r.changed.includes(id);
  return closure(commit, (c) => [
    ...(rewrites.olds.get(c) ?? []).filter(unchanged).map((r) => r.old),
    ...(rewrites.news.get(c) ?? []).filter(unchanged).map((r) => r.new),
  ]);
}

/**
 * DESIGN.md, "The rules", for one task whose file status F differs from the hub's D.
 * L is the commit that last set the file's status line. A commit that only carried an older one
 * forward (amend, rebase) stands for that older one: what the hub saw of it, it has seen.
 */
export function rule(
  file: FileTask,
  hub: HubTask,
  input: Pick<
    ReconcileInput,
    'runs' | 'runsDropped' | 'head' | 'origins' | 'otherOrigins' | 'maybeCopyOf' | 'ancestry' | 'present' | 'committedAt' | 'firstCommittedAt' | 'writtenBack'
  >,
  rewrites: RewriteIndex = rewriteIndex([]),
): Ruling {
  const L = input.origins.get(file.id) ?? null;
  // Blame failed, or the value's history is not here (a shallow boundary, a blob offline): "not
  // seen" would let rank decide, and rank can only keep forward progress. Unknown never decides.
  if (L === null) return { decision: 'unknown', why: 'origin' };
  const within = (ancestor: string | null, descendant: string | null) => !!ancestor && !!descendant && input.ancestry(ancestor, descendant) === 'yes';
  const origins = [L, ...(input.otherOrigins?.get(file.id) ?? [])];
  const heard = (origin: string) => heardOf(carriedOver(origin, file.id, rewrites), file.id, hub.points, input.runs, within);
  // A point's commit stays a common base whatever a rewrite of it changed: HEAD holds its rewrite.
  const rewritten = (commit: string) => replacedBy(commit, rewrites);

  // A point on a commit that replaced one HEAD holds, leaving this task's status as it was, agreed
  // on the value HEAD had there.
  const standsFor = (commit: string) => [...rewritten(commit), ...carriedOver(commit, file.id, rewrites)];
  const visible = (commit: string) => standsFor(commit).some((c) => within(c, input.head));

  // A restore took the hub back past a point of this clone's and nothing changed it since: a value
  // on that point's line (the one it agreed on, or one set after it) is newer than the hub's, even
  // where an older record heard it (found by the soak, seed 20261713 path 16).
  const lost = hub.rolledBackFrom;
  if (lost) {
    const held = rewritten(lost.commit).filter((c) => within(c, input.head));
    // The point's value, set at or below its commit: as old as the point (or the one it put back
    // itself), which the push says, so that a clone holding a newer lost point reads it so. A value
    // set after the point is a new edit, and says nothing (found by a review: a person's done set
    // again after the restore was read as the lost point's, and a newer lost point pushed over it).
    const itsOwn = file.status === lost.status && held.some((c) => within(L, c));
    if (itsOwn) return { decision: 'push', conflict: false, restates: lost.restates ?? lost.at };
    if (held.some((c) => within(c, L))) return { decision: 'push', conflict: false };
  }

  // 2. The hub has already heard of this file value: the file holds no news. Unless both sides of
  // a merge held it, one stale and one set again on top of the hub's current status, which no
  // record saw: that one is news, newer than the hub (found by the soak, seed 20261129 path 137).
  const setOnCurrent = (origin: string) => hub.points.some((p) => !hubMovedSince(p, hub) && rewritten(p.commit).some((c) => c !== origin && within(c, origin)));
  if (origins.length > 1 && origins.some((o) => !heard(o) && setOnCurrent(o))) return { decision: 'push', conflict: false };
  if (origins.some(heard)) return { decision: 'writeback', conflict: false };
  // A value whose commit may be one the hub heard of, made again (see maybeCopyOf): heard if it is,
  // and the hub's value is written back. Read as a new edit, the rules decide; only where they would
  // push does the missing fact decide, and then nothing is (found by a review: a squash merge of a
  // one-commit branch, the hub moved on since, was held up where both readings write back).
  if (origins.some((o) => (input.maybeCopyOf?.get(o) ?? []).some(heard))) {
    const asNew = rule(file, hub, { ...input, maybeCopyOf: undefined }, rewrites);
    return asNew.decision === 'push' ? { decision: 'unknown', why: 'copy' } : asNew;
  }

  // 3. The file moved. If the hub has not moved since the newest point HEAD can see, the file wins.
  let at = hub.points.length - 1;
  while (at >= 0 && !visible(hub.points[at]!.commit) && !visible(hub.points[at]!.origin)) at--;
  const base = hub.points[at];
  const held = (commit: string) => rewritten(commit).some(input.present);
  if (base && !hubMovedSince(base, hub)) {
    // A value that came in beside the base (a side a merge kept), not after it, while the hub heard
    // its current status on a commit this clone lacks: that commit may have set it on top of the
    // file's value (found by the soak, seed 58 path 24: a clone pushed in_progress set over blocked,
    // was cloned again before it pushed the commit, and a person kept blocked in a later merge).
    // After the base, too, where its commit was rewritten: an amend that set the value replaced it
    // (found by the soak, seed 68 path 117: a reopen made by amending a writeback was held up).
    const setAfter = (commit: string) => standsFor(commit).some((c) => within(c, L));
    const beside = ![base.commit, base.origin].some(setAfter);
    if (beside && hub.points.some((p) => p.statusVersion === hub.statusVersion && !held(p.commit))) return { decision: 'unknown', why: 'blind' };
    // Set on top of the base's origin but not of its commit: on the value as the origin had it,
    // which the hub may have left (hearing this very value) and come back to before the base
    // agreed; that takes two status changes. Once records were dropped, "not heard" is not known
    // (found by the soak, seed 20261502 path 62: a squash carried a heard writeback onto the
    // origin, the record that heard it was dropped, and the value was pushed over the hub's return).
    // Not where another point at the base's status version sits below the value: set after that
    // agreement, it is news (one clone's metadata edit recorded the base while another set the status).
    const mayHaveReturned = base.statusVersion === null || base.statusVersion >= 2;
    const recordsDropped = hub.droppedThrough !== null || input.runsDropped;
    const agreedBefore = (p: SyncPoint) => p.statusVersion === base.statusVersion && p.status === base.status && setAfter(p.commit);
    if (!beside && mayHaveReturned && recordsDropped && !hub.points.some(agreedBefore)) return { decision: 'unknown', why: 'concurrent' };
    // Not a value a point of this clone's heard before a restore lost it and the hub's present
    // status was then set (by the hub's clock): neither that change nor an agreement on it since saw
    // the value, so it is not news beside or after the base, and the rules below decide as where
    // both moved (found by the soak, seed 107 path 99: a merge kept a lost agreement's cancelled
    // beside another clone's writeback of an agent's later done, and pushed it as news). Unless a
    // point on the hub's status sits at or below the value's origin: set on top of an equal value,
    // it is news however late the hub heard that one again (found by a review: another clone pushed
    // again the done a reopen was made on, after the restore took the reopen's point).
    // Nor where such a point agreed on the file's status with the value the run that made the hub's
    // change pushed below its commit: it saw that value and moved on, and the hub heard it again
    // late; what older lost points heard, it heard too (found by the suite on 218c8fc, seed 60 path
    // 39: a pushed its done over the restored hub, made before c's cancelled and merged below it,
    // and rank wrote the older done back over the cancelled).
    const onHubsValue = (origin: string) =>
      hub.points.some((p) => !hubMovedSince(p, hub) && [p.commit, p.origin].some((k) => standsFor(k).some((c) => within(c, origin))));
    const lostBefore = hub.lostBeforeChange ?? [];
    const pushed = hub.presentPushedBy;
    const movedOn = lostBefore.filter((p) => p.status === file.status && !!pushed && standsFor(pushed.origin).some((c) => within(c, p.commit)));
    const heardBy = (points: readonly SyncPoint[], origin: string) => heardOf(carriedOver(origin, file.id, rewrites), file.id, points, [], within);
    const heardBeforeChange = (origin: string) => heardBy(lostBefore, origin) && !heardBy(movedOn, origin) && !onHubsValue(origin);
    if (!origins.some(heardBeforeChange)) return { decision: 'push', conflict: false };
  }

  // The facts that would tell "both moved" from "not seen" may be missing: then nothing is decided.
  const unknown = whyUnknown(hub, base, at, L, held, within, input.runsDropped);
  const byRank = rank(file.status) > rank(hub.status) ? 'push' : 'writeback';
  // A missing fact that cannot change the decision does not hold it up. Concurrent asks only
  // whether a dropped record saw the file's value: seen, the hub wins (rule 2); not seen, the
  // decision is the one it would be had nothing been dropped, rank (rule 4). Where rank keeps the
  // hub's value, both agree. Dropped asks whether a lost point was a newer base: where a point the
  // hub kept past them has an older status version, the hub moved since each of them, so rule 3
  // could not push on any, and rank keeping the hub's value agrees again. Not so for blind: a point
  // on a commit this clone lacks may be one a rebase carried below HEAD under another id, its
  // rewrite record not yet at the hub (an outbox, a clone without hooks), and then rule 3 would push.
  const hubWinsAnyway = byRank === 'writeback' && (unknown === 'concurrent' || (unknown === 'dropped' && movedSinceDropped(hub)));
  if (unknown && !hubWinsAnyway) return { decision: 'unknown', why: unknown };
  // A writeback HEAD holds that no point stands for, made after the task's oldest kept point and
  // not below a kept one: the hub recorded a point there before the branch moved, and lost it (a
  // restore from a backup; retention drops oldest first). Where it wrote the hub's status, whether
  // the hub moved since is not known; where it wrote another after the hub's last change, the hub
  // went back. Either way the file's value, the writeback's or set after it or beside it, may be
  // newer than the hub's: rank keeping the hub's is held up (found by the soak, seed 104 path 95: a
  // restore took another clone's writeback point, and a value set beside it was written over).
  // Not a value set below it: the writeback's run heard that one.
  // Below a point's own commit, or that commit rewritten: not below a rebase of it onto the writeback.
  const belowKept = (commit: string) => hub.points.some((p) => [p.commit, p.origin].some((k) => within(commit, k) || standsFor(k).includes(commit)));
  const agreedAndLost = (w: WrittenBack) =>
    within(w.commit, input.head) &&
    w.madeAt > writtenSince(hub) &&
    (w.status === hub.status || w.madeAt > Date.parse(hub.updatedAt) - GIT_SECOND) &&
    !belowKept(w.commit) &&
    !(L !== w.commit && within(L, w.commit));
  if (byRank === 'writeback' && (input.writtenBack?.get(file.id) ?? []).some(agreedAndLost)) return { decision: 'unknown', why: 'unrecorded' };
  // A run newer than the base, on a commit this clone lacks, may have seen the file's value under
  // another clone's newer edit: only rank pushing it is held up, as where a dropped record may have
  // seen it (found by the grown simulation, amend seed 2 path 36: a run agreed on a status set over
  // that value in a commit its clone never pushed, an agent moved on from there, and rank pushed
  // the older value over the agent's). Not a run made before the value was committed: a run on a
  // commit its clone threw away would otherwise hold up every later conflict until the hub lets it go.
  // A time that cannot be read proves nothing: the run may have seen it.
  const before = (at: string, committed: number | undefined) => committed !== undefined && Date.parse(at) < committed;
  const sinceBase = (at: string) => !base || at > base.at;
  const mayHaveSeen = (r: RunRecord) => !r.skipped.includes(file.id) && !held(r.commit) && sinceBase(r.at) && !before(r.at, input.committedAt?.get(L));
  // So may a merge the driver noted that this clone lacks: it read both sides' values, and a
  // force-push may have brought back the one it overruled, under an amend's new id made after the
  // merge; the value is as old as it was first committed (found by the soak, seed 97 path 137).
  const mergeMayHaveSeen = (at: string) => sinceBase(at) && !before(at, input.firstCommittedAt?.get(file.id));
  if (byRank === 'push' && input.runs.some(mayHaveSeen)) return { decision: 'unknown', why: 'blind' };
  if (byRank === 'push' && (hub.unheldMerges ?? []).some(mergeMayHaveSeen)) return { decision: 'unknown', why: 'merge' };

  // 4. Both moved, or no common point: the spec's rank rule, the hub on a tie.
  return { decision: byRank, conflict: true };
}

/** git keeps whole seconds: a commit in the same second as a hub time may be after it. */
const GIT_SECOND = 1000;

/**
 * The time after which a writeback of this task must have left a point the hub still keeps: its
 * oldest kept point's, to the second (retention drops oldest first; the points this clone's own
 * records put back, at or below what the hub dropped, do not count). NaN where it keeps none.
 */
export function writtenSince(hub: HubTask): number {
  const kept = hub.points.find((p) => hub.droppedThrough === null || p.seq > hub.droppedThrough);
  return kept ? Date.parse(kept.at) - GIT_SECOND : Number.NaN;
}

/** Whether a record the hub (or this clone) kept saw any of `sources`, commits that set the file's value. */
function heardOf(
  sources: readonly string[],
  id: string,
  points: readonly SyncPoint[],
  runs: ReconcileInput['runs'],
  within: (ancestor: string | null, descendant: string | null) => boolean,
): boolean {
  const seenBy = (commit: string | null) => sources.some((l) => within(l, commit));
  return (
    points.some((p) => seenBy(p.upstream) || seenBy(p.origin) || seenBy(p.commit)) ||
    runs.some((r) => !r.skipped.includes(id) && (seenBy(r.upstream) || seenBy(r.commit)))
  );
}

/** By the status version where the point has one: a status that went away and came back has moved. */
function hubMovedSince(base: SyncPoint, hub: HubTask): boolean {
  if (base.statusVersion !== null) return base.statusVersion !== hub.statusVersion;
  return base.status !== hub.status;
}

/** Whether the hub moved since every point it dropped: one it kept past them has an older status version. */
function movedSinceDropped(hub: HubTask): boolean {
  const dropped = hub.droppedThrough;
  return dropped !== null && hub.points.some((p) => p.seq > dropped && p.statusVersion !== null && p.statusVersion < hub.statusVersion);
}

/**
 * Where rule 4 would decide on missing facts (DESIGN.md, "Rules v2", 2): the hub heard of commits
 * newer than the base that this clone does not hold; the hub dropped points newer than the base;
 * or the file's value was set on a line of history the base never saw, once records were dropped.
 */
function whyUnknown(
  hub: HubTask,
  base: SyncPoint | undefined,
  at: number,
  L: string,
  held: (commit: string) => boolean,
  within: (ancestor: string | null, descendant: string | null) => boolean,
  runsDropped: boolean,
): Unknown | null {
  if (hub.points.slice(at + 1).some((p) => !held(p.commit))) return 'blind';
  const dropped = hub.droppedThrough;
  if (dropped !== null && (!base || base.seq <= dropped)) return 'dropped';
  if (base && (dropped !== null || runsDropped) && !within(base.commit, L) && !within(base.origin, L)) return 'concurrent';
  return null;
}

/** One task's part of a plan. `unreconciled`: the sides still differ, so the run record must not vouch for its line. */
interface TaskPlan {
  decision: Decision;
  findings: Finding[];
  change?: PlannedChange;
  writeback?: Writeback;
  unreconciled?: boolean;
}

/** A task in a file that the hub does not have: created as the file says. */
function creation(file: FileTask, input: ReconcileInput): TaskPlan {
  const change: PlannedChange = {
    id: file.id,
    expectedVersion: 0,
    status: file.status,
    title: file.title,
    priority: file.priority,
    workplan: file.workplan,
    ...(file.hubId ? { hubId: file.hubId } : {}),
    point: { status: file.status, origin: input.origins.get(file.id) ?? BLAME },
  };
  return { decision: 'create', findings: [missingInHub(file, input.mode)], ...(input.mode === 'fix' ? { change } : {}) };
}

/** A task both sides hold: the rules decide the status when they differ; metadata follows the file. */
function reconcileTask(file: FileTask, hub: HubTask, input: ReconcileInput, rewrites: RewriteIndex): TaskPlan {
  const fix = input.mode === 'fix';
  if (file.status === hub.status) return { decision: 'agree', findings: [], ...changeFor(file, hub, 'agree', file.status, input) };
  const ruling = rule(file, hub, input, rewrites);
  if (ruling.decision === 'unknown') return { decision: 'unknown', findings: [undecided(file, hub.status, ruling.why, input.mode)], unreconciled: true };
  const findings = ruling.conflict ? [bothMoved(file, hub.status, ruling.decision === 'push' ? 'file' : 'db', input.mode)] : [];
  // The hub keeps that rank decided (C-22) on a change the run makes anyway: never one of its own.
  const marked = ({ change }: { change?: PlannedChange }) => (change ? { change: ruling.conflict ? { ...change, decidedByRank: true as const } : change } : {});
  if (ruling.decision === 'push')
    return {
      decision: 'push',
      findings: [...findings, fileAhead(file, hub.status, input.mode)],
      ...marked(changeFor(file, hub, 'push', file.status, input, ruling.restates)),
    };
  findings.push(hubAhead(file, hub.status, input.mode));
  // Without a writeback the two sides still differ: no point to record.
  if (!fix || !input.writeback) return { decision: 'writeback', findings, unreconciled: true, ...marked(changeFor(file, hub, 'writeback', null, input)) };
  const writeback = { taskId: file.id, title: file.title, file: file.file, line: file.line, from: file.status, to: hub.status };
  return { decision: 'writeback', findings, writeback, ...marked(changeFor(file, hub, 'writeback', hub.status, input, putBackAge(hub))) };
}

/**
 * The hub change for a task both sides hold, in fix mode: the file's status when it wins, metadata
 * that differs, and a point when the run leaves both sides equal at `final` and something is new.
 */
function changeFor(
  file: FileTask,
  hub: HubTask,
  decision: Decision,
  final: Status | null,
  input: ReconcileInput,
  restates?: string,
): { change?: PlannedChange } {
  if (input.mode !== 'fix') return {};
  const change: PlannedChange = { id: file.id, expectedVersion: hub.version };
  if (decision === 'push') change.status = file.status;
  if (file.title !== hub.title) change.title = file.title;
  if (file.priority !== hub.priority) change.priority = file.priority;
  if (file.workplan.id !== hub.workplan) change.workplan = file.workplan;
  const acted = decision !== 'agree' || Object.keys(change).length > 2;
  const newest = hub.points.at(-1);
  if (final !== null && (acted || !newest || newest.status !== final || input.ancestry(newest.commit, input.head) !== 'yes')) {
    // The writeback commit sets the line it writes; exists only once the plan is applied.
    change.point = { status: final, origin: decision === 'writeback' ? AFTER : (input.origins.get(file.id) ?? BLAME), ...(restates ? { restates } : {}) };
  }
  return Object.keys(change).length > 2 ? { change } : {};
}

/**
 * The pure reconciler: from file tasks, hub tasks and git facts to the changes to make and the
 * findings to report. No I/O; the shell gathers the facts and applies the plan.
 */
export function plan(input: ReconcileInput): Plan {
  const hubById = new Map(input.hubTasks.map((t) => [t.id, t]));
  const rewrites = rewriteIndex(input.rewrites);
  const result: Plan = { decisions: new Map(), changes: [], writebacks: [], run: null, findings: [] };
  const unreconciled: string[] = [];
  for (const file of input.files) {
    const hub = hubById.get(file.id);
    const task = hub ? reconcileTask(file, hub, input, rewrites) : creation(file, input);
    result.decisions.set(file.id, task.decision);
    result.findings.push(...task.findings);
    if (task.change) result.changes.push(task.change);
    if (task.writeback) result.writebacks.push(task.writeback);
    if (task.unreconciled) unreconciled.push(file.id);
  }
  const inFiles = new Set([...input.files.map((f) => f.id), ...input.skipped]);
  for (const hub of input.hubTasks) if (!inFiles.has(hub.id)) result.findings.push(inNoFile(hub, input.mode));
  if (input.mode === 'fix') result.run = { skipped: [...input.skipped, ...unreconciled] };
  return result;
}
