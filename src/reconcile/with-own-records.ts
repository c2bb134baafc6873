import type { OwnRecords } from '../clone/own-records.js';
import type { RepoState as HubState, SyncPoint } from '../hub/types.js';

const pointKey = (p: SyncPoint) => `${p.seq} ${p.commit} ${p.origin} ${p.status}`;

/**
 * Own records (oldest first) the hub no longer holds because its retention let them go: those older
 * than one of them it still holds (it drops oldest first). Missing ones newer than every one it
 * holds may have been lost instead (a hub restored from a backup): read as news to the hub, they
 * would make its older value look like the newer one, so they are left out.
 */
function droppedByRetention<Item>(own: readonly Item[], held: (item: Item) => boolean): Item[] {
  let newestHeld = -1;
  own.forEach((item, at) => {
    if (held(item)) newestHeld = at;
  });
  return own.slice(0, newestHeld + 1).filter((item) => !held(item));
}

/**
 * The hub's state with this clone's own records read in (DESIGN.md, "Rules v2", 3), where they
 * add what the hub's retention took away: a point the hub says it dropped (its seq at or below the
 * task's `droppedThrough`), and runs and rewrites older than one the hub still holds. A record the
 * hub lost without saying so (a restore) is not read: after a restore the hub's own records are
 * the ones that agree with its values. A run older than every run the hub holds is not read
 * either, though the hub says it dropped runs: after a restore, the runs it holds may all be newer
 * than one it lost, and "heard" read from a lost run writes the restored value back over the file.
 */
export function withOwnRecords(hub: HubState, own: OwnRecords): HubState {
  const runKey = (r: HubState['runs'][number]) => `${r.commit} ${r.upstream} ${r.skipped.join(',')}`;
  const hubRuns = new Set(hub.runs.map(runKey));
  const hubRewrites = new Set(hub.rewrites.map((r) => `${r.old} ${r.new}`));
  return {
    ...hub,
    tasks: hub.tasks.map((task) => {
      const theirs = new Set(task.points.map(pointKey));
      // A task's status version only goes up: a point past the hub's current one was lost, not dropped.
      const lost = (p: SyncPoint) => p.statusVersion !== null && p.statusVersion > task.statusVersion;
      const dropped = (own.points[task.id] ?? []).filter(
        (p) => !theirs.has(pointKey(p)) && task.droppedThrough !== null && p.seq <= task.droppedThrough && !lost(p),
      );
      return dropped.length === 0 ? task : { ...task, points: [...dropped, ...task.points].sort((a, b) => a.seq - b.seq) };
    }),
    runs: [...droppedByRetention(own.runs, (r) => hubRuns.has(runKey(r))), ...hub.runs],
    rewrites: [...droppedByRetention(own.rewrites, (r) => hubRewrites.has(`${r.old} ${r.new}`)), ...hub.rewrites],
  };
}
