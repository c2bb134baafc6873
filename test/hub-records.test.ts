import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { HttpHub } from '../src/hub/http-hub.js';
import { openStore } from '../src/hub/open.js';
import { DEFAULT_RETENTION, DRIVER_POINTS_KEPT, type Retention } from '../src/hub/retention.js';
import type { SqlDriver } from '../src/hub/sql/driver.js';
import { openPostgres } from '../src/hub/sql/postgres-driver.js';
import { openSqlite } from '../src/hub/sql/sqlite-driver.js';
import { SqlStore } from '../src/hub/sql-store.js';
import type { Hub, RepoState, SyncBatch } from '../src/hub/types.js';
import { runCli } from './helpers/cli.js';
import { createToken, spawnHub } from './helpers/hub-process.js';
import { httpHubOver, PG_SKIP, PG_URL, pgSchema, postgresStore, sqliteStore, UNDO_SCHEMAS_10_ON } from './helpers/hubs.js';
import { tempDir } from './helpers/temp-repo.js';

/**
 * The records the v2 rules read (DESIGN.md, "Rules v2"): a status version per task, points that
 * carry their seq and the status version they saw, retention by age and count, and what the hub
 * says once it has dropped something.
 */

const SHA = (n: number) => n.toString(16).padStart(40, '0');

async function read(hub: Hub, repo = 'acme'): Promise<RepoState> {
  const state = await hub.readRepo(repo);
  assert.notEqual(state, 'not-modified');
  return state as RepoState;
}

const task = async (hub: Hub, id: string) => (await read(hub)).tasks.find((t) => t.id === id)!;

const create = (id: string, status: 'todo' | 'done' = 'todo', commit = 1): SyncBatch['changes'][number] => ({
  id,
  expectedVersion: 0,
  status,
  title: `Task ${id}`,
  point: { status, commit: SHA(commit), upstream: null, origin: SHA(commit) },
});

type Open = (t: TestContext, retention?: Partial<Retention>) => Promise<Hub>;

/** The store itself and the HTTP hub over it, on each database. */
const KINDS: { name: string; skip: string | false; open: Open }[] = [
  { name: 'SQLite store', skip: false, open: (t, retention) => sqliteStore(t, { retention }) },
  { name: 'PostgreSQL store', skip: PG_SKIP, open: (t, retention) => postgresStore(t, { retention }) },
  { name: 'HTTP hub on SQLite', skip: false, open: async (t, retention) => (await httpHubOver(t, await sqliteStore(t, { retention }))).hub },
  { name: 'HTTP hub on PostgreSQL', skip: PG_SKIP, open: async (t, retention) => (await httpHubOver(t, await postgresStore(t, { retention }))).hub },
];

