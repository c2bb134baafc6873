import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import { createApp } from '../src/hub/server.js';
import type { SqlStore } from '../src/hub/sql-store.js';
import { httpHubOver, PG_SKIP, postgresStore, sqliteStore } from './helpers/hubs.js';

const SHA = (n: number) => n.toString(16).padStart(40, '0');
const HOSTILE_ID = '<img src=x onerror=alert(1)>';
const HOSTILE_TITLE = '"><script>alert("title")</script>';
const HOSTILE_WHY = "<b onmouseover='why'>&amp;</b>";

const task = (id: string, status: 'todo' | 'in_progress' | 'done', title = `Task ${id}`) => ({
  id,
  expectedVersion: 0,
  status,
  title,
  priority: 'high',
  workplan: { id: 'WP-1', title: 'Plan <one>' },
  point: { status, commit: SHA(1), upstream: null, origin: SHA(1) },
});

/** A real hub on a loopback port over `store`, seeded with one workplan of four tasks, one of them hostile. */
async function seededHub(t: TestContext, store: SqlStore) {
  const { url, hub } = await httpHubOver(t, store);
  const seeded = await store.sync({
    repo: 'acme',
    by: 'ws',
    why: HOSTILE_WHY,
    changes: [task('T-2', 'todo'), task('T-1', 'done'), task(HOSTILE_ID, 'in_progress', HOSTILE_TITLE), task('T-3', 'done', 'Write the dashboard')],
  });
  assert.ok(seeded.ok);
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(new URL(path, url), { headers });
    return { status: response.status, etag: response.headers.get('etag'), headers: response.headers, body: await response.text() };
  };
  return { url, get, hub };
}

/** The page's text between `<tbody>` tags, one entry per row, tags stripped. */
const rows = (body: string) =>
  [...body.matchAll(/<tr[\s\S]*?<\/tr>/g)].map((m) =>
    m[0]
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );

const KINDS = [
  { name: 'SQLite', skip: false as const, open: sqliteStore },
  { name: 'PostgreSQL', skip: PG_SKIP, open: postgresStore },
];

