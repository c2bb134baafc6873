import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { SqlDriver } from '../src/hub/sql/driver.js';
import { SCHEMA_VERSION } from '../src/hub/sql/migrations.js';
import { openPostgres } from '../src/hub/sql/postgres-driver.js';
import { openSqlite } from '../src/hub/sql/sqlite-driver.js';
import { SqlStore } from '../src/hub/sql-store.js';
import type { RepoState } from '../src/hub/types.js';
import { PG_SKIP, PG_URL, pgSchema, UNDO_SCHEMAS_10_ON } from './helpers/hubs.js';
import { tempDir } from './helpers/temp-repo.js';

const SHA = (n: number) => n.toString(16).padStart(40, '0');

/** Each database kind, as a way to open the same database again and again. */
const KINDS: { name: string; skip: string | false; database(t: TestContext): Promise<() => SqlDriver> }[] = [
  {
    name: 'SQLite',
    skip: false,
    database: async (t) => {
      const file = path.join(await tempDir(t), 'hub.sqlite');
      return () => openSqlite(file);
    },
  },
  {
    name: 'PostgreSQL',
    skip: PG_SKIP,
    database: async (t) => {
      const schema = await pgSchema(t);
      return () => openPostgres(PG_URL!, schema);
    },
  },
];

async function raw(open: () => SqlDriver, statements: [string, unknown[]?][]): Promise<void> {
  const db = open();
  try {
    for (const [sql, params] of statements) await db.run(sql, params);
  } finally {
    await db.close();
  }
}

/** What schema 3 on added, taken away again: no `changed` column, no write stamps, no later index or columns. */
const BACK_TO_SCHEMA_2: [string][] = [
  ...UNDO_SCHEMAS_10_ON.map((sql): [string] => [sql]),
  ['ALTER TABLE repos DROP COLUMN origin'],
  ['ALTER TABLE tasks DROP COLUMN rank_decided_at'],
  ['ALTER TABLE tasks DROP COLUMN rank_decided_status_version'],
  ['ALTER TABLE tasks DROP COLUMN status_version'],
  ['ALTER TABLE tasks DROP COLUMN dropped_through'],
  ['ALTER TABLE sync_points DROP COLUMN status_version'],
  ['ALTER TABLE repos DROP COLUMN runs_dropped'],
  ['ALTER TABLE rewrites DROP COLUMN changed'],
  ['ALTER TABLE repos DROP COLUMN stamp'],
  ['ALTER TABLE repos DROP COLUMN prev_stamp'],
  ['DROP INDEX tasks_by_workplan'],
  ['DROP INDEX history_creations'],
  ['DELETE FROM schema_migrations WHERE version >= 3'],
];

for (const kind of KINDS) {
  describe(`hub migrations: ${kind.name}`, { skip: kind.skip }, () => {
    test('a database schema 2 left is upgraded in place, and its rewrite records read as changing nothing', async (t) => {
      const open = await kind.database(t);
      const first = await SqlStore.open(open(), 'test');
      assert.ok((await first.sync({ repo: 'acme', by: 'ws', changes: [], run: { commit: SHA(1), upstream: null, skipped: [] } })).ok);
      await first.close();
      // What schema 2 looked like (no record of migration 3 on), with a rewrite recorded then.
      await raw(open, [
        ...BACK_TO_SCHEMA_2,
        ['INSERT INTO rewrites (repo, old_sha, new_sha, at) VALUES (?, ?, ?, ?)', ['acme', SHA(1), SHA(2), new Date().toISOString()]],
      ]);

      const upgraded = await SqlStore.open(open(), 'test');
      t.after(() => upgraded.close());
      const state = (await upgraded.readRepo('acme')) as RepoState;
      assert.deepEqual(state.rewrites, [{ old: SHA(1), new: SHA(2), changed: [] }]);
      assert.deepEqual(
        state.runs.map((r) => r.commit),
        [SHA(1)],
        'nothing else was lost',
      );
      assert.ok((await upgraded.sync({ repo: 'acme', by: 'ws', changes: [], rewrites: [{ old: SHA(2), new: SHA(3), changed: ['A'] }] })).ok);
    });

    test('a database schema 1 or 2 left is read unmigrated, as check mode reads it: no rewrite records before 2, none saying what changed before 3', async (t) => {
      const open = await kind.database(t);
      const first = await SqlStore.open(open(), 'test');
      const batch = { repo: 'acme', by: 'ws', run: { commit: SHA(1), upstream: null, skipped: [] } };
      const task = { id: 'A', expectedVersion: 0, status: 'done' as const, title: 'Task A' };
      assert.ok((await first.sync({ ...batch, changes: [task], rewrites: [{ old: SHA(1), new: SHA(2), changed: ['A'] }] })).ok);
      await first.close();
      await raw(open, BACK_TO_SCHEMA_2);
      for (const [schema, rewrites] of [
        [2, [{ old: SHA(1), new: SHA(2), changed: [] }]],
        [1, []],
      ] as const) {
        if (schema === 1) await raw(open, [['DROP TABLE rewrites'], ['DELETE FROM schema_migrations WHERE version >= 2']]);
        const unmigrated = await SqlStore.open(open(), 'test', { migrate: false });
        try {
          const state = (await unmigrated.readRepo('acme')) as RepoState;
          assert.deepEqual(state.rewrites, rewrites, `schema ${schema}`);
          assert.deepEqual(
            state.tasks.map((x) => [x.id, x.status]),
            [['A', 'done']],
            `schema ${schema}: read before this, "no such table"`,
          );
        } finally {
          await unmigrated.close();
        }
      }
    });

    test('a database from a newer custodian-hooks is refused with the reason, and left as it is', async (t) => {
      const open = await kind.database(t);
      await (await SqlStore.open(open(), 'test')).close();
      await raw(open, [['INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [SCHEMA_VERSION + 1, new Date().toISOString()]]]);
      await assert.rejects(
        SqlStore.open(open(), 'test'),
        new RegExp(`at schema ${SCHEMA_VERSION + 1}, newer than this custodian-hooks knows \\(${SCHEMA_VERSION}\\); upgrade custodian-hooks`),
      );
    });
  });
}
