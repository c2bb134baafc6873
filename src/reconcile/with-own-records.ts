import type { OwnRecords } from '../clone/own-records.js';
import type { HistoryEntry, HubTask, RepoState as HubState, Rewrite, RunRecord, SyncPoint } from '../hub/types.js';
import type { Status } from '../status.js';
import { putBackAge } from './put-back-age.js';
import { withPointByVersion } from './points-by-version.js';

/**
 * Tasks' status changes in the hub's history, oldest first, each with the hub's time. Every status
 * change writes one history row and adds one to the status version, so the last row is the change
 * to the task's status version and each one before it to one version less.
 */
export type StatusChanges = readonly Pick<HistoryEntry, 'to' | 'at'>[];
export type StatusHistories = ReadonlyMap<string, StatusChanges>;

const pointKey = (p: SyncPoint) => `${p.seq} ${p.commit} ${p.origin} ${p.status}`;

/** Whether the hub lacks one of `own` newer than one it holds: it drops oldest first, so it lost that one. */
function lostSinceHeld<Item>(own: readonly Item[], held: (item: Item) => boolean): boolean {
  const oldest = own.findIndex(held);
  return oldest >= 0 && own.slice(oldest + 1).some((item) => !held(item));
}

/**
 * Own points the hub does not hold: past the task's status version (which only goes up, so a
 * restore lost them, with the history they were of); as the retention dropped them (their seq at
 * or below the task's `droppedThrough`); or lost to a restore at or below the task's version.
 */
function notHeld(task: HubTask, own: OwnRecords): { dropped: SyncPoint[]; lost: SyncPoint[]; past: SyncPoint[] } {
  const dropped: SyncPoint[] = [];
  const lost: SyncPoint[] = [];
  const past: SyncPoint[] = [];
  const mine = own.points[task.id] ?? [];
  // Most tasks have no point of this clone's read in: the hub's are not indexed for them.
  if (mine.length === 0) return { dropped, lost, past };
  const theirs = new Set(task.points.map(pointKey));
  for (const p of mine) {
    if (theirs.has(pointKey(p))) continue;
    if (p.statusVersion !== null && p.statusVersion > task.statusVersion) past.push(p);
    else if (task.droppedThrough !== null && p.seq <= task.droppedThrough) dropped.push(p);
    else if (p.statusVersion !== null) lost.push(p);
  }
  return { dropped, lost, past };
}

/**
 * Whether `history` can be read against the task and this clone's points: read at the task's state
 * (a status change in between would shift every version by one), and dated by a clock that never
 * went back (a hub restored onto a host whose clock is behind dates a change made since the
 * restore before the points it lost).
 */
function readable(task: HubTask, history: StatusChanges): boolean {
  const last = history.at(-1);
  if (last === undefined || last.to !== task.status || last.at > task.updatedAt) return false;
  return history.every((row, at) => at === 0 || history[at - 1]!.at <= row.at);
}

/**
 * Whether the hub's present history held `p` when this clone recorded it: the row of the point's
 * status version (counted back from the task's) changed the task to the point's status no later
 * than the point, and the next row came after it. After a restore the hub deals status versions
 * out again, but every change it makes since is later than every point the restore lost.
 */
function heldWhenRecorded(p: SyncPoint, task: HubTask, history: StatusChanges): boolean {
  if (!readable(task, history)) return false;
  const at = history.length - 1 - (task.statusVersion - p.statusVersion!);
  const row = history[at];
  const next = history[at + 1];
  return row !== undefined && row.to === p.status && row.at <= p.at && (next === undefined || next.at > p.at);
}

/**
 * The newest of `past`, points a restore lost past the task's status version, if the hub has
 * neither changed the task's status nor agreed on it at a point since: the restore took the hub
 * back along the line that point agreed on, so the hub's present value is older than the point's.
 * Newest by the hub's time: after a restore the hub deals status versions out again.
 *
 * A point since that put back the value of an older lost point (another clone's, pushed again by
 * this rule) is no change since: that value is as old as its point (found by the soak, seed 92
 * path 14: a pushed its lost in_progress again over the restored value, and c's merge driver took
 * it over c's blocked, written back from the hub after a's). Its status change, in the same batch,
 * is at its time; so is a point a clone that pulled the value recorded, agreeing on it with the
 * same origin. A point on a value set anew (another origin) is a change since, whatever its status.
 */
