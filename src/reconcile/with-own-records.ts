import type { OwnRecords } from '../clone/own-records.js';
import type { HubTask, RepoState as HubState, Rewrite, RunRecord, SyncPoint } from '../hub/types.js';

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

/** Whether the hub lacks one of `own` newer than one it holds: it drops oldest first, so it lost that one. */
function lostSinceHeld<Item>(own: readonly Item[], held: (item: Item) => boolean): boolean {
  const newest = newestHeld(own, held);
  return newest >= 0 && own.slice(newest + 1).some((item) => !held(item));
}

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
 */
export function withOwnRecords(hub: HubState, own: OwnRecords): HubState {
  const runKey = (r: RunRecord) => `${r.machine} ${r.commit} ${r.upstream} ${r.skipped.join(',')}`;
  const hubRuns = new Set(hub.runs.map(runKey));
  const heldRun = (r: RunRecord) => hubRuns.has(runKey(r));
  const hubRewrites = new Set(hub.rewrites.map((r) => `${r.old} ${r.new}`));
  const heldRewrite = (r: Rewrite) => hubRewrites.has(`${r.old} ${r.new}`);
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
      return dropped.length === 0 ? task : { ...task, points: [...dropped, ...task.points].sort((a, b) => a.seq - b.seq) };
    }),
    runs: [...runsDropped, ...hub.runs],
    rewrites: [...droppedByRetention(own.rewrites, heldRewrite), ...hub.rewrites],
  };
}
