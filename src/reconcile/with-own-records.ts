import type { OwnRecords } from '../clone/own-records.js';
import type { HubTask, RepoState as HubState, Rewrite, RunRecord, SyncPoint } from '../hub/types.js';
import type { Status } from '../status.js';
import { withPointByVersion } from './points-by-version.js';

/**
 * Tasks' statuses in the hub's history, oldest first. Every status change writes one history row
 * and adds one to the status version, so the last is the status at the task's status version and
 * each one before it at one version less.
 */
export type StatusHistories = ReadonlyMap<string, readonly Status[]>;

const pointKey = (p: SyncPoint) => `${p.seq} ${p.commit} ${p.origin} ${p.status}`;

/** The index of the newest of `own` (oldest first) the hub still holds; -1 for none. */
function newestHeld<Item>(own: readonly Item[], held: (item: Item) => boolean): number {
  let newest = -1;
  own.forEach((item, at) => {
    if (held(item)) newest = at;
  });
  return newest;
}

/**
 * Own records (oldest first) the hub no longer holds because its retention let them go: those older
 * than one of them it still holds (it drops oldest first). Missing ones newer than every one it
 * holds may have been lost instead (a hub restored from a backup): read as news to the hub, they
 * would make its older value look like the newer one, so they are left out.
 */
function droppedByRetention<Item>(own: readonly Item[], held: (item: Item) => boolean): Item[] {
  return own.slice(0, newestHeld(own, held) + 1).filter((item) => !held(item));
}

/** The status `history` gives the task at `version`, the task being at `current` now; undefined where it does not reach. */
const statusAt = (history: readonly Status[], current: number, version: number): Status | undefined => history[history.length - 1 - (current - version)];

/** Whether the hub lacks one of `own` newer than one it holds: it drops oldest first, so it lost that one. */
function lostSinceHeld<Item>(own: readonly Item[], held: (item: Item) => boolean): boolean {
  const newest = newestHeld(own, held);
  return newest >= 0 && own.slice(newest + 1).some((item) => !held(item));
}

/**
 * Own points the hub neither holds nor says it dropped, at or below the task's status version: a
 * restore lost them, and each still stands where the hub's present history holds its status at its
 * status version (statusAt). At the task's own version the task says so; below it only the task's
 * history can, so these are the tasks whose history is worth asking for.
 */
function unheldPoints(task: HubTask, own: OwnRecords): SyncPoint[] {
  const theirs = new Set(task.points.map(pointKey));
  const dropped = (p: SyncPoint) => task.droppedThrough !== null && p.seq <= task.droppedThrough;
  return (own.points[task.id] ?? []).filter(
    (p) => !theirs.has(pointKey(p)) && !dropped(p) && p.statusVersion !== null && p.statusVersion <= task.statusVersion,
  );
}

/** Tasks among `ids` for which this clone holds a point only the hub's history can place (see withOwnRecords). */
export function historiesWorthAsking(hub: HubState, own: OwnRecords, ids: ReadonlySet<string>): string[] {
  return hub.tasks.filter((t) => ids.has(t.id) && unheldPoints(t, own).some((p) => p.statusVersion! < t.statusVersion)).map((t) => t.id);
}

/** Whether this clone's own runs or rewrites show the hub lost a record it took (a restore): then its own points may stand again. */
export function lostRecordsShown(hub: HubState, own: OwnRecords): boolean {
  const hubRuns = new Set(hub.runs.map(runKey));
  const hubRewrites = new Set(hub.rewrites.map(rewriteKey));
  return lostSinceHeld(own.runs, (r) => hubRuns.has(runKey(r))) || lostSinceHeld(own.rewrites, (r) => hubRewrites.has(rewriteKey(r)));
}

const runKey = (r: RunRecord) => `${r.machine} ${r.commit} ${r.upstream} ${r.skipped.join(',')}`;
const rewriteKey = (r: Rewrite) => `${r.old} ${r.new}`;

/**
 * The hub's state with this clone's own records read in (DESIGN.md, "Rules v2", 3), where they
 * add what the hub's retention took away: a point the hub says it dropped (its seq at or below the
 * task's `droppedThrough`), runs once the hub says it dropped runs, and rewrites, older than one
 * the hub still holds. A record the hub lost without saying so (a restore) is not read where the
 * clone can tell: after a restore the hub's own records are the ones that agree with its values.
 *
 * Runs of which the hub holds none of this clone's are read as dropped when older than every run
 * it holds (the model finds a lost update without them), unless this clone holds proof of a
 * restore: a point past its task's status version (which only goes up), or a record lost though
 * an older one is held. After a restore the runs the hub holds may all be newer than one it lost,
 * and "heard" read from that lost run writes the restored value back. Where no proof is at hand
 * (the README says when), a lost run can still be read as dropped.
 *
 * A point a restore lost is read where the hub's present line holds it: the hub's status at the
 * point's status version is the point's status (its current one, or from `histories`). Whatever
 * the hub set after that version it set after the restore, so after this clone's agreement.
 */
export function withOwnRecords(hub: HubState, own: OwnRecords, histories: StatusHistories = new Map()): HubState {
  const hubRuns = new Set(hub.runs.map(runKey));
  const heldRun = (r: RunRecord) => hubRuns.has(runKey(r));
  const hubRewrites = new Set(hub.rewrites.map(rewriteKey));
  const heldRewrite = (r: Rewrite) => hubRewrites.has(rewriteKey(r));
  // A task's status version only goes up: a point past the hub's current one was lost, not dropped.
  const lost = (task: HubTask) => (p: SyncPoint) => p.statusVersion !== null && p.statusVersion > task.statusVersion;
  const restored =
    hub.tasks.some((task) => (own.points[task.id] ?? []).some(lost(task))) || lostSinceHeld(own.runs, heldRun) || lostSinceHeld(own.rewrites, heldRewrite);
  const oldestHeldRun = hub.runs.map((r) => r.at).sort()[0] ?? '\uffff';
  const newestOwnHeld = newestHeld(own.runs, heldRun);
  // A hub that never dropped a run lacks one of this clone's only because it lost it.
  const runsDropped = hub.runsDropped ? own.runs.filter((r, at) => !heldRun(r) && (at < newestOwnHeld || (!restored && r.at < oldestHeldRun))) : [];
  return {
    ...hub,
    tasks: hub.tasks.map((task) => {
      const theirs = new Set(task.points.map(pointKey));
      const dropped = (own.points[task.id] ?? []).filter(
        (p) => !theirs.has(pointKey(p)) && task.droppedThrough !== null && p.seq <= task.droppedThrough && !lost(task)(p),
      );
      let points = dropped.length === 0 ? task.points : [...dropped, ...task.points].sort((a, b) => a.seq - b.seq);
      const history = histories.get(task.id);
      for (const p of unheldPoints(task, own)) {
        const present = p.statusVersion === task.statusVersion ? task.status : history && statusAt(history, task.statusVersion, p.statusVersion!);
        if (present === p.status) points = withPointByVersion(points, { ...p, statusVersion: p.statusVersion! });
      }
      return points === task.points ? task : { ...task, points };
    }),
    runs: [...runsDropped, ...hub.runs],
    rewrites: [...droppedByRetention(own.rewrites, heldRewrite), ...hub.rewrites],
  };
}
