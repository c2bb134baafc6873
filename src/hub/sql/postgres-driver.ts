import { availableParallelism } from 'node:os';
import pg from 'pg';
import { redactLocation } from '../location.js';
import { HubBusyError, HubUnavailableError } from '../types.js';
import type { SqlDriver, Statement } from './driver.js';

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

/** The query pg sends: a named one is parsed and planned once per connection. */
const query = (sql: Statement, params: readonly unknown[]): pg.QueryConfig =>
  typeof sql === 'string'
    ? { text: toPostgres(sql), values: params as unknown[] }
    : { name: sql.name, text: toPostgres(sql.text), values: params as unknown[] };

/** PostgreSQL's "too many connections" and "starting up or shutting down". */
const BUSY_CODES = new Set(['53300', '57P03']);

/** SQLSTATE 40P01, and how many times a transaction it rolled back is run in all. */
const DEADLOCK_DETECTED = '40P01';
const DEADLOCK_ATTEMPTS = 3;

/**
 * SQLSTATE classes of a server that cannot serve us: connection exceptions, shutdown, no such
 * database, refused login, out of resources.
 */
const UNAVAILABLE = /^(08|57P|3D|28|53)/;

/**
 * What a failed query means for the hub. No connection to be had in time (every one of the pool
 * in use, or the server refusing more) is "busy", not a fault of the request: HubBusyError, a 503
 * the client may retry. A server that is down or missing is a hub that did not answer (C-23), not
 * a crash. Anything else is rethrown.
 */
function answered<T>(where: string, query: Promise<T>): Promise<T> {
  return query.catch((error: unknown) => {
    const { message } = error as { message?: string };
    const sqlState = error instanceof pg.DatabaseError ? error.code : undefined;
    if (/timeout exceeded when trying to connect/i.test(message ?? '') || BUSY_CODES.has(sqlState ?? '')) {
      throw new HubBusyError(`no PostgreSQL connection free: ${message}`, { cause: error });
    }
    // Without a SQLSTATE the server never answered: refused, reset, timed out, terminated.
    if (sqlState === undefined || UNAVAILABLE.test(sqlState)) throw new HubUnavailableError(`hub ${where} did not answer: ${message}`, { cause: error });
    throw error;
  });
}

function bound(client: Queryable, pool: pg.Pool, where: string): SqlDriver {
  return {
    dialect: 'postgres',
    slots: pool.options.max ?? defaultPoolSize(),
    async all<T>(sql: Statement, params: readonly unknown[] = []) {
      return (await answered(where, client.query(query(sql, params)))).rows as T[];
    },
    async run(sql, params = []) {
      return (await answered(where, client.query(query(sql, params)))).rowCount ?? 0;
    },
    async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const connection = await answered(where, pool.connect());
        // A connection lost while checked out reports it here as well as to the query in flight:
        // unheard, that event would end the process (a hub serving every clone among them).
        let lost: unknown;
        const onLost = (error: unknown) => {
          lost = error;
        };
        connection.on('error', onLost);
        try {
          await answered(where, connection.query('BEGIN'));
          const value = await fn(bound(connection, pool, where));
          await answered(where, connection.query('COMMIT'));
          return value;
        } catch (error) {
          await connection.query('ROLLBACK').catch(() => undefined);
          // Two writers that took row locks in different orders: the server chose this one to roll
          // back whole, so it is run again, as a client would send it again.
          if (attempt < DEADLOCK_ATTEMPTS && error instanceof pg.DatabaseError && error.code === DEADLOCK_DETECTED) continue;
          throw error;
        } finally {
          connection.off('error', onLost);
          // A lost connection goes, never back to the pool for the next request to fail on.
          connection.release(lost as Error | undefined);
        }
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * Connections by default: about two per core, PostgreSQL's own rule of thumb, and no fewer than
 * four nor more than sixteen. More only wait on each other's locks (every write bumps its repo's
 * row) and cost the server CPU for it: measured on two cores, 10 connections spent about 15% more
 * server CPU per update than 4, for no more updates. The hub lets as many requests at the store
 * as the pool has connections (SqlDriver.slots), so the rest wait in its queue, not in the server.
 */
export const defaultPoolSize = (cores = availableParallelism()): number => Math.min(16, Math.max(4, 2 * cores));

/**
 * A pool on `url`; `schema`, when given, is where every table lives (tests use one each), and
 * `pool` sizes the pool (tests make it small to exhaust it); `readOnly` makes every session refuse
 * writes, for check mode.
 */
export function openPostgres(url: string, schema?: string, pool: { max?: number; connectionTimeoutMillis?: number; readOnly?: boolean } = {}): SqlDriver {
  const connections = new pg.Pool({
    connectionString: url,
    max: pool.max ?? defaultPoolSize(),
    connectionTimeoutMillis: pool.connectionTimeoutMillis ?? 5000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  connections.on('error', () => undefined);
  // Queued before any query of ours on that connection; set here rather than in `options`, which a URL's own `?options=` may hold.
  if (pool.readOnly) connections.on('connect', (client) => void client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY').catch(() => undefined));
  return bound(connections, connections, redactLocation(url));
}
