import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RepoReadCache } from '../src/hub/read-cache.js';
import { createApp } from '../src/hub/server.js';
import { openPostgres } from '../src/hub/sql/postgres-driver.js';
import { SqlStore } from '../src/hub/sql-store.js';
import { InvalidRequestError, type RepoState, type SyncBatch } from '../src/hub/types.js';
import { PG_SKIP, PG_URL, pgSchema, sqliteStore } from './helpers/hubs.js';

const SHA = 'c'.repeat(40);
const created = (id: string, workplan = 'WP'): SyncBatch['changes'][number] => ({
  id,
  expectedVersion: 0,
  status: 'todo',
  workplan: { id: workplan, title: null },
  point: { status: 'todo', commit: SHA, upstream: null, origin: SHA },
});

/** A request body sent only when `finish` is called: its request holds its slot until then. */
function heldBody(bytes: Uint8Array) {
  let finish!: () => void;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      finish = () => {
        controller.enqueue(bytes);
        controller.close();
      };
    },
  });
  return { body, finish: () => finish() };
}

async function limitedScene(t: Parameters<typeof sqliteStore>[0], limits: { slots: number; queue: number; waitMs: number }) {
  const store = await sqliteStore(t);
  const token = await store.createToken('ws');
  const app = createApp(store, { limits });
  const authorization = `Bearer ${token}`;
  const holdSlot = () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ by: 'ws', changes: [created('HELD')] }));
    const held = heldBody(bytes);
    const response = app.request('/v1/repos/acme/sync', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(bytes.length), authorization },
      body: held.body,
      duplex: 'half',
    } as RequestInit);
    return { response, release: held.finish };
  };
  return { app, holdSlot };
}

test('a saturated hub answers 503 with Retry-After; health still answers', async (t) => {
  const { app, holdSlot } = await limitedScene(t, { slots: 1, queue: 0, waitMs: 60_000 });
  const held = holdSlot();
  await new Promise((resolve) => setImmediate(resolve));

  const refused = await app.request('/v1/repos/acme/tasks');
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get('retry-after'), '1');
  assert.match((await refused.json()).error, /busy/);
  assert.equal((await app.request('/v1/health')).status, 200, 'health bypasses the limiter');

  held.release();
  assert.equal((await held.response).status, 200);
  const read = await app.request('/v1/repos/acme/tasks');
  assert.equal(read.status, 200, 'the slot was given back');
  assert.deepEqual(
    ((await read.json()) as RepoState).tasks.map((x) => x.id),
    ['HELD'],
  );
});

test('a request waits in a short queue for a slot, and is refused when the queue is full or its wait is over', async (t) => {
  const { app, holdSlot } = await limitedScene(t, { slots: 1, queue: 1, waitMs: 60_000 });
  const held = holdSlot();
  await new Promise((resolve) => setImmediate(resolve));
  const waiting = app.request('/v1/repos/acme/tasks');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal((await app.request('/v1/repos')).status, 503, 'the queue holds one');
  held.release();
  assert.equal((await held.response).status, 200);
  assert.equal((await waiting).status, 200, 'the waiting request got the slot');

  const short = await limitedScene(t, { slots: 1, queue: 1, waitMs: 1 });
  const again = short.holdSlot();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal((await short.app.request('/v1/repos')).status, 503, 'refused once its wait is over');
  again.release();
  assert.equal((await again.response).status, 200);
});

test('an exhausted PostgreSQL pool answers 503, never 500', { skip: PG_SKIP }, async (t) => {
  const driver = openPostgres(PG_URL!, await pgSchema(t), { max: 1, connectionTimeoutMillis: 100 });
  const store = await SqlStore.open(driver, 'test-pg');
  t.after(() => store.close());
  const app = createApp(store);
  let free!: () => void;
  const holding = driver.transaction(() => new Promise<void>((resolve) => (free = resolve)));
  try {
    for (const path of ['/v1/repos/acme/tasks', '/v1/repos/acme/tasks/A/history', '/v1/repos']) {
      const response = await app.request(path);
      assert.equal(response.status, 503, path);
      assert.equal(response.headers.get('retry-after'), '1');
      assert.match((await response.json()).error, /busy.*PostgreSQL connection/);
    }
  } finally {
    free();
    await holding;
  }
  assert.equal((await app.request('/v1/repos/acme/tasks')).status, 200);
});

