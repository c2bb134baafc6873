import type { HubTask } from '../hub/types.js';
import type { Status } from '../status.js';
import { withPointByVersion } from './points-by-version.js';

/** A merge driver's record whose commit was found (see clone/driver-points.ts): at `commit` the file held `status`, the hub's value at `statusVersion`. */
export interface FoundDriverPoint {
  commit: string;
  status: Status;
  statusVersion: number;
  at: string;
}

/**
 * The task with each found driver point among its points, placed by status version (see
 * withPointByVersion). A point past the hub's status version, or at it with another status, is of
 * a history the hub lost (a restore): it is left out.
 */
export function withDriverPoints(task: HubTask, found: readonly FoundDriverPoint[]): HubTask {
  let points = task.points;
  for (const f of found) {
    if (f.statusVersion > task.statusVersion || (f.statusVersion === task.statusVersion && f.status !== task.status)) continue;
    if (points.some((p) => p.commit === f.commit && p.status === f.status && p.statusVersion === f.statusVersion)) continue;
    points = withPointByVersion(points, { commit: f.commit, origin: f.commit, upstream: null, status: f.status, statusVersion: f.statusVersion, at: f.at });
  }
  return points === task.points ? task : { ...task, points };
}
