import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { HttpHub } from '../src/hub/http-hub.js';
import { openStore } from '../src/hub/open.js';
import { startHub } from '../src/hub/serve.js';
import { redactLocation } from '../src/hub/location.js';
import { HubUnavailableError, InvalidRequestError, type HubTask, type RepoState } from '../src/hub/types.js';
import { reconcileRepo } from '../src/sync/reconcile-repo.js';
import { openRepo } from '../src/repo.js';
import { httpHubOver, postgresStore, PG_SKIP, sqliteStore } from './helpers/hubs.js';
import { hubAnswering, hubEndless, hubResettingIdle } from './helpers/rogue-hubs.js';
import { scene } from './helpers/scene.js';
import { tempDir } from './helpers/temp-repo.js';

const SHA = (n: number) => n.toString(16).padStart(40, '0');
const task = (over: Record<string, unknown> = {}): HubTask =>
  ({
    id: 'A',
    workplan: 'WP-1',
    title: 'Task A',
    priority: null,
    status: 'done',
    hubId: '0b7c1f1e-0000-4000-8000-000000000001',
    version: 2,
    statusVersion: 1,
    droppedThrough: null,
    updatedAt: '2026-01-01T00:00:00.000Z',
    updatedBy: 'agent',
    points: [{ status: 'todo', commit: SHA(1), upstream: null, origin: SHA(1), at: '2026-01-01T00:00:00.000Z', seq: 3, statusVersion: 0 }],
    ...over,
  }) as HubTask;
const state = (tasks: unknown[], over: Record<string, unknown> = {}) => ({
  repo: 'acme',
  etag: '"2.abc"',
  tasks,
  runs: [],
  rewrites: [],
  runsDropped: false,
  ...over,
});
const point = (over: Record<string, unknown>) => ({
  status: 'todo',
  commit: SHA(1),
  upstream: null,
  origin: SHA(1),
  at: 'x',
  seq: 1,
  statusVersion: 0,
  ...over,
});

describe('the HTTP client takes nothing from a hub that the contract does not allow', () => {
  const answers: [string, unknown, RegExp][] = [
    ['a status with lines after it', state([task({ status: 'done\n```\ninjected: true' })]), /tasks\.0\.status/],
    ['a version as text', state([task({ version: '2' })]), /tasks\.0\.version/],
    ['a fractional version', state([task({ version: 1.5 })]), /tasks\.0\.version/],
    ['a commit that is not hex', state([task({ points: [point({ commit: 'HEAD~1' })] })]), /tasks\.0\.points\.0\.commit/],
    ['a negative status version', state([task({ statusVersion: -1 })]), /tasks\.0\.statusVersion/],
    ['no status version', state([task({ statusVersion: undefined })]), /tasks\.0\.statusVersion/],
    ['a dropped seq as text', state([task({ droppedThrough: '4' })]), /tasks\.0\.droppedThrough/],
    ['a point without its seq', state([task({ points: [point({ seq: undefined })] })]), /tasks\.0\.points\.0\.seq/],
    ['a fractional point seq', state([task({ points: [point({ seq: 1.5 })] })]), /tasks\.0\.points\.0\.seq/],
    ['a point status version below 0', state([task({ points: [point({ statusVersion: -2 })] })]), /tasks\.0\.points\.0\.statusVersion/],
    ['no word on dropped runs', state([], { runsDropped: undefined }), /runsDropped/],
    ['an id that is a number', state([task({ id: 7 })]), /tasks\.0\.id/],
    ['an id with a NUL', state([task({ id: 'A\u0000' })]), /tasks\.0\.id/],
    ['an ETag with a line break', state([], { etag: '"1"\r\nx: y' }), /etag/],
    ['no tasks at all', { repo: 'acme', etag: '"1"' }, /tasks/],
  ];
  for (const [what, body, field] of answers) {
    test(`a read answering ${what} is a hub that answered nonsense, naming the field`, async (t) => {
      const url = await hubAnswering(t, () => ({ status: 200, body }));
      const hub = new HttpHub(url, 'token', { readRetries: 0 });
      await assert.rejects(
        hub.readRepo('acme'),
        (error: Error) => error instanceof HubUnavailableError && /outside the contract/.test(error.message) && field.test(error.message),
      );
    });
  }

  test('every other call is checked too: sync, status, history, repos', async (t) => {
    let syncs = 0;
    const url = await hubAnswering(t, (method, path) => {
      if (path.endsWith('/sync')) {
        syncs += 1;
        // First a version as text, then a point the hub numbered below 0.
        const [versions, points] = syncs === 1 ? [{ A: '2' }, []] : [{ A: 2 }, [{ id: 'A', seq: -1, statusVersion: 0 }]];
        return { status: 200, body: { ok: true, etag: '"2"', basis: '"1"', versions, points } };
      }
      if (method === 'PUT') return { status: 409, body: { error: 'stale', current: task({ status: 'finished' }) } };
      if (path.endsWith('/history')) return { status: 200, body: [{ taskId: 'A', from: null, to: 'todo', by: 'x', why: null, at: 5 }] };
      return { status: 200, body: [{ slug: 'acme', tasks: -1, revision: 1 }] };
    });
    const hub = new HttpHub(url, 'token', { readRetries: 0 });
    const nonsense = (field: RegExp) => (error: Error) => error instanceof HubUnavailableError && field.test(error.message);
    await assert.rejects(hub.sync({ repo: 'acme', by: 'ws', changes: [] }), nonsense(/versions\.A/));
    await assert.rejects(hub.sync({ repo: 'acme', by: 'ws', changes: [] }), nonsense(/points\.0\.seq/));
    await assert.rejects(hub.setStatus({ repo: 'acme', id: 'A', status: 'done', by: 'x' }), nonsense(/current\.status/));
    await assert.rejects(hub.history('acme', 'A'), nonsense(/0\.at/));
    await assert.rejects(hub.listRepos(), nonsense(/0\.tasks/));
  });

  test('a hub that answers a status with extra lines gets nothing into the files: the run reports it (C-23)', async (t) => {
    const s = await scene(t, [{ id: 'A', status: 'todo' }]);
    const before = await s.workstation.read();
    const url = await hubAnswering(t, () => ({ status: 200, body: state([task({ status: 'done\n```\n\n```task\nid: EVIL\nstatus: done' })]) }));
    const repo = await openRepo(s.workstation.dir);
    const report = await reconcileRepo(
      repo,
      { mode: 'fix', writeback: true, pull: false },
      { hub: new HttpHub(url, 'token', { readRetries: 0 }), hostname: 'h', machine: 'm' },
    );
    const c23 = report.findings.find((f) => f.code === 'C-23');
    assert.match(c23?.message ?? '', /outside the contract: tasks\.0\.status/, JSON.stringify(report.findings));
    assert.equal(await s.workstation.read(), before);
    assert.equal((await s.workstation.git('log', '--oneline')).trim().split('\n').length, 1, 'no commit');
  });
});

