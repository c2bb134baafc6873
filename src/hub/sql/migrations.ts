import type { SqlDriver } from './driver.js';
import { UserError } from '../../errors.js';

/**
 * The schema, as numbered steps applied once each and recorded in schema_migrations. Never edit a
 * released step: add the next one. `{{serial}}` is the dialect's auto-increment key.
 */
const MIGRATIONS: readonly string[][] = [
  [
    `CREATE TABLE repos (
      slug TEXT PRIMARY KEY,
      revision INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL
    )`,
    `CREATE TABLE workplans (
      repo TEXT NOT NULL REFERENCES repos(slug),
      id TEXT NOT NULL,
      title TEXT,
      hub_id TEXT NOT NULL,
      PRIMARY KEY (repo, id)
    )`,
    `CREATE TABLE tasks (
      repo TEXT NOT NULL REFERENCES repos(slug),
      id TEXT NOT NULL,
      workplan TEXT,
      title TEXT NOT NULL,
      priority TEXT,
      status TEXT NOT NULL CHECK (status IN ('todo', 'in_progress', 'blocked', 'done', 'cancelled')),
      hub_id TEXT NOT NULL,
      version INTEGER NOT NULL,
      updated_at TEXT NOT NULL,
      updated_by TEXT NOT NULL,
      PRIMARY KEY (repo, id)
    )`,
    `CREATE TABLE sync_points (
      seq {{serial}},
      repo TEXT NOT NULL,
      task_id TEXT NOT NULL,
      status TEXT NOT NULL,
      commit_sha TEXT NOT NULL,
      upstream TEXT,
      origin TEXT NOT NULL,
      at TEXT NOT NULL,
      FOREIGN KEY (repo, task_id) REFERENCES tasks(repo, id)
    )`,
    `CREATE INDEX sync_points_by_task ON sync_points(repo, task_id, seq)`,
    `CREATE TABLE runs (
      seq {{serial}},
      repo TEXT NOT NULL REFERENCES repos(slug),
      commit_sha TEXT NOT NULL,
      upstream TEXT,
      machine TEXT NOT NULL,
      skipped TEXT NOT NULL,
      at TEXT NOT NULL
    )`,
    `CREATE INDEX runs_by_repo ON runs(repo, seq)`,
    `CREATE TABLE history (
      seq {{serial}},
      repo TEXT NOT NULL,
      task_id TEXT NOT NULL,
      from_status TEXT,
      to_status TEXT NOT NULL,
      changed_by TEXT NOT NULL,
      why TEXT,
      at TEXT NOT NULL,
      FOREIGN KEY (repo, task_id) REFERENCES tasks(repo, id)
    )`,
    `CREATE INDEX history_by_task ON history(repo, task_id, seq)`,
    `CREATE TABLE tokens (
      name TEXT PRIMARY KEY,
      hash TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL
    )`,
  ],
  [
    `CREATE TABLE rewrites (
      seq {{serial}},
      repo TEXT NOT NULL REFERENCES repos(slug),
      old_sha TEXT NOT NULL,
      new_sha TEXT NOT NULL,
      at TEXT NOT NULL,
      UNIQUE (repo, old_sha, new_sha)
    )`,
  ],
  [`ALTER TABLE rewrites ADD COLUMN changed TEXT NOT NULL DEFAULT '[]'`],
  // A random stamp per write, and the one before it: the ETag changes on every write, even when a
  // hub restored from a backup counts its revision up again to one a clone settled at.
  [`ALTER TABLE repos ADD COLUMN stamp TEXT`, `ALTER TABLE repos ADD COLUMN prev_stamp TEXT`],
  // The dashboard counts and pages one workplan's tasks without reading the whole repo's.
  [`CREATE INDEX tasks_by_workplan ON tasks(repo, workplan, status)`],
  // Rules v2: "the hub has not moved" is decided by a count of status changes, never by comparing
  // statuses; each point keeps the count it saw; and what retention dropped is said, so that no
  // clone reads an eviction as "no common point". Existing tasks start at 0, existing points at null.
  [
    `ALTER TABLE tasks ADD COLUMN status_version INTEGER NOT NULL DEFAULT 0`,
    `ALTER TABLE tasks ADD COLUMN dropped_through INTEGER`,
    `ALTER TABLE sync_points ADD COLUMN status_version INTEGER`,
    `ALTER TABLE repos ADD COLUMN runs_dropped INTEGER NOT NULL DEFAULT 0`,
  ],
  // The overview counts every workplan's tasks and their newest change from the index alone, and a
  // big workplan's page walks its repo's creations in order instead of sorting every task.
  [
    `DROP INDEX tasks_by_workplan`,
    `CREATE INDEX tasks_by_workplan ON tasks(repo, workplan, status, updated_at)`,
    `CREATE INDEX history_creations ON history(repo, seq) WHERE from_status IS NULL`,
  ],
  // When the rules last decided a task by rank (C-22), and its status count then: the dashboard
  // says so while that count holds, so a later change of status clears it with no write of its own.
  [`ALTER TABLE tasks ADD COLUMN rank_decided_at TEXT`, `ALTER TABLE tasks ADD COLUMN rank_decided_status_version INTEGER`],
  // The repository a repo's clones sync from: a clone of another one under the same slug is
  // refused instead of mixing two repos' tasks. Existing repos take the origin of their next sync.
  [`ALTER TABLE repos ADD COLUMN origin TEXT`],
  // Each workplan file's order of tasks, as the last run that laid it out sent it: the dashboard
  // lists a workplan in that order, and a task of a laid-out workplan that no file holds is in no
  // file (C-21). Display only. A place may name a task the hub has yet to hear of (its file was
  // dirty, its block unreadable): the task takes it when created. A task in two files (an id used
  // twice) has a place in each. Each task's row mirrors its first place, so that a page walks one
  // index in file order.
  [
    `CREATE TABLE layouts (
      repo TEXT NOT NULL REFERENCES repos(slug),
      file TEXT NOT NULL,
      workplan TEXT,
      digest TEXT NOT NULL,
      PRIMARY KEY (repo, file)
    )`,
    `CREATE INDEX layouts_by_workplan ON layouts(repo, workplan)`,
    `CREATE TABLE task_places (
      repo TEXT NOT NULL REFERENCES repos(slug),
      file TEXT NOT NULL,
      task_id TEXT NOT NULL,
      position INTEGER NOT NULL,
      PRIMARY KEY (repo, file, task_id)
    )`,
    `CREATE INDEX task_places_by_task ON task_places(repo, task_id, file)`,
    `ALTER TABLE tasks ADD COLUMN place_file TEXT`,
    `ALTER TABLE tasks ADD COLUMN place_position INTEGER`,
    `CREATE INDEX tasks_in_file_order ON tasks(repo, workplan, place_file, place_position)`,
  ],
  // The hub values a clone's merge driver settled status lines with (DriverPoint): another clone
  // that runs before it reads the merge as the agreement it is. Kept by age and count per repo.
  [
    `CREATE TABLE driver_points (
      seq {{serial}},
      repo TEXT NOT NULL REFERENCES repos(slug),
      task_id TEXT NOT NULL,
      status TEXT NOT NULL,
      status_version INTEGER NOT NULL,
      parent TEXT NOT NULL,
      theirs TEXT NOT NULL,
      at TEXT NOT NULL,
      UNIQUE (repo, task_id, status_version, parent, theirs)
    )`,
  ],
  // The hub time of a point a restore lost whose value a point's change put back: a clone that
  // holds a newer lost point reads that value as the older one it is. Null for every other point.
  [`ALTER TABLE sync_points ADD COLUMN restates TEXT`],
];

