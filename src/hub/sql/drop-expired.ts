import type { SqlDriver } from './driver.js';
import { eachIdList } from './rows.js';

/**
 * Deletes the rows of `table` in `repo` that are past the newest `kept` (with `tasks`: of each of
 * those tasks) and no younger than `maxAgeMs` at `now`; returns what it deleted.
 */
export async function dropExpired(
  tx: SqlDriver,
  table: 'runs' | 'rewrites' | 'sync_points' | 'driver_points',
  repo: string,
  { kept, maxAgeMs, now }: { kept: number; maxAgeMs: number; now: string },
  tasks?: readonly string[],
): Promise<{ seq: number; task_id?: string }[]> {
  // Age 0 protects nothing, whatever the clock did between two writes.
  const aged = maxAgeMs > 0 ? [new Date(Date.parse(now) - maxAgeMs).toISOString()] : [];
  const trim = (inList: string, values: readonly unknown[]) =>
    tx.all<{ seq: number; task_id?: string }>(
      `DELETE FROM ${table} WHERE seq IN (SELECT seq FROM (SELECT seq, at, ROW_NUMBER() OVER (${tasks ? 'PARTITION BY task_id ' : ''}ORDER BY seq DESC) AS newer
       FROM ${table} WHERE repo = ?${tasks ? ` AND task_id ${inList}` : ''}) ranked WHERE newer > ?${aged.length ? ' AND at <= ?' : ''})
       RETURNING seq${tasks ? ', task_id' : ''}`,
      [repo, ...values, kept, ...aged],
    );
  return tasks ? (await eachIdList(tx, tasks, trim)).flat() : trim('', []);
}