const kinds = [
  { name: 'SQLite', skip: false as const, store: sqliteStore },
  { name: 'PostgreSQL', skip: PG_SKIP, store: postgresStore },
];
for (const kind of kinds) {
  describe(`reading many tasks by id over HTTP (${kind.name})`, { skip: kind.skip }, () => {
    test('200 long ids, more than a request head holds, read exactly those tasks', async (t) => {
      const { hub } = await httpHubOver(t, await kind.store(t));
      const ids = Array.from({ length: 300 }, (_, i) => `${'long-task-name-'.repeat(6)}${i}`);
      const created = await hub.sync({ repo: 'acme', by: 'ws', changes: ids.map((id) => ({ id, expectedVersion: 0, status: 'todo', title: id })) });
      assert.ok(created.ok);
      const asked = ids.slice(0, 200);
      const some = (await hub.readRepo('acme', undefined, [...asked, 'nobody'])) as RepoState;
      assert.deepEqual(some.tasks.map((x) => x.id).sort(), [...asked].sort());
      assert.equal(some.etag, created.etag);
      assert.equal(await hub.readRepo('acme', created.etag, asked), 'not-modified');
      const few = (await hub.readRepo('acme', undefined, ids.slice(0, 2))) as RepoState;
      assert.deepEqual(
        few.tasks.map((x) => x.id),
        ids.slice(0, 2),
      );
      assert.deepEqual(((await hub.readRepo('acme', undefined, [])) as RepoState).tasks, [], 'no ids, no tasks, as the store answers');
    });

    test('POST …/tasks/query answers as the GET does, 304 included', async (t) => {
      const { hub, url } = await httpHubOver(t, await kind.store(t));
      const created = await hub.sync({ repo: 'acme', by: 'ws', changes: ['A', 'B', 'C'].map((id) => ({ id, expectedVersion: 0, status: 'todo' as const })) });
      assert.ok(created.ok);
      const post = (body: unknown) =>
        fetch(`${url}/v1/repos/acme/tasks/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answer = await post({ ids: ['A', 'C'] });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('etag'), created.etag);
      assert.deepEqual(
        ((await answer.json()) as RepoState).tasks.map((x) => x.id),
        ['A', 'C'],
      );
      assert.equal((await post({ ids: ['A'], ifNoneMatch: created.etag })).status, 304);
      // The GET compares If-None-Match as HTTP does: weak, a list, or any.
      for (const header of [`W/${created.etag}`, `"other", ${created.etag}`, '*']) {
        for (const query of ['', '?id=A']) {
          const got = await fetch(`${url}/v1/repos/acme/tasks${query}`, { headers: { 'if-none-match': header } });
          assert.equal(got.status, 304, `${query} with If-None-Match: ${header}`);
          assert.equal(got.headers.get('etag'), created.etag);
        }
      }
      assert.equal((await fetch(`${url}/v1/repos/acme/tasks?id=A`, { headers: { 'if-none-match': '"other"' } })).status, 200);
      assert.equal((await post({ ids: 'A' })).status, 400);
    });
  });
}

test('a batch over the body limit is reported as too large (413), not as a hub that is down', async (t) => {
  const { hub } = await httpHubOver(t, await sqliteStore(t));
  const changes = Array.from({ length: 6000 }, (_, i) => ({ id: `T-${i}`, expectedVersion: 0, status: 'todo' as const, title: 'x'.repeat(900) }));
  await assert.rejects(
    hub.sync({ repo: 'acme', by: 'ws', changes }),
    (error: Error) => error instanceof InvalidRequestError && /too large \(413\)/.test(error.message),
  );
});

test('a hub restarted on its port between two runs in one process: each run writes on connections of its own, so the next one lands', async (t) => {
  const file = path.join(await tempDir(t), 'hub.sqlite');
  let store = await openStore(file);
  const token = await store.createToken('ws');
  let running = await startHub(store);
  t.after(() => running.close());
  const port = Number(new URL(running.url).port);
  for (let run = 0; run < 6; run++) {
    // As the hook of a run: open, write, close. Then the operator restarts the hub.
    const hub = new HttpHub(running.url, token, { readRetries: 0 });
    const result = await hub.sync({ repo: 'acme', by: 'ws', changes: [{ id: `T-${run}`, expectedVersion: 0, status: 'todo', title: 'x' }] });
    assert.equal(result.ok, true, `run ${run}`);
    await hub.close();
    await running.close();
    store = await openStore(file);
    running = await startHub(store, { port });
  }
});

test('a kept-alive connection is let go before the keep-alive the hub announced runs out: a write is never sent on one the hub is closing', async (t) => {
  const url = await hubResettingIdle(t, () => ({ status: 200, body: { ok: true, etag: '"2"', basis: '"1"', versions: {}, points: [] } }));
  const hub = new HttpHub(url, 'token', { readRetries: 0 });
  t.after(() => hub.close());
  const batch = { repo: 'acme', by: 'ws', changes: [] };
  assert.equal((await hub.sync(batch)).ok, true);
  await new Promise((resolve) => setTimeout(resolve, 1200));
  assert.equal((await hub.sync(batch)).ok, true, 'a write (never retried) after the socket went idle');
});

test('an answer that never ends is refused once it passes the limit, not held until the deadline', async (t) => {
  const hub = new HttpHub(await hubEndless(t), 'cust_x', { timeoutMs: 60_000, readRetries: 0, maxAnswerBytes: 4 * 1024 * 1024 });
  t.after(() => hub.close());
  // The deadline would say it did not answer in time: this message is the limit's.
  await assert.rejects(hub.readRepo('acme'), (e: Error) => e instanceof HubUnavailableError && /with more than 4194304 bytes/.test(e.message));
});

test('credentials in a hub location are never printed', () => {
  assert.equal(redactLocation('http://user:s3cret@hub.example:7420/'), 'http://…@hub.example:7420/');
  assert.equal(redactLocation('https://tok3n@hub.example'), 'https://…@hub.example');
  assert.equal(redactLocation('postgres://u:p@ss@db/custodian?password=s3cret&sslmode=require'), 'postgres://…@db/custodian?password=…&sslmode=require');
  assert.equal(redactLocation('postgresql:///custodian?host=/run/pg&sslpassword=s3cret'), 'postgresql:///custodian?host=/run/pg&sslpassword=…');
  assert.equal(redactLocation('/home/me/hub@work.sqlite'), '/home/me/hub@work.sqlite');
  assert.equal(redactLocation('http://hub.example/path@x'), 'http://hub.example/path@x');
});