for (const kind of KINDS) {
  describe(`hub records: ${kind.name}`, { skip: kind.skip }, () => {
    test('the status version counts changes of the status value by every write path, a value that came back included', async (t) => {
      const hub = await kind.open(t);
      await hub.sync({ repo: 'acme', by: 'ws', changes: [create('A')] });
      assert.deepEqual([(await task(hub, 'A')).statusVersion, (await task(hub, 'A')).droppedThrough], [0, null], 'a new task starts at 0');

      const cancelled = await hub.setStatus({ repo: 'acme', id: 'A', status: 'cancelled', by: 'agent' });
      assert.ok(cancelled.ok);
      assert.equal(cancelled.task.statusVersion, 1, 'setStatus answers with the new count');
      assert.ok((await hub.sync({ repo: 'acme', by: 'ws', changes: [{ id: 'A', expectedVersion: 2, status: 'done' }] })).ok);
      assert.ok((await hub.setStatus({ repo: 'acme', id: 'A', status: 'cancelled', by: 'agent' })).ok);
      const back = await task(hub, 'A');
      assert.deepEqual([back.status, back.statusVersion], ['cancelled', 3], 'cancelled → done → cancelled moved twice');

      // Neither metadata nor a status set to what it is counts.
      assert.ok((await hub.sync({ repo: 'acme', by: 'ws', changes: [{ id: 'A', expectedVersion: 4, title: 'Renamed', status: 'cancelled' }] })).ok);
      assert.ok((await hub.setStatus({ repo: 'acme', id: 'A', status: 'cancelled', by: 'agent' })).ok);
      const renamed = await task(hub, 'A');
      assert.deepEqual([renamed.title, renamed.version, renamed.statusVersion], ['Renamed', 5, 3]);

      const refused = await hub.sync({ repo: 'acme', by: 'ws', changes: [{ id: 'A', expectedVersion: 1, status: 'todo' }] });
      assert.deepEqual(refused.ok ? null : refused.conflicts[0]!.current?.statusVersion, 3, 'a conflict shows the current count');
    });

    test('each point carries the seq and status version the hub assigned, and the sync result says them in batch order', async (t) => {
      const hub = await kind.open(t);
      const first = await hub.sync({ repo: 'acme', by: 'ws', changes: [create('A'), create('B', 'done'), { ...create('C'), point: undefined }] });
      assert.ok(first.ok);
      assert.deepEqual(
        first.points.map((p) => [p.id, p.statusVersion]),
        [
          ['A', 0],
          ['B', 0],
        ],
        'only changes that carried a point, in order',
      );
      const second = await hub.sync({
        repo: 'acme',
        by: 'ws',
        changes: [
          { id: 'B', expectedVersion: 1, point: { status: 'done', commit: SHA(2), upstream: SHA(2), origin: SHA(1) } },
          { id: 'A', expectedVersion: 1, status: 'in_progress', point: { status: 'in_progress', commit: SHA(2), upstream: null, origin: SHA(2) } },
        ],
      });
      assert.ok(second.ok);
      assert.deepEqual(
        second.points.map((p) => [p.id, p.statusVersion]),
        [
          ['B', 0],
          ['A', 1],
        ],
        'the status version right after the batch',
      );
      const seqs = [...first.points, ...second.points].map((p) => p.seq);
      assert.equal(new Set(seqs).size, 4, 'each point its own seq');
      assert.ok(Math.min(...second.points.map((p) => p.seq)) > Math.max(...first.points.map((p) => p.seq)), 'a later batch numbers its points above');

      const state = await read(hub);
      const pointsOf = (id: string) => state.tasks.find((x) => x.id === id)!.points.map((p) => ({ seq: p.seq, statusVersion: p.statusVersion }));
      const recorded = (id: string) => [...first.points, ...second.points].filter((p) => p.id === id).map(({ seq, statusVersion }) => ({ seq, statusVersion }));
      assert.deepEqual(pointsOf('A'), recorded('A'), 'what the result said is what a read gives');
      assert.deepEqual(pointsOf('B'), recorded('B'));
      assert.deepEqual(pointsOf('C'), []);
    });

    test('past the count and with age protecting nothing, the oldest records go and the hub says so', async (t) => {
      const hub = await kind.open(t, { points: 2, runs: 3, rewrites: 2, maxAgeMs: 0 });
      const created = await hub.sync({ repo: 'acme', by: 'ws', changes: [create('A'), create('B')], run: { commit: SHA(1), upstream: null, skipped: [] } });
      assert.ok(created.ok);
      const seqs = [created.points[0]!.seq];
      for (let i = 2; i <= 3; i++) {
        const result = await hub.sync({
          repo: 'acme',
          by: 'ws',
          changes: [{ id: 'A', expectedVersion: 1, point: { status: 'todo', commit: SHA(i), upstream: null, origin: SHA(1) } }],
          run: { commit: SHA(i), upstream: null, skipped: [] },
        });
        assert.ok(result.ok);
        seqs.push(result.points[0]!.seq);
      }
      let state = await read(hub);
      assert.deepEqual(
        state.tasks.map((x) => [x.id, x.points.length, x.droppedThrough]),
        [
          ['A', 2, seqs[0]],
          ['B', 1, null],
        ],
        "A's first point went, and droppedThrough is its seq",
      );
      assert.deepEqual([state.runs.length, state.runsDropped], [3, false], 'three runs fit');

      for (let i = 4; i <= 5; i++) {
        await hub.sync({
          repo: 'acme',
          by: 'ws',
          changes: [{ id: 'A', expectedVersion: 1, point: { status: 'todo', commit: SHA(i), upstream: null, origin: SHA(1) } }],
          run: { commit: SHA(i), upstream: null, skipped: [] },
          rewrites: [{ old: SHA(i), new: SHA(i + 10), changed: [] }],
        });
      }
      state = await read(hub);
      const a = state.tasks[0]!;
      assert.deepEqual(
        a.points.map((p) => p.commit),
        [SHA(4), SHA(5)],
      );
      assert.equal(a.droppedThrough, seqs[2], 'the newest dropped point is the one of commit 3');
      assert.equal(state.tasks[1]!.droppedThrough, null, 'a task with nothing dropped says so');
      assert.deepEqual(
        state.runs.map((r) => r.commit),
        [SHA(3), SHA(4), SHA(5)],
      );
      assert.equal(state.runsDropped, true);
      assert.equal(state.rewrites.length, 2);
    });

    test('driver points: kept where they could be true of the hub, read whole or by task; only a batch that kept one changes the ETag', async (t) => {
      const hub = await kind.open(t);
      assert.ok((await hub.sync({ repo: 'acme', by: 'ws', changes: [create('A'), create('B')] })).ok);
      assert.ok((await hub.setStatus({ repo: 'acme', id: 'A', status: 'done', by: 'agent' })).ok);
      const note = (id: string, status: 'todo' | 'done', statusVersion: number, parent = 7) => ({
        id,
        status,
        statusVersion,
        parent: SHA(parent),
        theirs: SHA(9),
      });
      const before = (await read(hub)).etag;
      const nothingKept = await hub.sync({
        repo: 'acme',
        by: 'laptop',
        changes: [],
        driverPoints: [note('A', 'done', 2), note('A', 'todo', 1), note('Z', 'done', 0), note('B', 'done', 0)],
      });
      assert.ok(nothingKept.ok);
      assert.equal((await read(hub)).etag, before, 'past the version, another status at the current one, an unknown task: nothing kept, nothing changed');
      const sent = await hub.sync({
        repo: 'acme',
        by: 'laptop',
        changes: [],
        driverPoints: [note('A', 'done', 1), note('A', 'todo', 0), note('B', 'todo', 0, 8), note('A', 'done', 1)],
      });
      assert.ok(sent.ok);
      const state = await read(hub);
      assert.notEqual(state.etag, before, 'a clone on the fast path reads them');
      assert.deepEqual(
        state.driverPoints?.map((p) => [p.id, p.status, p.statusVersion, p.parent, p.theirs, Number.isNaN(Date.parse(p.at))]),
        [
          ['A', 'done', 1, SHA(7), SHA(9), false],
          ['A', 'todo', 0, SHA(7), SHA(9), false],
          ['B', 'todo', 0, SHA(8), SHA(9), false],
        ],
        'a version the hub has moved past is kept whatever its status; a repeat once',
      );
      const onlyB = await hub.readRepo('acme', undefined, ['B']);
      assert.notEqual(onlyB, 'not-modified');
      assert.deepEqual(
        (onlyB as RepoState).driverPoints?.map((p) => p.id),
        ['B'],
      );
      for (const [bad, why] of [
        [{ ...note('A', 'done', 1), parent: 'HEAD' }, /parent/],
        [{ ...note('A', 'done', 1), theirs: '' }, /theirs/],
        [note('A', 'done', -1), /statusVersion/],
        [note('A', 'done', 2 ** 40), /statusVersion/],
      ] as const) {
        await assert.rejects(hub.sync({ repo: 'acme', by: 'laptop', changes: [], driverPoints: [bad] }), why);
      }
    });

    test('a point that puts a lost value back keeps the time of the point it restates; any other text is refused', async (t) => {
      const hub = await kind.open(t);
      assert.ok((await hub.sync({ repo: 'acme', by: 'ws', changes: [create('A')] })).ok);
      assert.equal((await read(hub)).restatements, true, 'the hub says it keeps them');
      const lostAt = '2026-01-02T03:04:05.678Z';
      const putBack = { status: 'done' as const, commit: SHA(2), upstream: null, origin: SHA(2) };
      assert.ok(
        (await hub.sync({ repo: 'acme', by: 'ws', changes: [{ id: 'A', expectedVersion: 1, status: 'done', point: { ...putBack, restates: lostAt } }] })).ok,
      );
      assert.deepEqual(
        (await task(hub, 'A')).points.map((p) => [p.status, p.restates]),
        [
          ['todo', undefined],
          ['done', lostAt],
        ],
      );
      for (const bad of ['2026-01-02T03:04:05Z', '2026-01-02', 'yesterday', '']) {
        await assert.rejects(
          hub.sync({ repo: 'acme', by: 'ws', changes: [{ id: 'A', expectedVersion: 2, point: { ...putBack, restates: bad } }] }),
          /restates/,
          `'${bad}' is no time as the hub writes it`,
        );
      }
    });

    test('driver points: the newest 256 a repo are kept, and none older than the age', async (t) => {
      const hub = await kind.open(t, { maxAgeMs: 60_000 });
      assert.ok((await hub.sync({ repo: 'acme', by: 'ws', changes: [create('A')] })).ok);
      const batch = (from: number) =>
        Array.from({ length: DRIVER_POINTS_KEPT }, (_, i) => ({ id: 'A', status: 'todo' as const, statusVersion: 0, parent: SHA(from + i), theirs: SHA(1) }));
      assert.ok((await hub.sync({ repo: 'acme', by: 'laptop', changes: [], driverPoints: batch(1) })).ok);
      assert.ok((await hub.sync({ repo: 'acme', by: 'laptop', changes: [], driverPoints: batch(1 + DRIVER_POINTS_KEPT).slice(0, 10) })).ok);
      const kept = (await read(hub)).driverPoints ?? [];
      assert.equal(kept.length, DRIVER_POINTS_KEPT, 'young as they are, the oldest ten went');
      assert.deepEqual([kept[0]!.parent, kept.at(-1)!.parent], [SHA(11), SHA(DRIVER_POINTS_KEPT + 10)]);
      await assert.rejects(hub.sync({ repo: 'acme', by: 'laptop', changes: [], driverPoints: batch(1000).concat(batch(2000).slice(0, 1)) }), /256/);

      const quick = await kind.open(t, { maxAgeMs: 1 });
      assert.ok((await quick.sync({ repo: 'acme', by: 'ws', changes: [create('A')] })).ok);
      assert.ok((await quick.sync({ repo: 'acme', by: 'laptop', changes: [], driverPoints: batch(1).slice(0, 1) })).ok);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok((await quick.sync({ repo: 'acme', by: 'laptop', changes: [], driverPoints: batch(2).slice(0, 1) })).ok);
      assert.deepEqual(
        (await read(quick)).driverPoints?.map((p) => p.parent),
        [SHA(2)],
        'past the age, few as they are',
      );
    });

    test('with the default age nothing young is dropped, however many records pass the count', async (t) => {
      const hub = await kind.open(t);
      await hub.sync({ repo: 'acme', by: 'ws', changes: [create('A')] });
      const count = Math.max(DEFAULT_RETENTION.points, DEFAULT_RETENTION.runs) + 4;
      for (let i = 2; i <= count; i++) {
        await hub.sync({
          repo: 'acme',
          by: 'ws',
          changes: [{ id: 'A', expectedVersion: 1, point: { status: 'todo', commit: SHA(i), upstream: null, origin: SHA(1) } }],
          run: { commit: SHA(i), upstream: null, skipped: [] },
        });
      }
      const state = await read(hub);
      assert.deepEqual([state.tasks[0]!.points.length, state.tasks[0]!.droppedThrough], [count, null]);
      assert.deepEqual([state.runs.length, state.runsDropped], [count - 1, false]);
    });
  });
}

