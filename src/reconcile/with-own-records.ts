import type { RepoState as HubState, SyncPoint } from '../hub/types.js';
import type { OwnRecords } from '../clone/own-records.js';

const pointKey = (p: SyncPoint) => `${p.seq} ${p.commit} ${p.origin} ${p.status}`;

/**
 * The hub's state with this clone's own records read in (DESIGN.md, "Rules v2", 3): each task's
 * points once each, oldest first by the hub's seq; every run and rewrite record either side holds.
 */
export function withOwnRecords(hub: HubState, own: OwnRecords): HubState {
  const runKey = (r: HubState['runs'][number]) => `${r.commit} ${r.upstream} ${r.skipped.join(',')}`;
  const hubRuns = new Set(hub.runs.map(runKey));
  const hubRewrites = new Set(hub.rewrites.map((r) => `${r.old} ${r.new}`));
  return {
    ...hub,
    tasks: hub.tasks.map((task) => {
      const mine = own.points[task.id];
      if (!mine?.length) return task;
      const theirs = new Set(task.points.map(pointKey));
      const points = [...mine.filter((p) => !theirs.has(pointKey(p))), ...task.points].sort((a, b) => a.seq - b.seq);
      return { ...task, points };
    }),
    runs: [...own.runs.filter((r) => !hubRuns.has(runKey(r))), ...hub.runs],
    rewrites: [...own.rewrites.filter((r) => !hubRewrites.has(`${r.old} ${r.new}`)), ...hub.rewrites],
  };
}
