import pg from 'pg';
import { HubBusyError } from '../types.js';
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

/** PostgreSQL's "too many connections" and "starting up or shutting down". */
const BUSY_CODES = new Set(['53300', '57P03']);

/**
 * No connection to be had in time (every one of the pool in use, or the server refusing more)
 * means "busy", not a fault of the request: it becomes HubBusyError. Anything else is rethrown.
 */
function busyOr(error: unknown): never {
  const { message, code } = error as { message?: string; code?: string };
  if (/timeout exceeded when trying to connect|connection timeout/i.test(message ?? '') || BUSY_CODES.has(code ?? '')) {
    throw new HubBusyError(`no PostgreSQL connection free: ${message}`, { cause: error });
  }
  throw error;
}

function bound(client: Queryable, pool: pg.Pool): SqlDriver {
  return {
    dialect: 'postgres',
    slots: pool.options.max ?? 10,
    async all<T>(sql: string, params: readonly unknown[] = []) {
      return (await client.query(toPostgres(sql), params as unknown[]).catch(busyOr)).rows as T[];
    },
    async run(sql, params = []) {
      return (await client.query(toPostgres(sql), params as unknown[]).catch(busyOr)).rowCount ?? 0;
    },
    async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
      const connection = await pool.connect().catch(busyOr);
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

/**
 * A pool on `url`; `schema`, when given, is where every table lives (tests use one each), and
 * `pool` sizes the pool (tests make it small to exhaust it).
 */
export function openPostgres(url: string, schema?: string, pool: { max?: number; connectionTimeoutMillis?: number } = {}): SqlDriver {
  const connections = new pg.Pool({
    connectionString: url,
    max: pool.max ?? 10,
    connectionTimeoutMillis: pool.connectionTimeoutMillis ?? 5000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  connections.on('error', () => undefined);
  return bound(connections, connections);
}
