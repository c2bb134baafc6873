import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { git } from '../src/git/run.js';
import { LAYOUT_IDS_MAX, layoutDigest } from '../src/hub/layout.js';
import { openStore } from '../src/hub/open.js';
import { openSqlite } from '../src/hub/sql/sqlite-driver.js';
import { pageIds } from '../src/hub/sql/task-page.js';
import type { RepoState } from '../src/hub/types.js';
import { layoutsToSend } from '../src/reconcile/layouts.js';
import { reconcileRepo } from '../src/sync/reconcile-repo.js';
import { PLAN } from './helpers/scene.js';
import { sqliteStore } from './helpers/hubs.js';
import { commitFiles, tempDir } from './helpers/temp-repo.js';
import { OTHER, twoWorkplans } from './helpers/two-workplans.js';
import { workplan } from './helpers/workplan-text.js';

const FIX = { mode: 'fix', writeback: true, pull: false } as const;

test('a run sends the layouts that differ from the hub, and empties the laid-out files it finds gone', () => {
  const read = [
    { file: 'a.md', workplan: 'WP-A', ids: ['A1', 'A2'] },
    { file: 'b.md', workplan: 'WP-B', ids: ['B1', 'B1', 'bad\tid', 'B2'] },
  ];
  const hub = {
    'a.md': layoutDigest({ workplan: 'WP-A', ids: ['A1', 'A2'] }),
    'gone.md': layoutDigest({ workplan: 'WP-G', ids: ['G1'] }),
    'untouched.md': layoutDigest({ workplan: 'WP-U', ids: ['U1'] }),
  };
  assert.deepEqual(layoutsToSend(read, null, hub), [
    { file: 'b.md', workplan: 'WP-B', ids: ['B1', 'B2'] },
    { file: 'gone.md', workplan: null, ids: [] },
    { file: 'untouched.md', workplan: null, ids: [] },
  ]);
  assert.deepEqual(
    layoutsToSend(read, ['a.md', 'b.md', 'gone.md'], hub).map((l) => l.file),
    ['b.md', 'gone.md'],
    'a run that read some files knows nothing of the others',
  );
  assert.deepEqual(
    layoutsToSend([], null, { ...hub, 'gone.md': layoutDigest({ workplan: null, ids: [] }) }).map((l) => l.file),
    ['a.md', 'untouched.md'],
    'a file already emptied is not sent again',
  );
  assert.deepEqual(layoutsToSend(read, null, undefined), [], 'a hub that keeps no layouts is sent none');
});

/** Two workplan files and an embedded hub, with a way to list a workplan as the dashboard does. */
async function laidOutScene(t: TestContext) {
  const { s, ws, store, repo, deps } = await twoWorkplans(t);
  // Layouts come from the team's commit: what is pushed (see RunFacts.shared).
  const push = () => ws.git('push', '-q', 'origin', 'main');
  await push();
  const run = (options = {}) => reconcileRepo(repo, { ...FIX, ...options }, deps);
  const page = async (workplanId: string) =>
    (await store.taskPage({ repo: repo.slug, workplan: workplanId, statuses: [], text: '', offset: 0, limit: 100 })).tasks.map(
      (task) => `${task.id}${task.inNoFile ? ' (in no file)' : ''}`,
    );
  const state = async () => (await store.readRepo(repo.slug)) as RepoState;
  return { s, ws, store, repo, run, page, state, push };
}

test('a fix run lays out every workplan file; a run with nothing new sends nothing, and the ETag stays', async (t) => {
  const { run, page, state } = await laidOutScene(t);
  const first = await run();
  assert.ok(first.settled);
  assert.deepEqual(await page(PLAN), ['A', 'B']);
  assert.deepEqual(await page(OTHER), ['C', 'D']);
  const before = await state();
  assert.deepEqual(before.layouts, {
    [PLAN]: layoutDigest({ workplan: PLAN, ids: ['A', 'B'] }),
    [OTHER]: layoutDigest({ workplan: OTHER, ids: ['C', 'D'] }),
  });
  await run();
  assert.equal((await state()).etag, before.etag, 'the same layouts are not sent again');
});

test('a block moved to another file and a file deleted: the hub follows, and the tasks no file holds are in no file (C-21)', async (t) => {
  const { ws, run, page, push } = await laidOutScene(t);
  const settled = (await run()).settled!;
  // B moves to the other file, after C and D; a run told which files changed reads those two.
  await commitFiles(
    ws.dir,
    {
      [PLAN]: workplan([{ id: 'A', status: 'todo' }]),
      [OTHER]: workplan([
        { id: 'C', status: 'todo' },
        { id: 'D', status: 'in_progress' },
        { id: 'B', status: 'todo' },
      ]),
    },
    'B moves',
  );
  await push();
  const moved = await run({ scope: { kind: 'touched', since: settled.head, etag: settled.etag, files: [PLAN, OTHER] } });
  assert.ok(moved.settled);
  assert.deepEqual(await page(PLAN), ['A']);
  assert.deepEqual(await page(OTHER), ['C', 'D', 'B']);

  await rm(path.join(ws.dir, OTHER));
  await git(ws.dir, ['commit', '-qam', 'the other plan is dropped']);
  await push();
  const dropped = await run({ scope: { kind: 'touched', since: moved.settled!.head, etag: moved.settled!.etag, files: [OTHER] } });
  assert.ok(dropped.settled);
  assert.deepEqual(await page(OTHER), ['C (in no file)', 'D (in no file)', 'B (in no file)']);
  assert.deepEqual(await page(PLAN), ['A'], 'a file the run was not told of keeps its layout');
  const full = await run();
  assert.deepEqual(
    full.findings.filter((f) => f.code === 'C-21').map((f) => f.taskId),
    ['B', 'C', 'D'],
    'the run reports the same three',
  );
});

