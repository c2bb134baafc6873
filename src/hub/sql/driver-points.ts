import { COMMIT_ID } from '../../git/commit-id.js';
import { isStatus } from '../../status.js';
import { DRIVER_POINTS_KEPT, type Retention } from '../retention.js';
import { type DriverPoint, InvalidRequestError, type SyncBatch } from '../types.js';
import { shown, taskIdProblem } from '../valid-text.js';
import type { SqlDriver } from './driver.js';
import { dropExpired } from './drop-expired.js';
import { eachIdList } from './rows.js';

interface DriverPointRow {
  task_id: string;
  status: DriverPoint['status'];
  status_version: number;
  parent: string;
  at: string;
}

/** Refuses a batch whose driver points are not what a driver could have taken from this hub's answers. */
export function checkDriverPoints(points: SyncBatch['driverPoints'] = []): void {
  if (points.length > DRIVER_POINTS_KEPT) throw new InvalidRequestError(`more than ${DRIVER_POINTS_KEPT} driver points in one batch`);
  for (const point of points) {
    const problem =
      taskIdProblem(point.id) ??
      (isStatus(point.status) ? null : `unknown status ${shown(String(point.status))}`) ??
      (Number.isSafeInteger(point.statusVersion) && point.statusVersion >= 0 ? null : 'a status version must be a whole number of at least 0') ??
      (typeof point.parent === 'string' && COMMIT_ID.test(point.parent) ? null : 'its parent must be a full commit id');
    if (problem) throw new InvalidRequestError(`driver point of task ${shown(String(point.id))}: ${problem}`);
  }
}

/**
 * Keeps the batch's driver points of tasks the hub holds at their status version or past it (any
 * other names a history this hub never had, and no clone would place it), and drops what
 * retention lets go: the newest DRIVER_POINTS_KEPT a repo, and every one younger than the age.
 */
export async function recordDriverPoints(tx: SqlDriver, batch: SyncBatch, retention: Retention, now: string): Promise<void> {
  let kept = 0;
  for (const point of batch.driverPoints ?? []) {
    const inserted = await tx.all(
      `INSERT INTO driver_points (repo, task_id, status, status_version, parent, at)
       SELECT repo, id, ?, ?, ?, ? FROM tasks WHERE repo = ? AND id = ? AND status_version >= ?
       ON CONFLICT (repo, task_id, status_version, parent) DO NOTHING RETURNING seq`,
      [point.status, point.statusVersion, point.parent, now, batch.repo, point.id, point.statusVersion],
    );
    kept += inserted.length;
  }
  if (kept > 0) await dropExpired(tx, 'driver_points', batch.repo, { kept: DRIVER_POINTS_KEPT, maxAgeMs: retention.maxAgeMs, now });
}

/** The repo's driver points, oldest first; with `ids`, those tasks'. */
export async function readHubDriverPoints(tx: SqlDriver, repo: string, ids?: readonly string[]): Promise<DriverPoint[]> {
  const columns = 'seq, task_id, status, status_version, parent, at';
  const rows = ids
    ? (
        await eachIdList(tx, ids, (inList, values) =>
          tx.all<DriverPointRow & { seq: number }>(`SELECT ${columns} FROM driver_points WHERE repo = ? AND task_id ${inList}`, [repo, ...values]),
        )
      )
        .flat()
        .sort((a, b) => Number(a.seq) - Number(b.seq))
    : await tx.all<DriverPointRow>(`SELECT ${columns} FROM driver_points WHERE repo = ? ORDER BY seq`, [repo]);
  return rows.map((r) => ({ id: r.task_id, status: r.status, statusVersion: Number(r.status_version), parent: r.parent, at: r.at }));
}