test('the retention options are checked when the store opens', async (t) => {
  for (const [retention, message] of [
    [{ points: 0 }, /points must be a whole number of at least 1, not 0/],
    [{ runs: 2.5 }, /runs must be a whole number of at least 1, not 2.5/],
    [{ maxAgeMs: -1 }, /maxAgeMs must be a number of milliseconds of at least 0, not -1/],
  ] as const) {
    await assert.rejects(openStore(path.join(await tempDir(t), 'hub.sqlite'), { retention }), message);
  }
});

test('hub serve takes --keep-points, --keep-runs and --keep-days, and refuses values that make no sense, a --port in any form but digits included', async (t) => {
  const dir = await tempDir(t);
  const refusals: [string[], string][] = [
    [['--keep-points', '0'], "--keep-points must be a whole number of at least 1, not '0'"],
    [['--keep-runs', 'many'], "--keep-runs must be a whole number of at least 1, not 'many'"],
    [['--keep-days', '-1'], "--keep-days must be a number of days from 0 to 36500, not '-1'"],
    [['--keep-days', '1e9'], "--keep-days must be a number of days from 0 to 36500, not '1e9'"],
    // Number() reads these as 7006, 1000 and 0 (any free port): each was served on.
    [['--port', '0x1B5E'], "--port must be a number from 0 to 65535, not '0x1B5E'"],
    [['--port', '1e3'], "--port must be a number from 0 to 65535, not '1e3'"],
    [['--port', ''], "--port must be a number from 0 to 65535, not ''"],
  ];
  for (const [flags, message] of refusals) {
    const result = await runCli(dir, ['hub', 'serve', '--port', '0', '--db', path.join(dir, 'refused.sqlite'), ...flags]);
    assert.equal(result.code, 2, result.stderr);
    assert.ok(result.stderr.includes(message), result.stderr);
  }

  const db = path.join(dir, 'hub.sqlite');
  const token = await createToken(db, 'ws');
  const server = await spawnHub(t, db, {}, ['--keep-points', '1', '--keep-runs', '1', '--keep-days', '0']);
  const hub = new HttpHub(server.url, token);
  await hub.sync({ repo: 'acme', by: 'ws', changes: [create('A')], run: { commit: SHA(1), upstream: null, skipped: [] } });
  await hub.sync({
    repo: 'acme',
    by: 'ws',
    changes: [{ id: 'A', expectedVersion: 1, point: { status: 'todo', commit: SHA(2), upstream: null, origin: SHA(1) } }],
    run: { commit: SHA(2), upstream: null, skipped: [] },
  });
  const state = await read(hub);
  assert.deepEqual(
    [state.tasks[0]!.points.map((p) => p.commit), state.tasks[0]!.droppedThrough !== null, state.runs.length, state.runsDropped],
    [[SHA(2)], true, 1, true],
  );
});

