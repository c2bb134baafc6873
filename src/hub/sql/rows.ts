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

/** Inserts rows in their order, as many to a statement as keep it under 5,000 values. `tail` may end in RETURNING. */
export async function insertRows<Row = never>(tx: SqlDriver, into: string, rows: readonly unknown[][], tail = ''): Promise<Row[]> {
  const width = rows[0]?.length ?? 1;
  const row = `(${marks(width)})`;
  const parts = await inChunks(rows, Math.max(1, Math.floor(5000 / width)), (part) =>
    tx.all<Row>(`INSERT INTO ${into} VALUES ${marks(part.length).replaceAll('?', row)}${tail}`, part.flat()),
  );
  return parts.flat() as Row[];
}