for (const kind of KINDS) {
  describe(`dashboard on ${kind.name}`, { skip: kind.skip }, () => {
    test('the overview shows each workplan with its counts by status and a bar', async (t) => {
      const { get } = await seededHub(t, await kind.open(t));
      const page = await get('/');
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      assert.match(page.body, /<h2 id="repo-0">acme<\/h2>/);
      const [row] = rows(page.body).filter((r) => r.includes('WP-1'));
      assert.match(row!, /Plan &lt;one&gt; WP-1 1 todo, 1 in progress, 0 blocked, 2 done, 0 cancelled 1 1 0 2 0 2 of 4 \(50%\)/);
      assert.match(page.body, /<rect class="done" x="[\d.]+" y="0" width="50.000"/);
      assert.match(page.body, /href="\/workplan\?repo=acme&amp;wp=WP-1"/);
      for (const asset of ['/assets/dashboard.css', '/assets/dashboard.js']) assert.equal((await get(asset)).status, 200, asset);
    });

    test('a workplan page lists its tasks in the order the hub first saw them, and filters by status and text', async (t) => {
      const { get } = await seededHub(t, await kind.open(t));
      const all = await get('/workplan?repo=acme&wp=WP-1');
      assert.equal(all.status, 200);
      const listed = rows(all.body).slice(1);
      assert.deepEqual(
        listed.map((r) => r.split(' ')[1]),
        ['T-2', 'T-1', '&lt;img', 'T-3'],
      );
      assert.match(listed[0]!, /T-2 Task T-2 todo high 1 \d{4}-\d\d-\d\d [\d:]+Z by ws — &lt;b onmouseover=&#39;why&#39;&gt;&amp;amp;&lt;\/b&gt;/);
      assert.match(all.body, /Tasks 1–4 of 4 matching/);

      const done = await get('/workplan?repo=acme&wp=WP-1&status=done');
      assert.deepEqual(
        rows(done.body)
          .slice(1)
          .map((r) => r.split(' ')[1]),
        ['T-1', 'T-3'],
      );
      assert.match(done.body, /value="done" checked/);
      const found = await get('/workplan?repo=acme&wp=WP-1&q=DASHBOARD');
      assert.deepEqual(
        rows(found.body)
          .slice(1)
          .map((r) => r.split(' ')[1]),
        ['T-3'],
      );
      // LIKE's wildcards are searched for as themselves.
      assert.match((await get('/workplan?repo=acme&wp=WP-1&q=%25')).body, /No task matches/);
      const both = await get('/workplan?repo=acme&wp=WP-1&status=todo&status=in_progress&q=t');
      assert.match(both.body, /Tasks 1–2 of 2 matching/);
    });

    test('a big workplan pages in the order the hub first saw its tasks, then in file order once laid out, from either end, and the overview pages its workplans', async (t) => {
      const store = await kind.open(t);
      const { get } = await seededHub(t, store);
      // 20,100 tasks, more than a page sorts, created in two batches whose ids do not sort as they came.
      const id = (n: number) => `B-${String((n * 7919) % 20_100).padStart(5, '0')}`;
      for (const part of [0, 1]) {
        const changes = Array.from({ length: 10_050 }, (_, i) => ({
          id: id(part * 10_050 + i),
          expectedVersion: 0,
          status: 'todo' as const,
          workplan: { id: 'BIG', title: null },
        }));
        assert.ok((await store.sync({ repo: 'acme', by: 'ws', changes })).ok);
      }
      const idsOn = async (from: number, filter = '') =>
        rows((await get(`/workplan?repo=acme&wp=BIG&from=${from}${filter}`)).body)
          .slice(1)
          .map((r) => r.split(' ')[1]);
      for (const from of [0, 9000, 20_050]) {
        assert.deepEqual(
          await idsOn(from),
          Array.from({ length: Math.min(100, 20_100 - from) }, (_, i) => id(from + i)),
          `from ${from}`,
        );
      }
      assert.deepEqual(
        await idsOn(20_090, '&q=b-'),
        Array.from({ length: 10 }, (_, i) => id(20_090 + i)),
        'a search past the middle',
      );
      // Laid out in two files, in another order again (all but the first task): file order from either end, the task no file holds last.
      const placed = Array.from({ length: 20_100 }, (_, n) => id((n * 4001 + 1) % 20_100)).filter((task) => task !== id(0));
      assert.ok(
        (
          await store.sync({
            repo: 'acme',
            by: 'ws',
            changes: [],
            layouts: [
              { file: 'big/2.md', workplan: 'BIG', ids: placed.slice(10_000) },
              { file: 'big/1.md', workplan: 'BIG', ids: placed.slice(0, 10_000) },
            ],
          })
        ).ok,
      );
      for (const from of [0, 9_990, 20_050]) assert.deepEqual(await idsOn(from), [...placed, id(0)].slice(from, from + 100), `laid out, from ${from}`);
      assert.deepEqual(await idsOn(20_090, '&q=b-'), [...placed, id(0)].slice(20_090), 'laid out, a search past the middle');

      for (let w = 0; w < 100; w++) {
        await store.sync({
          repo: 'many',
          by: 'ws',
          changes: [{ id: `M-${w}`, expectedVersion: 0, status: 'todo', workplan: { id: `W-${String(w).padStart(3, '0')}`, title: null } }],
        });
      }
      await store.sync({ repo: 'many', by: 'ws', changes: [{ id: 'LOOSE', expectedVersion: 0, status: 'done' }] });
      const first = await get('/');
      assert.match(first.body, /href="\/\?from=100">Next workplans/);
      // acme's two workplans, then many's W-000 to W-097 on the first page; W-098, W-099 and the loose task on the next.
      const second = await get('/?from=100');
      assert.deepEqual(
        rows(second.body)
          .filter((r) => !r.startsWith('Workplan'))
          .map((r) => r.split(' ').slice(0, 2).join(' ')),
        ['W-098 1', 'W-099 1', 'no workplan'],
      );
      assert.match(second.body, /Previous workplans/);
      assert.doesNotMatch(second.body, /Next workplans/);
    });

    test('a task changed in the hub since a run agreed on it stands out', async (t) => {
      const store = await kind.open(t);
      const { get } = await seededHub(t, store);
      await store.setStatus({ repo: 'acme', id: 'T-2', status: 'blocked', by: 'alice', why: 'waiting on review' });
      const listed = rows((await get('/workplan?repo=acme&wp=WP-1')).body);
      assert.match(listed.find((r) => r.includes('T-2'))!, /differs from its file \(last agreed: todo\) blocked .* by alice — waiting on review/);
      assert.doesNotMatch(listed.find((r) => r.includes('T-1'))!, /differs|in no file/);
    });

    test('once a run laid out the files, a workplan lists its tasks in file order, and a task no file holds stands out (C-21)', async (t) => {
      const store = await kind.open(t);
      const { get } = await seededHub(t, store);
      const idsListed = async () => rows((await get('/workplan?repo=acme&wp=WP-1')).body).slice(1);
      const laidOut = await store.sync({
        repo: 'acme',
        by: 'ws',
        changes: [],
        layouts: [
          { file: 'plans/b.md', workplan: 'WP-1', ids: ['T-2'] },
          { file: 'plans/a.md', workplan: 'WP-1', ids: ['T-3', 'T-1', 'NOT-IN-HUB'] },
        ],
      });
      assert.ok(laidOut.ok);
      const before = await idsListed();
      assert.deepEqual(
        before.map((r) => r.split(' ')[1]),
        ['T-3', 'T-1', 'T-2', '&lt;img'],
        'by file, then by place; a task no file holds last',
      );
      assert.match(before[3]!, /in no file \(C-21\): kept in the hub, never deleted/);
      assert.doesNotMatch(before.slice(0, 3).join('\n'), /in no file/);

      // The same layouts again change nothing, not even the ETag; a file that holds no workplan any more leaves its tasks in no file.
      const state = await store.readRepo('acme');
      assert.ok(state !== 'not-modified');
      assert.deepEqual(Object.keys(state.layouts ?? {}).sort(), ['plans/a.md', 'plans/b.md']);
      const again = await store.sync({ repo: 'acme', by: 'ws', changes: [], layouts: [{ file: 'plans/b.md', workplan: 'WP-1', ids: ['T-2'] }] });
      assert.ok(again.ok && again.etag === state.etag, 'an unchanged layout does not move the ETag');
      assert.ok((await store.sync({ repo: 'acme', by: 'ws', changes: [], layouts: [{ file: 'plans/b.md', workplan: null, ids: [] }] })).ok);
      const after = await idsListed();
      assert.deepEqual(
        after.map((r) => r.split(' ')[1]),
        ['T-3', 'T-1', 'T-2', '&lt;img'],
      );
      assert.match(after[2]!, /T-2 .*in no file \(C-21\)/);
      // A workplan no run laid out flags nothing: the hub cannot know.
      await store.sync({ repo: 'acme', by: 'ws', changes: [{ id: 'LOOSE', expectedVersion: 0, status: 'todo', workplan: { id: 'WP-2', title: null } }] });
      assert.doesNotMatch((await get('/workplan?repo=acme&wp=WP-2')).body, /in no file/);
    });

    test('layouts the hub cannot keep as sent are refused, naming the file', async (t) => {
      const store = await kind.open(t);
      const refused = (layouts: Parameters<SqlStore['sync']>[0]['layouts']) => store.sync({ repo: 'acme', by: 'ws', changes: [], layouts });
      await assert.rejects(refused([{ file: 'a.md', workplan: 'W', ids: ['A', 'A'] }]), /layout of "a.md" holds task "A" twice/);
      await assert.rejects(
        refused([
          { file: 'a.md', workplan: 'W', ids: [] },
          { file: 'a.md', workplan: 'W', ids: [] },
        ]),
        /"a.md" is laid out twice in one batch/,
      );
      await assert.rejects(refused([{ file: 'a.md', workplan: null, ids: ['A'] }]), /a file that holds no workplan holds no tasks/);
      await assert.rejects(refused([{ file: 'a.md', workplan: 'W'.repeat(501), ids: [] }]), /the workplan id must be 1 to 500 characters/);
      await assert.rejects(refused([{ file: 'a\0.md', workplan: 'W', ids: [] }]), /layout of "a\\u0000.md": holds a NUL character/);
    });

    test('a task the rules decided by rank says so until its status changes (C-22)', async (t) => {
      const store = await kind.open(t);
      const { get, hub } = await seededHub(t, store);
      const agreed = (status: 'todo' | 'done') => ({ status, commit: SHA(2), upstream: null, origin: SHA(2) });
      // Over HTTP, as a run sends it: the file won T-2 by rank; the hub won T-3 (a writeback: its status stays).
      const ranked = await hub.sync({
        repo: 'acme',
        by: 'ws',
        changes: [
          { id: 'T-2', expectedVersion: 1, status: 'done', point: agreed('done'), decidedByRank: true },
          { id: 'T-3', expectedVersion: 1, point: agreed('done'), decidedByRank: true },
        ],
      });
      assert.ok(ranked.ok);
      assert.deepEqual(ranked.versions, { 'T-2': 2, 'T-3': 1 }, 'the marker alone changes no version');
      const flagged = async () => rows((await get('/workplan?repo=acme&wp=WP-1')).body).filter((r) => /decided by rank/.test(r));
      const [t2, t3] = await flagged();
      assert.match(t2!, /T-2 Task T-2 decided by rank \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ : file and hub had both changed \(C-22\) done/);
      assert.match(t3!, /T-3 Write the dashboard decided by rank/);
      await store.setStatus({ repo: 'acme', id: 'T-2', status: 'in_progress', by: 'alice', why: 'reopened' });
      assert.deepEqual(
        (await flagged()).map((r) => r.split(' ')[1]),
        ['T-3'],
        'a later change of status is no longer the one rank decided',
      );
      await assert.rejects(
        hub.sync({ repo: 'acme', by: 'ws', changes: [{ ...task('NEW', 'todo'), decidedByRank: true }] }),
        /task 'NEW': only a task the hub holds can be decided by rank/,
      );
    });

    test('a task page shows its full history newest first and its sync points', async (t) => {
      const store = await kind.open(t);
      const { get } = await seededHub(t, store);
      await store.setStatus({ repo: 'acme', id: 'T-2', status: 'in_progress', by: 'alice', why: 'started' });
      await store.setStatus({ repo: 'acme', id: 'T-2', status: 'done', by: 'bob', why: 'shipped' });
      const page = await get('/task?repo=acme&id=T-2');
      assert.equal(page.status, 200);
      const history = rows(page.body.slice(page.body.indexOf('History'), page.body.indexOf('Sync points')));
      assert.deepEqual(
        history.slice(1).map((r) => r.replace(/^\S+ \S+ /, '')),
        [
          'in progress → done by bob — shipped',
          'todo → in progress by alice — started',
          'created todo by ws — &lt;b onmouseover=&#39;why&#39;&gt;&amp;amp;&lt;/b&gt;',
        ],
      );
      assert.match(page.body, /<code>000000000000<\/code>/);
    });

    test('the activity page lists the last day’s changes across repos, newest first', async (t) => {
      const store = await kind.open(t);
      const { get } = await seededHub(t, store);
      await store.sync({ repo: 'other', by: 'ci', why: 'imported', changes: [{ ...task('O-1', 'todo'), workplan: { id: 'WP-9', title: null } }] });
      const listed = rows((await get('/activity')).body).slice(1);
      assert.equal(listed.length, 5);
      assert.match(listed[0]!, /other · O-1 Task O-1 created todo by ci — imported/);
    });

    test('a change ages out of the activity page with no write: its ETag moves with the minute, never a stale 304', async (t) => {
      const store = await kind.open(t);
      await store.sync({ repo: 'acme', by: 'ws', changes: [task('T-1', 'todo')] });
      let clock = Date.now();
      const app = createApp(store, { now: () => clock });
      const first = await app.request('/activity');
      assert.match(await first.text(), /T-1/);
      const etag = first.headers.get('etag')!;
      assert.notEqual(etag, (await app.request('/')).headers.get('etag'), 'not the overview’s');
      assert.equal((await app.request('/activity', { headers: { 'If-None-Match': etag } })).status, 304, 'the same minute');
      clock += 24 * 60 * 60 * 1000 + 2 * 60 * 1000;
      const later = await app.request('/activity', { headers: { 'If-None-Match': etag } });
      assert.equal(later.status, 200);
      assert.match(await later.text(), /No status changed in the last 24 hours/);
    });

    test('hostile ids, titles and reasons are shown as text, never as markup', async (t) => {
      const { get } = await seededHub(t, await kind.open(t));
      const pages = [
        await get('/'),
        await get('/workplan?repo=acme&wp=WP-1'),
        await get(`/task?repo=acme&id=${encodeURIComponent(HOSTILE_ID)}`),
        await get('/activity'),
      ];
      for (const page of pages) {
        assert.equal(page.status, 200);
        assert.doesNotMatch(page.body, /<img|<script>alert|<b onmouseover/);
      }
      assert.match(pages[2]!.body, /<h1>&quot;&gt;&lt;script&gt;alert\(&quot;title&quot;\)&lt;\/script&gt;<\/h1>/);
      assert.match(pages[2]!.body, /<dd>&lt;img src=x onerror=alert\(1\)&gt;<\/dd>/);
      assert.match(pages[1]!.body, /href="\/task\?repo=acme&amp;id=%3Cimg\+src%3Dx\+onerror%3Dalert%281%29%3E"/);
    });

    test('a page answers 304 to its ETag while nothing changes, and the new state once something does', async (t) => {
      const store = await kind.open(t);
      const { get } = await seededHub(t, store);
      for (const path of ['/', '/workplan?repo=acme&wp=WP-1', '/task?repo=acme&id=T-1', '/activity']) {
        const first = await get(path);
        assert.ok(first.etag, path);
        assert.match(first.body, new RegExp(`data-etag="${first.etag!.replaceAll('"', '&quot;').replaceAll('.', '\\.')}"`), path);
        const again = await get(path, { 'if-none-match': first.etag! });
        assert.equal(again.status, 304, path);
        assert.equal(again.body, '');
        // The forms a browser or a proxy sends: weak, in a list, or any (RFC 9110); each answered 200 before.
        for (const header of [`W/${first.etag}`, `"other", ${first.etag}`, '*']) {
          const named = await get(path, { 'if-none-match': header });
          assert.equal(named.status, 304, `${path} with If-None-Match: ${header}`);
          assert.equal(named.etag, first.etag, 'the 304 carries the current ETag, not the header');
        }
        assert.equal((await get(path, { 'if-none-match': '"other", W/"another"' })).status, 200, path);
      }
      const before = await get('/workplan?repo=acme&wp=WP-1');
      await store.setStatus({ repo: 'acme', id: 'T-1', status: 'cancelled', by: 'alice' });
      const after = await get('/workplan?repo=acme&wp=WP-1', { 'if-none-match': before.etag! });
      assert.equal(after.status, 200);
      assert.notEqual(after.etag, before.etag);
      assert.match(rows(after.body).find((r) => r.includes('T-1'))!, /cancelled/);
    });

    test('unknown pages and bad addresses get an HTML 404 or 400; nothing on the pages writes', async (t) => {
      const { url, get } = await seededHub(t, await kind.open(t));
      assert.equal((await get('/task?repo=acme&id=NOPE')).status, 404);
      assert.equal((await get('/workplan?repo=acme&wp=NOPE')).status, 404);
      const bad = await get('/workplan?repo=..%2Fetc');
      assert.equal(bad.status, 400);
      assert.match(bad.body, /needs a repo slug/);
      for (const page of [await get('/'), await get('/workplan?repo=acme&wp=WP-1'), await get('/task?repo=acme&id=T-1')]) {
        assert.doesNotMatch(page.body, /method="post"/i);
      }
      assert.equal((await fetch(url, { method: 'POST' })).status, 404);
    });
  });
}

test('pages wait for the same limiter as the API: a saturated hub answers 503', async (t) => {
  const app = createApp(await sqliteStore(t), { limits: { slots: 0, queue: 0, waitMs: 0 } });
  for (const path of ['/', '/activity', '/workplan?repo=acme&wp=WP-1', '/task?repo=acme&id=T-1']) {
    assert.equal((await app.request(path)).status, 503, path);
  }
  assert.equal((await app.request('/assets/dashboard.css')).status, 200, 'its assets do not touch the store');
});
