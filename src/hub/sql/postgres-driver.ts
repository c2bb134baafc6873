import pg from 'pg';
import { redactLocation } from '../location.js';
import { HubUnavailableError } from '../types.js';
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

/**
 * SQLSTATE classes of a server that cannot serve us: connection exceptions, shutdown, no such
 * database, refused login, out of connections.
 */
const UNAVAILABLE = /^(08|57P|3D|28|53)/;

/** Makes a database that is down or missing a hub that did not answer (C-23), not a crash. */
function answered<T>(where: string, query: Promise<T>): Promise<T> {
  return query.catch((error: unknown) => {
    // Without a SQLSTATE the server never answered: refused, reset, timed out, terminated.
    const sqlState = error instanceof pg.DatabaseError ? error.code : undefined;
    if (sqlState === undefined || UNAVAILABLE.test(sqlState)) throw new HubUnavailableError(`hub ${where} did not answer: ${(error as Error).message}`, { cause: error });
    throw error;
  });
}

function bound(client: Queryable, pool: pg.Pool, where: string): SqlDriver {
  return {
    dialect: 'postgres',
    async all<T>(sql: string, params: readonly unknown[] = []) {
      return (await answered(where, client.query(toPostgres(sql), params as unknown[]))).rows as T[];
    },
    async run(sql, params = []) {
      return (await answered(where, client.query(toPostgres(sql), params as unknown[]))).rowCount ?? 0;
    },
    async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
      const connection = await answered(where, pool.connect());
      try {
        await answered(where, connection.query('BEGIN'));
        const value = await fn(bound(connection, pool, where));
        await answered(where, connection.query('COMMIT'));
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
  return bound(pool, pool, redactLocation(url));
}
