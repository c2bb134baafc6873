import type { TaskFilter } from '../dashboard/model.js';
import type { SqlDriver } from './driver.js';
import { marks } from './rows.js';

/** Up to this many matching tasks, a workplan page sorts them; past it, it walks an index in order (a test may lower it to walk small pages). */
const FEW_MATCHES = 20_000;

/** The filter as conditions on the task `t`: the first is the repo alone. */
function conditions(filter: TaskFilter): { where: string[]; params: unknown[] } {
  const where = ['t.repo = ?', filter.workplan === null ? 't.workplan IS NULL' : 't.workplan = ?'];
  const params: unknown[] = filter.workplan === null ? [filter.repo] : [filter.repo, filter.workplan];
  if (filter.statuses.length > 0) {
    where.push(`t.status IN (${marks(filter.statuses.length)})`);
    params.push(...filter.statuses);
  }
  if (filter.text) {
    const pattern = `%${filter.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push("(LOWER(t.id) LIKE ? ESCAPE '\\' OR LOWER(t.title) LIKE ? ESCAPE '\\')");
    params.push(pattern, pattern);
  }
  return { where, params };
}

type Walk = (descending: boolean, limit: number, offset: number) => Promise<string[]>;

/**
 * Rows `offset` to `offset + limit` of an ordered walk over `count` rows, walked from whichever
 * end is nearer: a deep page of a big workplan stops there instead of stepping over every row.
 */
async function nearerEnd(count: number, offset: number, limit: number, walk: Walk, few: number): Promise<string[]> {
  if (limit <= 0 || offset >= count) return [];
  if (count <= few || offset <= count / 2) return walk(false, limit, offset);
  const end = Math.min(count, offset + limit);
  return (await walk(true, end - offset, count - end)).reverse();
}

/**
 * The ids of one page of a workplan's tasks in file order: first the tasks its files hold, by
 * file and place, then the rest (in no file, or never laid out) in the order the hub first saw
 * them. Two ways to each order, each cheap where the other is not: a few matches are sorted; many
 * are found by walking an index in order, each row's task found by its key alone and the filter
 * tested on it, so no planner can make the walk read the whole workplan at every step
 * (PostgreSQL did, on tables not analysed since a bulk load, when the filter could pick the index).
 */
export async function pageIds(tx: SqlDriver, filter: TaskFilter, few = FEW_MATCHES): Promise<{ ids: string[]; matching: number }> {
  const { where, params } = conditions(filter);
  const [count] = await tx.all<{ n: number | string; placed: number | string }>(
    `SELECT COUNT(*) AS n, COUNT(t.place_file) AS placed FROM tasks t WHERE ${where.join(' AND ')}`,
    params,
  );
  const matching = Number(count?.n ?? 0);
  const placed = Number(count?.placed ?? 0);
  // The filter past the repo, tested on the row `key` names.
  const test = (key: string, extra: string) =>
    `(SELECT CASE WHEN ${[...where.slice(1), extra].join(' AND ')} THEN 1 ELSE 0 END FROM tasks t WHERE t.repo = ? AND t.id = ${key}) = 1`;
  const testArgs = [...params.slice(1), filter.repo];
  const inFiles: Walk = (descending, limit, offset) => {
    const order = descending ? ' DESC' : '';
    return placed <= few
      ? ids(
          tx,
          `SELECT t.id FROM tasks t WHERE ${where.join(' AND ')} AND t.place_file IS NOT NULL
           ORDER BY t.place_file${order}, t.place_position${order} LIMIT ? OFFSET ?`,
          [...params, limit, offset],
        )
      : ids(
          tx,
          `SELECT w.id FROM tasks w WHERE w.repo = ? AND ${filter.workplan === null ? 'w.workplan IS NULL' : 'w.workplan = ?'} AND w.place_file IS NOT NULL
             AND ${test('w.id', '1 = 1')}
           ORDER BY w.place_file${order}, w.place_position${order} LIMIT ? OFFSET ?`,
          [filter.repo, ...(filter.workplan === null ? [] : [filter.workplan]), ...testArgs, limit, offset],
        );
  };
  const rest: Walk = (descending, limit, offset) => {
    const order = descending ? ' DESC' : '';
    return matching - placed <= few
      ? ids(
          tx,
          `SELECT t.id, (SELECT MIN(h.seq) FROM history h WHERE h.repo = t.repo AND h.task_id = t.id) AS first_seen
           FROM tasks t WHERE ${where.join(' AND ')} AND t.place_file IS NULL ORDER BY first_seen${order}, t.id${order} LIMIT ? OFFSET ?`,
          [...params, limit, offset],
        )
      : ids(
          tx,
          `SELECT h.task_id AS id FROM history h WHERE h.repo = ? AND h.from_status IS NULL AND ${test('h.task_id', 't.place_file IS NULL')}
           ORDER BY h.seq${order} LIMIT ? OFFSET ?`,
          [filter.repo, ...testArgs, limit, offset],
        );
  };
  const first = await nearerEnd(placed, filter.offset, Math.min(filter.limit, placed - filter.offset), inFiles, few);
  const after = await nearerEnd(matching - placed, Math.max(0, filter.offset - placed), filter.limit - first.length, rest, few);
  return { ids: [...first, ...after], matching };
}

const ids = async (tx: SqlDriver, sql: string, args: unknown[]) => (await tx.all<{ id: string }>(sql, args)).map((r) => r.id);