test('a big batch on SQLite lets the event loop turn, stays whole, and nobody reads it half-done', async (t) => {
  const store = await sqliteStore(t);
  // Thousands of workplans make the work before the faulty last change long; that change refuses the whole batch.
  const changes = Array.from({ length: 20_000 }, (_, i) => created(`T-${i}`, `WP-${i}`));
  changes.push({ ...created('LAST'), point: { status: 'done', commit: SHA, upstream: null, origin: SHA } });
  let seenDuring: Promise<unknown> | undefined;
  const turned = new Promise<void>((resolve) =>
    setImmediate(() => {
      seenDuring = store.listRepos();
      resolve();
    }),
  );
  const refused = store.sync({ repo: 'acme', by: 'ws', changes });
  const first = await Promise.race([
    turned.then(() => 'event loop'),
    refused.then(
      () => 'batch',
      () => 'batch',
    ),
  ]);
  assert.equal(first, 'event loop', 'the event loop turned while the batch was applied');
  await assert.rejects(refused, InvalidRequestError);
  assert.deepEqual(await seenDuring, [], 'a read made during the batch waits for its end');
  assert.deepEqual(await store.listRepos(), [], 'nothing of the refused batch stays');

  const accepted = await store.sync({ repo: 'acme', by: 'ws', changes: changes.slice(0, -1) });
  assert.ok(accepted.ok);
  assert.equal(((await store.readRepo('acme')) as RepoState).tasks.length, 20_000);
});

test('a hundred concurrent reads of an unchanged repo read and serialise it once', async (t) => {
  const store = await sqliteStore(t);
  assert.ok((await store.sync({ repo: 'acme', by: 'ws', changes: Array.from({ length: 2000 }, (_, i) => created(`T-${i}`)) })).ok);
  let loads = 0;
  const counted = new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (key === 'readRepo') {
        return (...args: Parameters<SqlStore['readRepo']>) => {
          loads++;
          return target.readRepo(...args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const app = createApp(counted);
  const responses = await Promise.all(Array.from({ length: 100 }, () => app.request('/v1/repos/acme/tasks')));
  const bodies = await Promise.all(responses.map((r) => r.text()));
  assert.ok(responses.every((r) => r.status === 200 && r.headers.get('content-type')?.startsWith('application/json')));
  assert.equal(new Set(bodies).size, 1);
  assert.deepEqual(JSON.parse(bodies[0]!), await store.readRepo('acme'));
  assert.equal(loads, 1, 'one read for a hundred requests');

  await store.setStatus({ repo: 'acme', id: 'T-7', status: 'done', by: 'agent' });
  const after = await app.request('/v1/repos/acme/tasks');
  const state = (await after.json()) as RepoState;
  assert.equal(state.tasks.find((x) => x.id === 'T-7')!.status, 'done', 'a write makes a new serialisation');
  assert.equal(after.headers.get('etag'), state.etag);
  assert.equal(loads, 2);
  assert.equal((await app.request('/v1/repos/acme/tasks', { headers: { 'if-none-match': state.etag } })).status, 304);
});

test('the read cache keeps the repos read last within its byte budget, and the newest however large', async () => {
  const cache = new RepoReadCache(2500);
  const loads: string[] = [];
  const state = (repo: string, size: number) => async (): Promise<RepoState> => {
    loads.push(repo);
    return { repo, etag: '"1"', tasks: [], runs: [], rewrites: [{ old: 'a'.repeat(size), new: 'b', changed: [] }], runsDropped: false };
  };
  await cache.read('a', '"1"', state('a', 1000));
  await cache.read('b', '"1"', state('b', 1000));
  await cache.read('a', '"1"', state('a', 1000));
  assert.deepEqual(loads, ['a', 'b'], 'both fit');
  await cache.read('c', '"1"', state('c', 1000));
  await cache.read('a', '"1"', state('a', 1000));
  await cache.read('b', '"1"', state('b', 1000));
  assert.deepEqual(loads, ['a', 'b', 'c', 'b'], 'b, read longest ago, made room for c');
  const huge = await cache.read('d', '"1"', state('d', 10_000));
  assert.equal(await cache.read('d', '"1"', state('d', 10_000)), huge, 'the newest is kept even over the budget');
  assert.deepEqual(loads, ['a', 'b', 'c', 'b', 'd']);
});