const SERIAL = { sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT', postgres: 'SERIAL PRIMARY KEY' } as const;

export const SCHEMA_VERSION = MIGRATIONS.length;
/** The first schema with rewrite records, and the first whose records say which tasks a rewrite changed. */
export const REWRITES_SCHEMA = 2;
export const REWRITES_CHANGED_SCHEMA = 3;
/** The first schema with layouts: a database read unmigrated (check mode) may be older. */
export const LAYOUTS_SCHEMA = 10;
/** The first schema with driver points. */
export const DRIVER_POINTS_SCHEMA = 11;
/** The first schema whose points say which lost point's value they put back. */
export const RESTATES_SCHEMA = 12;

/** The schema a database is at (0: none of ours). */
export async function schemaVersion(db: SqlDriver): Promise<number> {
  const [row] = await db.all<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
  return Number(row?.version ?? 0);
}

/** Brings the schema up to date; safe when several hub processes start at once. */
export async function migrate(db: SqlDriver): Promise<void> {
  await db.transaction(async (tx) => {
    // Hub processes starting together on one PostgreSQL take turns here.
    if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(7410326)');
    await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const [row] = await tx.all<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
    const current = row?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new UserError(`the hub database is at schema ${current}, newer than this custodian-hooks knows (${MIGRATIONS.length}); upgrade custodian-hooks`, 1);
    }
    for (let version = current + 1; version <= MIGRATIONS.length; version++) {
      for (const statement of MIGRATIONS[version - 1]!) await tx.run(statement.replaceAll('{{serial}}', SERIAL[tx.dialect]));
      await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [version, new Date().toISOString()]);
    }
  });
}
