import type { SyncPoint } from '../hub/types.js';

/**
 * `points` with `point`, an agreement this clone holds and the hub does not, placed right after the
 * last point whose status version is at or below its own and given that point's seq (or 0): the
 * hub's seqs say nothing of a record it never kept, its status versions do. So rule 3 can take it
 * as the newest agreement HEAD holds.
 */
export function withPointByVersion(points: readonly SyncPoint[], point: Omit<SyncPoint, 'seq'> & { statusVersion: number }): SyncPoint[] {
  let after = -1;
  points.forEach((p, at) => {
    if (p.statusVersion !== null && p.statusVersion <= point.statusVersion) after = at;
  });
  const placed: SyncPoint = { ...point, seq: after >= 0 ? points[after]!.seq : 0 };
  return [...points.slice(0, after + 1), placed, ...points.slice(after + 1)];
}
