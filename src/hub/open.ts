import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { SqlStore } from './sql-store.js';
import { hubToken } from './credentials.js';
import type { HttpHubOptions } from './http-hub.js';
import type { Retention } from './retention.js';
import { chooseHub, hubKind, redactLocation, type HubChoice } from './location.js';
import { HubUnavailableError, type Hub } from './types.js';

/** How a command opens its hub: `readOnly` for check mode, which promises to change nothing. */
export interface OpenOptions {
  http?: HttpHubOptions;
  readOnly?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** A hub that has heard of nothing, named as the one asked for: in memory, so nothing is created anywhere. */
async function emptyStore(location: string): Promise<SqlStore> {
  const { openSqlite } = await import('./sql/sqlite-driver.js');
  return SqlStore.open(openSqlite(':memory:'), redactLocation(location));
}

/** A store on a SQLite file or a `postgres://` URL; `retention` over the defaults (see Retention). */
export async function openStore(
  location: string,
  { readOnly = false, retention = {} }: { readOnly?: boolean; retention?: Partial<Retention> } = {},
): Promise<SqlStore> {
  const kind = hubKind(location, '--db');
  if (kind === 'http') throw new UserError(`--db: '${redactLocation(location)}' is an HTTP hub; a store is a SQLite file or a postgres:// URL`);
  if (kind === 'postgres') {
    const { openPostgres } = await import('./sql/postgres-driver.js');
    if (!readOnly) return SqlStore.open(openPostgres(location), redactLocation(location), { retention });
    // Check mode: read at the schema the database has, in sessions that refuse writes; a database
    // without our schema is a hub that has heard of nothing, and stays without it.
    const db = openPostgres(location, undefined, { readOnly: true });
    const [found] = await db.all<{ table: string | null }>("SELECT to_regclass('schema_migrations')::text AS table").catch(async (error: unknown) => {
      await db.close();
      throw error;
    });
    if (found?.table) return SqlStore.open(db, redactLocation(location), { migrate: false });
    await db.close();
    return emptyStore(location);
  }
  const { openSqlite } = await import('./sql/sqlite-driver.js');
  // A file not there yet is a hub that has heard of nothing: read as an empty store, created nowhere.
  if (readOnly && !existsSync(location)) return emptyStore(location);
  try {
    if (!readOnly) return await SqlStore.open(openSqlite(location), location, { retention });
    return await SqlStore.open(openSqlite(location, { readOnly: true }), location, { migrate: false });
  } catch (error) {
    throw notADatabase(location, error) ?? error;
  }
}

/** A SQLite file that is something else (notes, a folder): said as the user's mistake it is. */
function notADatabase(location: string, error: unknown): UserError | null {
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_NOTADB') return new UserError(`${location} is not a SQLite database: name the hub's file, or a new one`, 1);
  if (code === 'SQLITE_CANTOPEN') return new UserError(`${location} cannot be opened as a SQLite database (a folder, or a folder not there?)`, 1);
  return null;
}

/**
 * The chosen hub (see chooseHub), an HTTP hub with the user's token. A database that does not
 * answer is a hub that is down, as an HTTP hub would be: every call fails with why, and a run
 * reports it (C-23) instead of crashing.
 */
export async function openHub(choice: HubChoice = chooseHub(), { http = {}, readOnly = false, env = process.env }: OpenOptions = {}): Promise<Hub> {
  if (choice.kind === 'http') {
    const { HttpHub } = await import('./http-hub.js');
    return new HttpHub(choice.location, hubToken(choice.location, env), http);
  }
  try {
    return await openStore(choice.location, { readOnly });
  } catch (error) {
    if (error instanceof HubUnavailableError) return hubThatIsDown(redactLocation(choice.location), error);
    throw error;
  }
}

function hubThatIsDown(location: string, error: HubUnavailableError): Hub {
  const down = () => Promise.reject(error);
  return { location, readRepo: down, sync: down, setStatus: down, history: down, listRepos: down, close: async () => undefined };
}