/** Each database kind, as a way to open the same database again and again. */
const DATABASES: { name: string; skip: string | false; database(t: TestContext): Promise<{ open: () => SqlDriver; file?: string }> }[] = [
  {
    name: 'SQLite',
    skip: false,
    database: async (t) => {
      const file = path.join(await tempDir(t), 'hub.sqlite');
      return { open: () => openSqlite(file), file };
    },
  },
  {
    name: 'PostgreSQL',
    skip: PG_SKIP,
    database: async (t) => {
      const schema = await pgSchema(t);
      return { open: () => openPostgres(PG_URL!, schema) };
    },
  },
];

/** What schemas 6 to 10 added, taken away again: the database as schema 5 left it. */
const BACK_TO_SCHEMA_5 = [
  ...UNDO_SCHEMAS_10_ON,
  'ALTER TABLE repos DROP COLUMN origin',
  'ALTER TABLE tasks DROP COLUMN rank_decided_at',
  'ALTER TABLE tasks DROP COLUMN rank_decided_status_version',
  'DROP INDEX history_creations',
  'DROP INDEX tasks_by_workplan',
  'CREATE INDEX tasks_by_workplan ON tasks(repo, workplan, status)',
  'ALTER TABLE tasks DROP COLUMN status_version',
  'ALTER TABLE tasks DROP COLUMN dropped_through',
  'ALTER TABLE sync_points DROP COLUMN status_version',
  'ALTER TABLE repos DROP COLUMN runs_dropped',
  'DELETE FROM schema_migrations WHERE version >= 6',
];

