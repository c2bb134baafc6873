import type { SqlDriver } from './driver.js';

/** `count` placeholders: `?, ?, ?`. */
export const marks = (count: number) => (count > 0 ? `?${', ?'.repeat(count - 1)}` : '');

/**
 * Runs `statement` on `items` a few hundred at a time, in order: a batch of thousands of changes
 * is tens of statements, not tens of thousands of round trips.
 */
export async function inChunks<Item, Result>(items: readonly Item[], size: number, statement: (part: readonly Item[]) => Promise<Result>): Promise<Result[]> {
  const results: Result[] = [];
  for (let at = 0; at < items.length; at += size) results.push(await statement(items.slice(at, at + size)));
  return results;
}

/**
 * Runs `statement` with a condition that matches `ids` (`inList`, to follow a column) and the
 * values it binds: on SQLite `IN (?, …)` a few hundred ids at a time, on PostgreSQL one array,
 * `= ANY(?)`, so one statement planned once whatever the count.
 */
export async function eachIdList<Result>(
  tx: SqlDriver,
  ids: readonly string[],
  statement: (inList: string, values: readonly unknown[]) => Promise<Result>,
): Promise<Result[]> {
  if (tx.dialect === 'postgres') return ids.length === 0 ? [] : [await statement('= ANY(?)', [ids])];
  return inChunks(ids, 500, (part) => statement(`IN (${marks(part.length)})`, part));
}

/**
 * Inserts rows in their order: on PostgreSQL all in one statement, on SQLite as many to a
 * statement as keep it under 5,000 values. `into` is `table (column, …)`; `tail` may end in RETURNING.
 */
export async function insertRows<Row = never>(tx: SqlDriver, into: string, rows: readonly unknown[][], tail = ''): Promise<Row[]> {
  if (rows.length === 0) return [];
  if (tx.dialect === 'postgres') return insertAsJson<Row>(tx, into, rows, tail);
  const width = rows[0]?.length ?? 1;
  const row = `(${marks(width)})`;
  const parts = await inChunks(rows, Math.max(1, Math.floor(5000 / width)), (part) =>
    tx.all<Row>(`INSERT INTO ${into} VALUES ${marks(part.length).replaceAll('?', row)}${tail}`, part.flat()),
  );
  return parts.flat() as Row[];
}

/**
 * PostgreSQL takes the rows as one JSON parameter, typed by the table's own row type: one
 * statement planned once, where thousands of placeholders cost the server more than the rows.
 * The ordinality keeps the rows' order, so serial columns count up as they would one at a time.
 */
async function insertAsJson<Row>(tx: SqlDriver, into: string, rows: readonly unknown[][], tail: string): Promise<Row[]> {
  const [, table, list] = /^(\w+) \(([^)]*)\)$/.exec(into) ?? [];
  if (!table || !list) throw new Error(`insertRows: "${into}" is not "table (column, …)"`);
  const columns = list.split(',').map((c) => c.trim());
  const objects = rows.map((row) => Object.fromEntries(columns.map((column, at) => [column, row[at]])));
  return tx.all<Row>(
    `INSERT INTO ${into} SELECT ${columns.map((c) => `r.${c}`).join(', ')} FROM jsonb_populate_recordset(NULL::${table}, ?::jsonb) WITH ORDINALITY AS r ORDER BY r.ordinality${tail}`,
    [JSON.stringify(objects)],
  );
}
