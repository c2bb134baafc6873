import { SqlStore } from './sql-store.js';
import type { HttpHubOptions } from './http-hub.js';
import { hubLocation, redactLocation } from './location.js';
import { HubUnavailableError, type Hub } from './types.js';

const isPostgres = (location: string) => /^postgres(ql)?:\/\//.test(location);
const isHttp = (location: string) => /^https?:\/\//.test(location);

/** A store on a SQLite file or a `postgres://` URL. */
export async function openStore(location: string): Promise<SqlStore> {
  if (isPostgres(location)) {
    const { openPostgres } = await import('./sql/postgres-driver.js');
    return SqlStore.open(openPostgres(location), redactLocation(location));
  }
  const { openSqlite } = await import('./sql/sqlite-driver.js');
  return SqlStore.open(openSqlite(location), location);
}

/**
 * The configured hub: `CUSTODIAN_HUB` (http(s) URL, postgres URL or SQLite file), else the embedded
 * store. A database that does not answer is a hub that is down, as an HTTP hub would be: every
 * call fails with why, and a run reports it (C-23) instead of crashing.
 */
export async function openHub(env: NodeJS.ProcessEnv = process.env, http: HttpHubOptions = {}): Promise<Hub> {
  const location = hubLocation(env);
  if (isHttp(location)) {
    const { HttpHub } = await import('./http-hub.js');
    return new HttpHub(location, env.CUSTODIAN_HUB_TOKEN, http);
  }
  try {
    return await openStore(location);
  } catch (error) {
    if (error instanceof HubUnavailableError) return hubThatIsDown(redactLocation(location), error);
    throw error;
  }
}

function hubThatIsDown(location: string, error: HubUnavailableError): Hub {
  const down = () => Promise.reject(error);
  return { location, readRepo: down, sync: down, setStatus: down, history: down, listRepos: down, close: async () => undefined };
}
