import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { reconcileRepo } from '../src/sync/reconcile-repo.js';
import type { TouchedScope } from '../src/hook/scope.js';
import { PLAN } from './helpers/scene.js';
import { OTHER, twoWorkplans } from './helpers/two-workplans.js';
import { commitFiles } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

const FIX = { mode: 'fix', writeback: true, pull: false } as const;
/** Two workplans, settled against the hub: what the hooks' fast path starts from. */
async function settledScene(t: TestContext) {
  const { s, ws, store, repo, deps } = await twoWorkplans(t);
  const first = await reconcileRepo(repo, FIX, deps);
  assert.ok(first.settled, 'the starting run settles');
  const touchedSince = (files: string[]): TouchedScope => ({ kind: 'touched', since: first.settled!.head, etag: first.settled!.etag, files });
  return { s, ws, store, repo, deps, touchedSince };
}

const filesRead = (report: { workplans: { file: string }[] }) => report.workplans.map((w) => w.file).sort();

test('a run told which workplans changed reads only those, reconciles them and settles', async (t) => {
  const { s, ws, repo, deps, touchedSince } = await settledScene(t);
  await commitFiles(
    ws.dir,
    {
      [PLAN]: workplan([
        { id: 'A', status: 'done' },
        { id: 'B', status: 'todo' },
        { id: 'E', status: 'todo' },
      ]),
    },
    'A done, E new',
  );
  const report = await reconcileRepo(repo, { ...FIX, scope: touchedSince([PLAN]) }, deps);
  assert.deepEqual(filesRead(report), [PLAN]);
  assert.deepEqual(report.actions.map((a) => `${a.type} ${'taskId' in a ? a.taskId : ''}`).sort(), ['create E', 'push A']);
  assert.equal(await s.hubStatus('A'), 'done');
  assert.equal(await s.hubStatus('E'), 'todo');
  assert.equal(report.settled?.head, await ws.head());

  // Everything agrees: a full run afterwards finds nothing to do.
  const full = await reconcileRepo(repo, FIX, deps);
  assert.deepEqual(full.actions, []);
  assert.deepEqual(filesRead(full), [OTHER, PLAN]);
});

test('a task taken out of a touched workplan is reported as in no file', async (t) => {
  const { ws, repo, deps, touchedSince } = await settledScene(t);
  await commitFiles(ws.dir, { [PLAN]: workplan([{ id: 'A', status: 'todo' }]) }, 'B dropped');
  const report = await reconcileRepo(repo, { ...FIX, scope: touchedSince([PLAN]) }, deps);
  assert.deepEqual(filesRead(report), [PLAN]);
  assert.deepEqual(
    report.findings.filter((f) => f.taskId === 'B').map((f) => f.code),
    ['C-21'],
  );
});

test('a new id in a touched workplan that the hub knows makes the run read everything: it may be a duplicate', async (t) => {
  const { ws, repo, deps, touchedSince } = await settledScene(t);
  await commitFiles(
    ws.dir,
    {
      [PLAN]: workplan([
        { id: 'A', status: 'todo' },
        { id: 'B', status: 'todo' },
        { id: 'C', status: 'done' },
      ]),
    },
    'C here too',
  );
  const report = await reconcileRepo(repo, { ...FIX, scope: touchedSince([PLAN]) }, deps);
  assert.deepEqual(filesRead(report), [OTHER, PLAN]);
  assert.deepEqual(
    report.findings
      .filter((f) => f.taskId === 'C')
      .map((f) => `${f.code} ${f.file}`)
      .sort(),
    [`C-05 ${OTHER}`, `C-05 ${PLAN}`],
  );
  assert.equal(report.settled, null);
});

test('a hub that moved since the settled run makes the run read everything', async (t) => {
  const { ws, store, repo, deps, touchedSince } = await settledScene(t);
  await commitFiles(
    ws.dir,
    {
      [PLAN]: workplan([
        { id: 'A', status: 'in_progress' },
        { id: 'B', status: 'todo' },
      ]),
    },
    'A started',
  );
  await store.setStatus({ repo: 'acme', id: 'C', status: 'done', by: 'agent' });
  const report = await reconcileRepo(repo, { ...FIX, scope: touchedSince([PLAN]) }, deps);
  assert.deepEqual(filesRead(report), [OTHER, PLAN]);
  assert.deepEqual(report.actions.flatMap((a) => ('taskId' in a ? [`${a.type} ${a.taskId}`] : [])).sort(), ['push A', 'writeback C']);
  assert.equal(/id: C\nstatus: (\w+)/.exec(await ws.read(OTHER))?.[1], 'done');
});

test('a touched workplan with uncommitted changes is skipped, and the run does not settle', async (t) => {
  const { ws, repo, deps, touchedSince } = await settledScene(t);
  await commitFiles(
    ws.dir,
    {
      [PLAN]: workplan([
        { id: 'A', status: 'done' },
        { id: 'B', status: 'todo' },
      ]),
    },
    'A done',
  );
  await ws.write(`${await ws.read()}\nMore.\n`);
  const report = await reconcileRepo(repo, { ...FIX, scope: touchedSince([PLAN]) }, deps);
  assert.deepEqual(
    report.findings.map((f) => `${f.code} ${f.file ?? ''}`),
    [`C-14 ${PLAN}`],
  );
  assert.deepEqual(report.actions, []);
  assert.equal(report.settled, null);
});