function rolledBackFrom(past: readonly SyncPoint[], task: HubTask, history: StatusChanges): SyncPoint | undefined {
  const newest = past.reduce<SyncPoint | undefined>((a, p) => (!a || valueAge(p) > valueAge(a) ? p : a), undefined);
  if (!newest || !readable(task, history)) return undefined;
  const age = valueAge(newest);
  const restating = task.points.filter((q) => q.restates !== undefined && q.restates <= age);
  // A restating point itself, and one recorded since agreeing on its value from the same origin.
  const putBack = (q: SyncPoint) => restating.some((r) => r.origin === q.origin && r.status === q.status && r.at <= q.at);
  const olderPutBack = (at: string, status: Status) => task.points.some((q) => q.at === at && q.status === status && putBack(q));
  const since = history.some((row) => row.at > age && !olderPutBack(row.at, row.to)) || task.points.some((q) => q.at > age && !putBack(q));
  return since ? undefined : newest;
}

/**
 * Of `lost`, points a restore lost that the hub's present status was set after: its last change
 * (or, where that put back a lost value, the value's own age) is later than the point. The hub's
 * clock dates both; a restore onto a host whose clock is behind makes the change look older, and
 * then the point is not read so. By the hub's clock alone: whether the change saw the
 * point's value, git tells (see `rule`, seed 107 path 99).
 */
function lostBeforeChange(lost: readonly SyncPoint[], task: HubTask, history: StatusChanges): SyncPoint[] {
  if (lost.length === 0 || !readable(task, history)) return [];
  const current = putBackAge(task) ?? history.at(-1)!.at;
  return lost.filter((p) => p.at < current);
}

/**
 * The point the run that made the hub's present status change recorded in the same batch, so at
 * the change's time: a run pushes the file's value, which is as old as the commit that set it (the
 * point's origin), however late the hub heard it. Not one that put a lost value back (putBackAge
 * dates that). None where an agent or a person changed the status in the hub, or the hub dropped it.
 */
function pushedBy(task: HubTask, history: StatusChanges): SyncPoint | undefined {
  const last = history.at(-1)!;
  return task.points.find((q) => q.at === last.at && q.status === last.to && q.statusVersion === task.statusVersion && q.restates === undefined);
}

/** How old a point's value is: the point's time, or for one that put a lost value back, that value's (found by a review: after a second restore, a put-back lost again counted at its own time). */
const valueAge = (p: SyncPoint) => p.restates ?? p.at;

/**
 * Whether one of this clone's points the hub does not hold (at or below the task's status version:
 * `dropped` and `lost` of notHeld) names a status version at which the hub now has another status:
 * a version counts one status change and only goes up, so the hub lost the change the point saw
 * and dealt that version out again (a restore). Read from the task where the point's version is its
 * own, from its history (where given and readable) where older.
 */
function versionRetold(task: HubTask, missing: readonly SyncPoint[], history: StatusChanges | undefined): boolean {
  const readAt = history && readable(task, history) ? history : undefined;
  return missing.some((p) => {
    if (p.statusVersion === null) return false;
    if (p.statusVersion === task.statusVersion) return p.status !== task.status;
    const row = readAt?.[readAt.length - 1 - (task.statusVersion - p.statusVersion)];
    return row !== undefined && row.to !== p.status;
  });
}

/** Tasks among `ids` for which this clone holds a point a restore lost: only the task's history can tell what it proves (see withOwnRecords). */
export function historiesWorthAsking(hub: HubState, own: OwnRecords, ids: ReadonlySet<string>): string[] {
  return hub.tasks
    .filter((t) => {
      if (!ids.has(t.id)) return false;
      const { lost, past } = notHeld(t, own);
      return lost.length > 0 || past.length > 0;
    })
    .map((t) => t.id);
}

/**
 * Whether the records this clone sent show the hub lost one (a restore): a run or rewrite though it
 * holds an older one of them (it drops oldest first), or any run where it says it never dropped one.
 */
export function lostRecordsShown(hub: HubState, own: OwnRecords): boolean {
  const held = heldBy(hub);
  const runLost = !hub.runsDropped && own.runs.some((r) => !held.run(r));
  return runLost || lostSinceHeld(own.runs, held.run) || lostSinceHeld(own.rewrites, held.rewrite);
}

/**
 * Whether the hub lacks a run or rewrite this clone sent, dropped or lost: then this clone's points
 * may hold what the hub no longer can (a point a restore lost is read where the hub's history
 * shows it; see withOwnRecords), though nothing here proves a restore.
 */
export function ownRecordsMissing(hub: HubState, own: OwnRecords): boolean {
  const held = heldBy(hub);
  return own.runs.some((r) => !held.run(r)) || own.rewrites.some((r) => !held.rewrite(r));
}

