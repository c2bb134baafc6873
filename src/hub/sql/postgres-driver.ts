import pg from 'pg';
import type { SqlDriver } from './driver.js';

const numbered = new Map<string, string>();
/** `?` → `$1, $2, …` (statements here never hold a literal question mark). */
function toPostgres(sql: string): string {
  let text = numbered.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(sql, text);
  }
  return text;
}

type Queryable = pg.Pool | pg.PoolClient;

function bound(client: Queryable, pool: pg.Pool): SqlDriver {
  return {
    dialect: 'postgres',
    async all<T>(sql: string, params: readonly unknown[] = []) {
      return (await client.query(toPostgres(sql), params as unknown[])).rows as T[];
    },
    async run(sql, params = []) {
      return (await client.query(toPostgres(sql), params as unknown[])).rowCount ?? 0;
    },
    async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
      const connection = await pool.connect();
      try {
        await connection.query('BEGIN');
        const value = await fn(bound(connection, pool));
        await connection.query('COMMIT');
        return value;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/** A pool on `url`; `schema`, when given, is where every table lives (tests use one each). */
export function openPostgres(url: string, schema?: string): SqlDriver {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return bound(pool, pool);
}
