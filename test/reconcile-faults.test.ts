import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { openStore } from '../src/hub/open.js';
import type { Hub, SyncBatch } from '../src/hub/types.js';
import { reconcileRepo } from '../src/sync/reconcile-repo.js';
import type { ReconcileDeps } from '../src/sync/options.js';
import { openRepo } from '../src/repo.js';
import { scene } from './helpers/scene.js';

const FIX = { mode: 'fix', writeback: true, pull: false } as const;

async function setup(t: TestContext) {
  const s = await scene(t, [
    { id: 'A', status: 'todo' },
    { id: 'B', status: 'todo' },
  ]);
  const store = await openStore(s.env.CUSTODIAN_HUB!);
  t.after(() => store.close());
  const repo = await openRepo(s.workstation.dir);
  const deps: ReconcileDeps = { hub: store, hostname: 'testhost', machine: 'tester@testhost' };
  await reconcileRepo(repo, FIX, deps);
  return { s, store, repo, deps, ws: s.workstation };
}

const codes = (report: { findings: { code: string; severity: string }[] }) => report.findings.map((f) => `${f.code} ${f.severity}`);

test('a writeback commit that fails is reported; the rest of the run goes on', async (t) => {
  const { s, store, repo, deps, ws } = await setup(t);
  await store.setStatus({ repo: 'acme', id: 'A', status: 'done', by: 'agent' });
  await ws.edit('B', 'in_progress');
  const head = await ws.head();
  const report = await reconcileRepo(repo, FIX, { ...deps, prepareCommit: async () => Promise.reject(new Error('disk full')) });
  assert.ok(codes(report).includes('C-25 WARN'));
  assert.match(report.findings.find((f) => f.code === 'C-25')!.message, /writeback not committed, files left as they are: disk full/);
  assert.equal(await s.hubStatus('B'), 'in_progress', 'the push still went');
  assert.equal(await ws.head(), head);
  assert.equal(await ws.statusInFile('A'), 'todo');

  const next = await reconcileRepo(repo, FIX, deps);
  assert.deepEqual(codes(next), ['C-13 WARN'], 'the next run lands it');
  assert.equal(await ws.statusInFile('A'), 'done');
});

test('a held index.lock stops the writeback before anything moves; the next run lands it', async (t) => {
  const { store, repo, deps, ws } = await setup(t);
  await store.setStatus({ repo: 'acme', id: 'A', status: 'done', by: 'agent' });
  const lock = path.join(ws.dir, '.git', 'index.lock');
  await writeFile(lock, '');
  const head = await ws.head();
  const report = await reconcileRepo(repo, FIX, deps);
  assert.match(report.findings.find((f) => f.code === 'C-25')?.message ?? '', /index\.lock exists/);
  assert.equal(await ws.head(), head, 'the branch did not move');
  assert.equal(await ws.statusInFile('A'), 'todo');
  assert.equal(await ws.git('status', '--porcelain'), '', 'nothing half-written');

  await import('node:fs/promises').then((fs) => fs.rm(lock));
  const next = await reconcileRepo(repo, FIX, deps);
  assert.deepEqual(
    next.actions.map((a) => a.type),
    ['writeback', 'commit'],
  );
  assert.equal(await ws.statusInFile('A'), 'done');
  assert.equal(await ws.git('status', '--porcelain'), '');
});

test('a batch refused because an agent changed a task meanwhile is re-read and re-planned, never overwritten', async (t) => {
  const { s, store, repo, deps, ws } = await setup(t);
  await ws.edit('A', 'in_progress');
  let raced = false;
  const sent: SyncBatch[] = [];
  // The hub as the run sees it: an agent gets in between the run's read and its write, once.
  const racingHub: Hub = Object.assign(Object.create(store) as Hub, {
    sync: async (batch: SyncBatch) => {
      sent.push(batch);
      if (!raced) {
        raced = true;
        await store.setStatus({ repo: 'acme', id: 'A', status: 'blocked', by: 'agent' });
      }
      return store.sync(batch);
    },
  });
  const report = await reconcileRepo(repo, FIX, { ...deps, hub: racingHub });
  assert.ok(raced);
  // Both moved since the last agreement: the rank rule, the hub on a tie (blocked vs in_progress).
  assert.ok(codes(report).includes('C-22 WARN'), JSON.stringify(report.findings));
  assert.deepEqual(
    sent.map((batch) => batch.changes.find((c) => c.id === 'A')?.decidedByRank),
    [undefined, true],
    'the re-planned batch tells the hub that rank decided A',
  );
  assert.equal(await s.hubStatus('A'), 'blocked', "the agent's change was not overwritten");
  assert.equal(await ws.statusInFile('A'), 'blocked');
});

test('an agent changing another task between the read and the batch: the run does not settle, so the next hook writes it back', async (t) => {
  const { s, store, repo, deps, ws } = await setup(t);
  await ws.edit('A', 'in_progress');
  const racingHub: Hub = Object.assign(Object.create(store) as Hub, {
    sync: async (batch: SyncBatch) => {
      await store.setStatus({ repo: 'acme', id: 'B', status: 'done', by: 'agent' });
      return store.sync(batch);
    },
  });
  const report = await reconcileRepo(repo, FIX, { ...deps, hub: racingHub });
  assert.equal(await s.hubStatus('A'), 'in_progress');
  assert.equal(report.settled, null, 'the hub holds a change this run never saw');
  const next = await reconcileRepo(repo, FIX, deps);
  assert.deepEqual(codes(next), ['C-13 WARN']);
  assert.equal(await ws.statusInFile('B'), 'done');
  assert.ok(next.settled);
});

test('two runs racing in one clone: one reconciles, the other writes nothing', async (t) => {
  const { store, repo, deps, ws } = await setup(t);
  await store.setStatus({ repo: 'acme', id: 'A', status: 'done', by: 'agent' });
  const [one, two] = await Promise.all([reconcileRepo(repo, FIX, deps), reconcileRepo(repo, FIX, deps)]);
  const skipped = [one, two].filter((r) => r.findings.some((f) => /another custodian-hooks run is in progress/.test(f.message)));
  const commits = [one, two].flatMap((r) => r.actions.filter((a) => a.type === 'commit'));
  assert.equal(commits.length, 1, 'exactly one writeback commit');
  assert.ok(skipped.length <= 1);
  assert.equal(await ws.statusInFile('A'), 'done');
  assert.equal((await ws.git('log', '--oneline')).trim().split('\n').length, 2);
});