/** Whether the hub holds a run or rewrite record this clone sent. */
function heldBy(hub: HubState): { run: (r: RunRecord) => boolean; rewrite: (r: Rewrite) => boolean } {
  const runs = new Set(hub.runs.map(runKey));
  const rewrites = new Set(hub.rewrites.map(rewriteKey));
  return { run: (r) => runs.has(runKey(r)), rewrite: (r) => rewrites.has(rewriteKey(r)) };
}

/**
 * This clone's run as the hub holds it: by what it vouches for and the hub's time of it (the
 * clone keeps the time the hub gave). Not by machine: over HTTP the hub names a run by its token's
 * owner and the machine, embedded by the machine alone. Not by what it vouches for alone: another
 * clone's run at the same commit is not this clone's record, and would hide that one's loss.
 */
const runKey = (r: RunRecord) => `${r.commit} ${r.upstream} ${r.skipped.join(',')} ${r.at}`;
const rewriteKey = (r: Rewrite) => `${r.old} ${r.new}`;

/**
 * The hub's state with this clone's own records read in (DESIGN.md, "Rules v2", 3), where they
 * add what the hub's retention took away: a point the hub says it dropped (its seq at or below the
 * task's `droppedThrough`), runs once the hub says it dropped runs, and every rewrite the hub
 * lacks (a rewrite is a fact of git's, true whatever the hub lost: found by the soak, seed 107
 * path 0, an amend's record a restore lost left its reopen read as the value it replaced). A record the hub
 * lost without saying so (a restore) is not read where the clone can tell: after a restore the
 * hub's own records are the ones that agree with its values.
 *
 * Runs are read as dropped when older than every run the hub holds (retention drops oldest first,
 * and the model finds a lost update without them), unless this clone holds proof of a restore: a
 * point past its task's status version (which only goes up), a point whose status version the hub
 * dealt out again to another status (versionRetold: found by the soak, seed 60 path 39, a kept
 * cancelled its clone's lost run vouched for was written over by the hub's older done), or a
 * record lost (lostRecordsShown).
 * After a restore the runs the hub holds may all be newer than one it lost, and "heard" read from
 * that lost run writes the restored value back. Where no proof is at hand (the README says when),
 * a lost run can still be read as dropped.
 *
 * A point a restore lost is read where the hub's present history held it when it was recorded
 * (heldWhenRecorded, from `histories`): everything the hub set after it is then newer than this
 * clone's agreement. Placed by its status version, since its seq may have been dealt out again.
 * One lost past the task's status version, where the hub has not changed the task since, is the
 * task's `rolledBackFrom`: the hub's value is older than the one that point agreed on.
 */
export function withOwnRecords(hub: HubState, own: OwnRecords, histories: StatusHistories = new Map()): HubState {
  const held = heldBy(hub);
  const missing = new Map(hub.tasks.map((task) => [task.id, notHeld(task, own)]));
  const restored =
    hub.tasks.some((task) => {
      const { dropped, lost, past } = missing.get(task.id)!;
      return past.length > 0 || versionRetold(task, [...dropped, ...lost], histories.get(task.id));
    }) || lostRecordsShown(hub, own);
  const oldest = hub.runs.map((r) => r.at).sort()[0] ?? '\uffff';
  const runsDropped = hub.runsDropped && !restored ? own.runs.filter((r) => !held.run(r) && r.at < oldest) : [];
  return {
    ...hub,
    tasks: hub.tasks.map((task) => {
      const { dropped, lost, past } = missing.get(task.id)!;
      let points = dropped.length === 0 ? task.points : [...dropped, ...task.points].sort((a, b) => a.seq - b.seq);
      const history = histories.get(task.id);
      if (!history) return points === task.points ? task : { ...task, points };
      const unread: SyncPoint[] = [...past];
      for (const p of lost) {
        if (heldWhenRecorded(p, task, history)) points = withPointByVersion(points, { ...p, statusVersion: p.statusVersion! });
        else unread.push(p);
      }
      const rolledBack = rolledBackFrom(past, task, history);
      const behind = lostBeforeChange(unread, task, history);
      const pusher = behind.length > 0 ? pushedBy(task, history) : undefined;
      return {
        ...task,
        points,
        ...(rolledBack ? { rolledBackFrom: rolledBack } : {}),
        ...(behind.length > 0 ? { lostBeforeChange: behind } : {}),
        ...(pusher ? { presentPushedBy: pusher } : {}),
      };
    }),
    runs: [...runsDropped, ...hub.runs],
    rewrites: [...own.rewrites.filter((r) => !held.rewrite(r)), ...hub.rewrites],
  };
}
