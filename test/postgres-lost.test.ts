import assert from 'node:assert/strict';
import net from 'node:net';
import { type TestContext, test } from 'node:test';
import { HttpHub } from '../src/hub/http-hub.js';
import { startHub } from '../src/hub/serve.js';
import { openPostgres } from '../src/hub/sql/postgres-driver.js';
import { SqlStore } from '../src/hub/sql-store.js';
import { HubUnavailableError, type SyncBatch } from '../src/hub/types.js';
import { PG_SKIP, PG_URL, pgSchema } from './helpers/hubs.js';
import { parseReport, scene } from './helpers/scene.js';

/**
 * A TCP relay to the test PostgreSQL that, while `cutting`, drops every connection that opens a
 * transaction (the simple-query `BEGIN`) right after relaying it: a server lost mid-transaction.
 */
async function cuttingRelay(t: TestContext): Promise<{ url: string; cut: (on: boolean) => void; cuts: () => number }> {
  const target = new URL(PG_URL!);
  let cutting = false;
  let cuts = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('data', (chunk) => {
      upstream.write(chunk);
      if (cutting && chunk.includes('BEGIN\0')) {
        cuts++;
        setImmediate(drop);
      }
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = new URL(PG_URL!);
  url.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return { url: url.href, cut: (on) => (cutting = on), cuts: () => cuts };
}

test('PostgreSQL lost in the middle of a transaction is a hub that did not answer, and the pool recovers', { skip: PG_SKIP }, async (t) => {
  const relay = await cuttingRelay(t);
  const db = openPostgres(relay.url, await pgSchema(t), { max: 1 });
  t.after(() => db.close());
  await db.run('CREATE TABLE rows (id TEXT PRIMARY KEY)');
  relay.cut(true);
  await assert.rejects(
    db.transaction((tx) => tx.run("INSERT INTO rows VALUES ('a')")),
    HubUnavailableError,
  );
  assert.equal(relay.cuts(), 1);
  relay.cut(false);
  // The one connection of the pool was lost: the next transaction gets a new one, not the dead one.
  await db.transaction((tx) => tx.run("INSERT INTO rows VALUES ('b')"));
  assert.deepEqual(await db.all('SELECT id FROM rows'), [{ id: 'b' }]);
});

test('a hub serving from PostgreSQL lives on when the server drops mid-sync: the client is told, the next sync lands', { skip: PG_SKIP }, async (t) => {
  const relay = await cuttingRelay(t);
  const store = await SqlStore.open(openPostgres(relay.url, await pgSchema(t)), 'lost-pg');
  t.after(() => store.close());
  const token = await store.createToken('tester');
  const running = await startHub(store);
  t.after(() => running.close());
  const hub = new HttpHub(running.url, token);
  const batch: SyncBatch = { repo: 'acme/app', by: 'tester', changes: [{ id: 'T-1', expectedVersion: 0, status: 'done', title: 'one' }] };
  relay.cut(true);
  await assert.rejects(hub.sync(batch), HubUnavailableError);
  assert.ok(relay.cuts() >= 1);
  relay.cut(false);
  await hub.sync(batch);
  const state = await hub.readRepo('acme/app');
  assert.equal(state !== 'not-modified' && state.tasks.find((task) => task.id === 'T-1')?.status, 'done');
});

test('run --fix against a PostgreSQL hub that drops mid-run: C-23, exit 0, no stack; the next run lands', { skip: PG_SKIP }, async (t) => {
  const relay = await cuttingRelay(t);
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  s.env.CUSTODIAN_HUB = `${relay.url}?options=${encodeURIComponent(`-c search_path=${await pgSchema(t)}`)}`;
  relay.cut(true);
  const lost = await s.workstation.run('--fix');
  assert.equal(lost.code, 0, lost.stderr);
  assert.ok(relay.cuts() >= 1);
  assert.match(parseReport(lost.stdout).findings.find((f) => f.code === 'C-23')?.message ?? '', /did not answer/);
  assert.ok(!`${lost.stdout}${lost.stderr}`.includes('this is a bug'), lost.stderr);
  relay.cut(false);
  const next = await s.workstation.run('--fix');
  assert.equal(next.code, 0, next.stderr);
  assert.deepEqual(
    parseReport(next.stdout).findings.map((f) => f.code),
    ['C-20'],
    'the task reaches the hub',
  );
});
