import { COMMIT_ID } from '../../git/commit-id.js';
import { isStatus } from '../../status.js';
import { DRIVER_POINTS_KEPT, type Retention } from '../retention.js';
import { type DriverPoint, InvalidRequestError, type SyncBatch } from '../types.js';
import { shown, taskIdProblem } from '../valid-text.js';
import type { SqlDriver } from './driver.js';
import { dropExpired } from './drop-expired.js';
import { eachIdList } from './rows.js';

/** The largest status version the column holds (a 32-bit integer on PostgreSQL). */
export const STATUS_VERSION_MAX = 2 ** 31 - 1;

interface DriverPointRow {
  task_id: string;
  status: DriverPoint['status'];
  status_version: number;
  parent: string;
  theirs: string;
  at: string;
}

const isCommitId = (value: unknown) => typeof value === 'string' && COMMIT_ID.test(value);

/** Refuses a batch whose driver points are malformed, naming the task and the field; the embedded store's check of what the HTTP server checks. */
export function checkDriverPoints(points: SyncBatch['driverPoints'] = []): void {
  if (points.length > DRIVER_POINTS_KEPT) throw new InvalidRequestError(`more than ${DRIVER_POINTS_KEPT} driver points in one batch`);
  for (const point of points) {
    const problem =
      taskIdProblem(point.id) ??
      (isStatus(point.status) ? null : `unknown status ${shown(String(point.status))}`) ??
      (Number.isSafeInteger(point.statusVersion) && point.statusVersion >= 0 && point.statusVersion <= STATUS_VERSION_MAX
        ? null
        : `statusVersion must be a whole number from 0 to ${STATUS_VERSION_MAX}`) ??
      (isCommitId(point.parent) ? null : 'parent must be a full commit id') ??
      (isCommitId(point.theirs) ? null : 'theirs must be a full commit id');
    if (problem) throw new InvalidRequestError(`driver point of task ${shown(String(point.id))}: ${problem}`);
  }
}

/**
 * Keeps the batch's driver points that could be true of this hub: of a task it holds, past that
 * status version, or at it with that status (a repeat only renews its time). Then keeps the newest
 * DRIVER_POINTS_KEPT of the repo and none older than the age: a note is evidence a clone may
 * lack, never a record the rules count on, so the hub need not say it dropped one. Returns how many
 * it kept.
 */
export async function recordDriverPoints(tx: SqlDriver, batch: SyncBatch, retention: Retention, now: string): Promise<number> {
  let kept = 0;
  for (const point of batch.driverPoints ?? []) {
    const inserted = await tx.all(
      `INSERT INTO driver_points (repo, task_id, status, status_version, parent, theirs, at)
       SELECT repo, id, ?, ?, ?, ?, ? FROM tasks
       WHERE repo = ? AND id = ? AND (status_version > ? OR (status_version = ? AND status = ?))
       ON CONFLICT (repo, task_id, status_version, parent, theirs) DO UPDATE SET at = excluded.at RETURNING seq`,
      [point.status, point.statusVersion, point.parent, point.theirs, now, batch.repo, point.id, point.statusVersion, point.statusVersion, point.status],
    );
    kept += inserted.length;
  }
  if (kept === 0) return 0;
  await dropExpired(tx, 'driver_points', batch.repo, { kept: DRIVER_POINTS_KEPT, maxAgeMs: 0, now });
  if (retention.maxAgeMs > 0) {
    await tx.run('DELETE FROM driver_points WHERE repo = ? AND at <= ?', [batch.repo, new Date(Date.parse(now) - retention.maxAgeMs).toISOString()]);
  }
  return kept;
}

/** The repo's driver points, oldest first; with `ids`, those tasks'. */
export async function readHubDriverPoints(tx: SqlDriver, repo: string, ids?: readonly string[]): Promise<DriverPoint[]> {
  const columns = 'seq, task_id, status, status_version, parent, theirs, at';
  const rows = ids
    ? (
        await eachIdList(tx, ids, (inList, values) =>
          tx.all<DriverPointRow & { seq: number }>(`SELECT ${columns} FROM driver_points WHERE repo = ? AND task_id ${inList}`, [repo, ...values]),
        )
      )
        .flat()
        .sort((a, b) => Number(a.seq) - Number(b.seq))
    : await tx.all<DriverPointRow>(`SELECT ${columns} FROM driver_points WHERE repo = ? ORDER BY seq`, [repo]);
  return rows.map((r) => ({ id: r.task_id, status: r.status, statusVersion: Number(r.status_version), parent: r.parent, theirs: r.theirs, at: r.at }));
}
