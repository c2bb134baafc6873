import type { HubTask, SyncPoint } from '../hub/types.js';
import type { Status } from '../status.js';

/** A merge driver's record whose commit was found (see clone/driver-points.ts): at `commit` the file held `status`, the hub's value at `statusVersion`. */
export interface FoundDriverPoint {
  commit: string;
  status: Status;
  statusVersion: number;
  at: string;
}

/**
 * The task with each found driver point among its points, placed in seq order right after the
 * last point whose status version is at or below its own (its seq that point's, or 0): so rule 3
 * can take it as the newest agreement HEAD holds. A point past the hub's status version, or at it
 * with another status, is of a history the hub lost (a restore): it is left out.
 */
export function withDriverPoints(task: HubTask, found: readonly FoundDriverPoint[]): HubTask {
  let points = task.points;
  for (const f of found) {
    if (f.statusVersion > task.statusVersion || (f.statusVersion === task.statusVersion && f.status !== task.status)) continue;
    if (points.some((p) => p.commit === f.commit && p.status === f.status && p.statusVersion === f.statusVersion)) continue;
    let after = -1;
    points.forEach((p, at) => {
      if (p.statusVersion !== null && p.statusVersion <= f.statusVersion) after = at;
    });
    const seq = after >= 0 ? points[after]!.seq : 0;
    const point: SyncPoint = { commit: f.commit, origin: f.commit, upstream: null, status: f.status, statusVersion: f.statusVersion, seq, at: f.at };
    points = [...points.slice(0, after + 1), point, ...points.slice(after + 1)];
  }
  return points === task.points ? task : { ...task, points };
}