test('a clone with unpushed workplan commits lays out nothing: the dashboard shows what the team has, not one clone against another', async (t) => {
  const { ws, run, page, state, push } = await laidOutScene(t);
  await run();
  await commitFiles(
    ws.dir,
    {
      [PLAN]: workplan([
        { id: 'B', status: 'todo' },
        { id: 'A', status: 'todo' },
      ]),
    },
    'B first, not pushed',
  );
  const before = await state();
  await run();
  assert.deepEqual((await state()).layouts, before.layouts);
  assert.deepEqual(await page(PLAN), ['A', 'B']);
  await push();
  await run();
  assert.deepEqual(await page(PLAN), ['B', 'A'], 'once pushed, the run lays it out');
});

test('a task whose block could not be read when its file was laid out takes its place once it is created', async (t) => {
  const { ws, run, page, push } = await laidOutScene(t);
  const broken = workplan([
    { id: 'A', status: 'todo' },
    { id: 'B', status: 'todo' },
    { id: 'E', status: 'someday' },
  ]);
  await commitFiles(ws.dir, { [PLAN]: broken }, 'E with a status the spec does not know');
  await push();
  await run();
  assert.deepEqual(await page(PLAN), ['A', 'B']);
  await commitFiles(ws.dir, { [PLAN]: broken.replace('status: someday', 'status: todo') }, 'E fixed');
  await push();
  const fixed = await run();
  assert.ok(fixed.actions.some((a) => a.type === 'create' && a.taskId === 'E'));
  assert.deepEqual(await page(PLAN), ['A', 'B', 'E']);
});

test('a layout the hub could not take is not sent: an empty or overlong workplan id, or more ids than one layout may hold', () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `T${i}`);
  const sent = layoutsToSend(
    [
      { file: 'empty.md', workplan: '', ids: ['A'] },
      { file: 'long.md', workplan: 'W'.repeat(501), ids: ['B'] },
      { file: 'huge.md', workplan: 'H', ids: ids(LAYOUT_IDS_MAX + 1) },
      { file: 'fine.md', workplan: 'F', ids: ['C'] },
    ],
    null,
    {},
  );
  assert.deepEqual(
    sent.map((l) => l.file),
    ['fine.md'],
  );
});

test('a task two files hold keeps a place while either of them does', async (t) => {
  const store = await sqliteStore(t);
  const created = ['A', 'B'].map((id) => ({ id, expectedVersion: 0, status: 'todo' as const, workplan: { id: 'W', title: null } }));
  assert.ok((await store.sync({ repo: 'acme', by: 'ws', changes: created })).ok);
  const lay = (file: string, ids: string[]) => store.sync({ repo: 'acme', by: 'ws', changes: [], layouts: [{ file, workplan: 'W', ids }] });
  await lay('one.md', ['B', 'A']);
  await lay('two.md', ['A']);
  await lay('two.md', []);
  const page = await store.taskPage({ repo: 'acme', workplan: 'W', statuses: [], text: '', offset: 0, limit: 10 });
  assert.deepEqual(
    page.tasks.map((task) => `${task.id}${task.inNoFile ? ' (in no file)' : ''}`),
    ['B', 'A'],
  );
});

test('both ways to a page (sorting the matches, walking the index) list every task once, in the same order, from either end', async (t) => {
  const dir = await tempDir(t);
  const store = await openStore(path.join(dir, 'hub.sqlite'));
  t.after(() => store.close());
  // Tasks under a workplan and under none, some laid out in two files in another order than created, some in no file.
  const ids = Array.from({ length: 23 }, (_, i) => `T${String((i * 7) % 23).padStart(2, '0')}`);
  const changes = ids.map((id, i) => ({
    id,
    expectedVersion: 0,
    status: (i % 3 ? 'todo' : 'done') as 'todo' | 'done',
    ...(i % 4 ? { workplan: { id: 'W', title: null } } : {}),
  }));
  assert.ok((await store.sync({ repo: 'acme', by: 'ws', changes })).ok);
  const laidOut = [...ids].reverse().filter((_, i) => i % 5 !== 0);
  await store.sync({
    repo: 'acme',
    by: 'ws',
    changes: [],
    layouts: [
      { file: 'b.md', workplan: 'W', ids: laidOut.slice(0, 9) },
      { file: 'a.md', workplan: 'W', ids: laidOut.slice(9) },
    ],
  });
  const db = openSqlite(path.join(dir, 'hub.sqlite'));
  t.after(() => db.close());
  for (const workplan of ['W', null])
    for (const statuses of [[], ['todo']] as const) {
      const filter = { repo: 'acme', workplan, statuses, text: '', offset: 0, limit: 100 };
      const all = (await pageIds(db, filter)).ids;
      assert.equal(new Set(all).size, all.length);
      for (let offset = 0; offset < all.length; offset += 3) {
        const walked = await pageIds(db, { ...filter, offset, limit: 4 }, 2);
        assert.deepEqual(walked.ids, all.slice(offset, offset + 4), `${workplan} ${statuses.join()} from ${offset}`);
      }
    }
});