for (const kind of DATABASES) {
  test(`a ${kind.name} hub at schema 5 is upgraded in place: its tasks at status version 0, its points at null, nothing dropped`, {
    skip: kind.skip,
  }, async (t) => {
    const { open, file } = await kind.database(t);
    const before = await SqlStore.open(open(), 'test');
    await before.sync({ repo: 'acme', by: 'ws', changes: [create('A'), create('B', 'done')], run: { commit: SHA(1), upstream: null, skipped: [] } });
    await before.setStatus({ repo: 'acme', id: 'A', status: 'in_progress', by: 'agent' });
    const old = (await before.readRepo('acme')) as RepoState;
    await before.close();
    const db = open();
    for (const statement of BACK_TO_SCHEMA_5) await db.run(statement);
    await db.close();

    if (file) {
      // Check mode reads a hub as it is, unmigrated: the new fields read as a hub that knew nothing of them.
      const unmigrated = await openStore(file, { readOnly: true });
      const state = (await unmigrated.readRepo('acme')) as RepoState;
      await unmigrated.close();
      assert.deepEqual(
        state.tasks.map((x) => [x.statusVersion, x.droppedThrough, x.points.map((p) => p.statusVersion)]),
        [
          [0, null, [null]],
          [0, null, [null]],
        ],
      );
    }

    const upgraded = await SqlStore.open(open(), 'test');
    t.after(() => upgraded.close());
    const state = (await upgraded.readRepo('acme')) as RepoState;
    assert.deepEqual(
      state.tasks.map((x) => [x.id, x.status, x.version, x.statusVersion, x.droppedThrough]),
      [
        ['A', 'in_progress', 2, 0, null],
        ['B', 'done', 1, 0, null],
      ],
    );
    assert.deepEqual(
      state.tasks.map((x) => x.points.map((p) => [p.seq, p.statusVersion])),
      old.tasks.map((x) => x.points.map((p) => [p.seq, null])),
      'old points keep their seq and have no status version',
    );
    assert.deepEqual([state.runs.length, state.runsDropped], [1, false]);

    const moved = await upgraded.setStatus({ repo: 'acme', id: 'A', status: 'done', by: 'agent' });
    assert.ok(moved.ok && moved.task.statusVersion === 1, 'counting starts from 0');
    const synced = await upgraded.sync({
      repo: 'acme',
      by: 'ws',
      changes: [{ id: 'A', expectedVersion: 3, point: { status: 'done', commit: SHA(2), upstream: null, origin: SHA(2) } }],
    });
    assert.ok(synced.ok);
    assert.equal(synced.points[0]!.statusVersion, 1);
    assert.ok(synced.points[0]!.seq > state.tasks[0]!.points[0]!.seq);
  });
}
