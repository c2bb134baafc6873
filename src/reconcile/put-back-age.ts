import type { HubTask } from '../hub/types.js';

/**
 * Where a put-back set the hub's current value (see SyncPoint.restates), the age it gave that
 * value: a writeback takes the value from the hub, and its point is as old (found by a review:
 * after a second restore, such a writeback's point, lost in turn, counted at its own time and put
 * the old value back over a newer lost point).
 */
export function putBackAge(hub: HubTask): string | undefined {
  const current = hub.points.filter((p) => p.statusVersion === hub.statusVersion && p.status === hub.status);
  return current.at(-1)?.restates;
}
