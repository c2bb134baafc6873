import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { LAYOUTS_PER_REQUEST } from '../src/hub/layout.js';
import { openStore } from '../src/hub/open.js';
import type { Hub, RepoState, SyncBatch, TaskChange } from '../src/hub/types.js';
import { batchParts } from '../src/reconcile/batch-parts.js';
import { reconcileRepo } from '../src/sync/reconcile-repo.js';
import { openRepo } from '../src/repo.js';
import { httpHubOver, sqliteStore } from './helpers/hubs.js';
import { scene } from './helpers/scene.js';

const FIX = { mode: 'fix', writeback: true, pull: false } as const;
const SHA = (n: number) => n.toString(16).padStart(40, '0');
const codes = (report: { findings: { code: string; severity: string }[] }) => report.findings.map((f) => `${f.code} ${f.severity}`);

test('a batch in parts: every change once and in order, each part within the budget, the run record only in the last', () => {
  const changes: TaskChange[] = Array.from({ length: 500 }, (_, i) => ({ id: `T-${i}`, expectedVersion: 0, status: 'todo', title: 'x'.repeat(i % 97) }));
  const batch: SyncBatch = { repo: 'acme', by: 'ws', why: 'run', changes, run: { commit: SHA(1), upstream: null, skipped: ['Z'] } };
  const parts = batchParts(batch, 4096);
  assert.equal(parts.length, 14);
  assert.deepEqual(
    parts.flatMap((p) => p.changes),
    changes,
  );
  for (const part of parts) {
    assert.ok(Buffer.byteLength(JSON.stringify(part)) <= 4096 + 200, `a part of ${Buffer.byteLength(JSON.stringify(part))} bytes`);
    assert.deepEqual([part.repo, part.by, part.why], ['acme', 'ws', 'run']);
  }
  assert.deepEqual(
    parts.map((p) => p.run !== undefined),
    [...parts.slice(1).map(() => false), true],
  );
  assert.deepEqual(batchParts(batch, 10 * 1024 * 1024), [batch], 'a small batch is one part');
  const onlyRun = batchParts({ repo: 'acme', by: 'ws', changes: [], run: batch.run });
  assert.deepEqual(onlyRun, [{ repo: 'acme', by: 'ws', changes: [], run: batch.run }]);
});

test('layouts follow the changes, never split, and no part carries more than the contract takes (many small ones: files emptied)', () => {
  const changes: TaskChange[] = [{ id: 'A', expectedVersion: 0, status: 'todo' }];
  const layouts = Array.from({ length: 2 * LAYOUTS_PER_REQUEST + 5 }, (_, i) => ({ file: `gone-${i}.md`, workplan: null, ids: [] }));
  const parts = batchParts({ repo: 'acme', by: 'ws', changes, layouts, run: { commit: SHA(1), upstream: null, skipped: [] } });
  assert.deepEqual(
    parts.map((p) => [p.changes.length, p.layouts?.length ?? 0, p.run !== undefined]),
    [
      [1, LAYOUTS_PER_REQUEST, false],
      [0, LAYOUTS_PER_REQUEST, false],
      [0, 5, true],
    ],
  );
  assert.deepEqual(
    parts.flatMap((p) => p.layouts ?? []),
    layouts,
  );
});

/** A workplan of `count` tasks whose titles make each change in a batch about a kilobyte. */
async function bigScene(t: TestContext, count: number) {
  const tasks = Array.from({ length: count }, (_, i) => ({ id: `T-${i}`, status: 'todo', title: `Task ${i} ${'words '.repeat(150)}`.trim() }));
  return scene(t, tasks);
}

test('over HTTP, a first run of more tasks than one 4 MiB request holds creates all of them and settles', async (t) => {
  const s = await bigScene(t, 4500);
  const { hub } = await httpHubOver(t, await sqliteStore(t));
  const repo = await openRepo(s.workstation.dir);
  const report = await reconcileRepo(repo, FIX, { hub, hostname: 'h', machine: 'm' });
  assert.deepEqual(
    codes(report).filter((c) => !c.endsWith('INFO')),
    [],
    JSON.stringify(report.findings).slice(0, 500),
  );
  const state = (await hub.readRepo('acme')) as RepoState;
  assert.equal(state.tasks.length, 4500);
  assert.equal(state.runs.length, 1, 'one run record, after the last part');
  assert.ok(report.settled, 'nothing else came in between the parts');
  assert.equal(report.settled.etag, state.etag);
  const again = await reconcileRepo(repo, FIX, { hub, hostname: 'h', machine: 'm' });
  assert.deepEqual([codes(again).filter((c) => !c.endsWith('INFO')), again.actions], [[], []]);
});

