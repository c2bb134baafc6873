import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { HttpHub } from '../../src/hub/http-hub.js';
import { startHub } from '../../src/hub/serve.js';
import { openPostgres } from '../../src/hub/sql/postgres-driver.js';
import { openSqlite } from '../../src/hub/sql/sqlite-driver.js';
import { SqlStore, type StoreOptions } from '../../src/hub/sql-store.js';
import type { Hub } from '../../src/hub/types.js';
import { tempDir } from './temp-repo.js';

/** PostgreSQL tests run when this is set (.ci/run sets it); otherwise they say why they skip. */
export const PG_URL = process.env.CUSTODIAN_TEST_PG;
export const PG_SKIP = PG_URL ? false : 'CUSTODIAN_TEST_PG is not set (e.g. postgres://postgres@127.0.0.1:5432/test)';

/** A fresh schema of its own on the test PostgreSQL, dropped when the test ends. */
export async function pgSchema(t: TestContext): Promise<string> {
  const schema = `custodian_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  t.after(async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA ${schema} CASCADE`);
    await c.end();
  });
  return schema;
}

export async function sqliteStore(t: TestContext, options: StoreOptions = {}): Promise<SqlStore> {
  const store = await SqlStore.open(openSqlite(path.join(await tempDir(t), 'hub.sqlite')), 'test', options);
  t.after(() => store.close());
  return store;
}

export async function postgresStore(t: TestContext, options: StoreOptions = {}): Promise<SqlStore> {
  const store = await SqlStore.open(openPostgres(PG_URL!, await pgSchema(t)), 'test-pg', options);
  t.after(() => store.close());
  return store;
}

/** A real hub server on a loopback port over `store`, and a client with a valid token. */
export async function httpHubOver(t: TestContext, store: SqlStore): Promise<{ hub: HttpHub; url: string; token: string }> {
  const token = await store.createToken(`tester-${randomBytes(3).toString('hex')}`);
  const running = await startHub(store);
  t.after(() => running.close());
  return { hub: new HttpHub(running.url, token), url: running.url, token };
}

export interface HubKind {
  name: string;
  skip: string | false;
  open(t: TestContext): Promise<Hub>;
}

/** Every way the contract is served; each contract test runs against all of them. */
export const HUB_KINDS: HubKind[] = [
  { name: 'embedded SQLite store', skip: false, open: (t) => sqliteStore(t) },
  { name: 'HTTP hub on SQLite', skip: false, open: async (t) => (await httpHubOver(t, await sqliteStore(t))).hub },
  { name: 'HTTP hub on PostgreSQL', skip: PG_SKIP, open: async (t) => (await httpHubOver(t, await postgresStore(t))).hub },
];

/** What schemas 10 (layouts), 11 (driver points) and 12 (restated points) added, taken away again: for tests that rebuild an older database. */
export const UNDO_SCHEMAS_10_ON = [
  'ALTER TABLE sync_points DROP COLUMN restates',
  'DROP TABLE driver_points',
  'DROP INDEX tasks_in_file_order',
  'ALTER TABLE tasks DROP COLUMN place_file',
  'ALTER TABLE tasks DROP COLUMN place_position',
  'DROP TABLE task_places',
  'DROP TABLE layouts',
];

/**
 * `hub` as a hub from before `feature` answers for it: its reads leave that key out, and its batches
 * go to `sync` (which refuses what such a hub would refuse). Closing it closes `hub`.
 */
export function olderHub(hub: Hub, feature: 'driverPoints' | 'restatements', sync: Hub['sync']): Hub {
  return {
    location: hub.location,
    readRepo: async (...args) => {
      const state = await hub.readRepo(...args);
      if (state === 'not-modified') return state;
      const { [feature]: _, ...rest } = state;
      return rest;
    },
    sync,
    setStatus: (update) => hub.setStatus(update),
    history: (repo, id) => hub.history(repo, id),
    listRepos: (slug) => hub.listRepos(slug),
    close: () => hub.close(),
  };
}
