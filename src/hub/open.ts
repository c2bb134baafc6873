import { SqlStore } from './sql-store.js';
import type { HttpHubOptions } from './http-hub.js';
import { hubLocation } from './location.js';
import type { Hub } from './types.js';

const isPostgres = (location: string) => /^postgres(ql)?:\/\//.test(location);
const isHttp = (location: string) => /^https?:\/\//.test(location);

/** A store on a SQLite file or a `postgres://` URL. */
export async function openStore(location: string): Promise<SqlStore> {
  if (isPostgres(location)) {
    const { openPostgres } = await import('./sql/postgres-driver.js');
    return SqlStore.open(openPostgres(location), location.replace(/\/\/[^@/]*@/, '//…@'));
  }
  const { openSqlite } = await import('./sql/sqlite-driver.js');
  return SqlStore.open(openSqlite(location), location);
}

/** The configured hub: `CUSTODIAN_HUB` (http(s) URL, postgres URL or SQLite file), else the embedded store. */
export async function openHub(env: NodeJS.ProcessEnv = process.env, http: HttpHubOptions = {}): Promise<Hub> {
  const location = hubLocation(env);
  if (isHttp(location)) {
    const { HttpHub } = await import('./http-hub.js');
    return new HttpHub(location, env.CUSTODIAN_HUB_TOKEN, http);
  }
  return openStore(location);
}