test('over HTTP, a batch the hub refuses as too large is reported as that, not as a hub that is down', async (t) => {
  const s = await bigScene(t, 4500);
  const { hub } = await httpHubOver(t, await sqliteStore(t));
  const repo = await openRepo(s.workstation.dir);
  const report = await reconcileRepo(repo, FIX, { hub, hostname: 'h', machine: 'm', partBytes: 64 * 1024 * 1024 });
  const c23 = report.findings.find((f) => f.code === 'C-23');
  assert.match(c23?.message ?? '', /^hub refused the batch, nothing written: .*too large \(413\)/);
});

/** A repo with tasks A–F synced, on the embedded store, and a hub adapter that counts the batches it passes on. */
async function synced(t: TestContext) {
  const s = await scene(
    t,
    ['A', 'B', 'C', 'D', 'E', 'F'].map((id) => ({ id, status: 'todo' })),
  );
  const store = await openStore(s.env.CUSTODIAN_HUB!);
  t.after(() => store.close());
  const repo = await openRepo(s.workstation.dir);
  await reconcileRepo(repo, FIX, { hub: store, hostname: 'h', machine: 'm' });
  return { s, store, repo, ws: s.workstation };
}

test('a part refused for a stale version is a refused batch: the parts before it hold, the run re-reads and re-plans, nothing is overwritten', async (t) => {
  const { s, store, repo, ws } = await synced(t);
  for (const id of ['A', 'B', 'C', 'D', 'E', 'F']) await ws.edit(id, 'in_progress');
  const sent: SyncBatch[] = [];
  // An agent changes F between the first part and the second.
  const racingHub: Hub = Object.assign(Object.create(store) as Hub, {
    sync: async (batch: SyncBatch) => {
      sent.push(batch);
      if (sent.length === 2) await store.setStatus({ repo: 'acme', id: 'F', status: 'blocked', by: 'agent' });
      return store.sync(batch);
    },
  });
  const runsBefore = ((await store.readRepo('acme')) as RepoState).runs.length;
  const report = await reconcileRepo(repo, FIX, { hub: racingHub, hostname: 'h', machine: 'm', partBytes: 700 });
  const firstTry = sent.findIndex((b) => b.run);
  assert.ok(sent.length > 3 && firstTry > 0, `the batch went in parts: ${sent.map((b) => b.changes.map((c) => c.id).join('')).join(' | ')}`);
  assert.ok(
    sent.slice(0, firstTry).every((b) => !b.run),
    'no run record before the last part of a batch',
  );
  assert.equal(await s.hubStatus('F'), 'blocked', "the agent's change was not overwritten");
  assert.equal(await ws.statusInFile('F'), 'blocked', 'the re-plan wrote it back');
  for (const id of ['A', 'B', 'C', 'D', 'E']) assert.equal(await s.hubStatus(id), 'in_progress');
  assert.ok(codes(report).includes('C-22 WARN'), JSON.stringify(report.findings));
  assert.equal(((await store.readRepo('acme')) as RepoState).runs.length, runsBefore + 1, 'one run record, from the batch that applied whole');
});

test('a hub that fails between parts: said so, nothing written back, and the next run finishes the job', async (t) => {
  const { s, store, repo, ws } = await synced(t);
  for (const id of ['A', 'B', 'C', 'D', 'E']) await ws.edit(id, 'done');
  await store.setStatus({ repo: 'acme', id: 'F', status: 'in_progress', by: 'agent' });
  let calls = 0;
  const failingHub: Hub = Object.assign(Object.create(store) as Hub, {
    sync: async (batch: SyncBatch) => {
      if (++calls === 2) throw new Error('connection reset');
      return store.sync(batch);
    },
  });
  const head = await ws.head();
  const report = await reconcileRepo(repo, FIX, { hub: failingHub, hostname: 'h', machine: 'm', partBytes: 700 });
  assert.match(
    report.findings.find((f) => f.code === 'C-23')?.message ?? '',
    /^hub unreachable, 1 of \d+ parts of the batch applied, the rest and any writeback wait for the next run: connection reset/,
  );
  assert.equal(report.settled, null);
  assert.equal(await ws.head(), head, 'no writeback landed');
  const next = await reconcileRepo(repo, FIX, { hub: store, hostname: 'h', machine: 'm', partBytes: 700 });
  assert.ok(next.settled, JSON.stringify(next.findings));
  for (const id of ['A', 'B', 'C', 'D', 'E']) assert.equal(await s.hubStatus(id), 'done');
  assert.equal(await ws.statusInFile('F'), 'in_progress');
});
