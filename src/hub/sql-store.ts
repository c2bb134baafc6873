import { randomUUID } from 'node:crypto';
import { isStatus, type Status } from '../status.js';
import type { ActivityEntry, StatusCount, TaskFilter, TaskPage, WorkplanKey } from './dashboard/model.js';
import type { NamedStatement, SqlDriver } from './sql/driver.js';
import { breather } from './breather.js';
import { BUMP_REVISION, newStamp, REPO_ROW, type RepoStamp, repoEtag } from './etag.js';
import {
  DRIVER_POINTS_SCHEMA,
  LAYOUTS_SCHEMA,
  migrate,
  RESTATES_SCHEMA,
  REWRITES_CHANGED_SCHEMA,
  REWRITES_SCHEMA,
  SCHEMA_VERSION,
  schemaVersion,
} from './sql/migrations.js';
import { dropExpired } from './sql/drop-expired.js';
import { checkDriverPoints, readHubDriverPoints, recordDriverPoints } from './sql/driver-points.js';
import { eachIdList, inChunks, insertRows, marks } from './sql/rows.js';
import { applyLayouts, checkLayouts, mirrorPlaces, readLayouts } from './sql/layouts.js';
import { pageIds } from './sql/task-page.js';
import { STATUS_UPDATE_STATEMENT } from './sql/postgres-status-update.js';
import { ORIGIN_MAX_LENGTH } from '../repo-slug.js';
import { isHubTime } from './hub-time.js';
import { hashToken, newToken } from './tokens.js';
import { shown, taskIdProblem, textProblem } from './valid-text.js';
import { type Retention, retentionFrom } from './retention.js';
import {
  InvalidRequestError,
  NotFoundError,
  otherRepository,
  type Conflict,
  type HistoryEntry,
  type Hub,
  type HubTask,
  type RecordedPoint,
  type RepoState,
  type RepoSummary,
  type StatusUpdate,
  type StatusUpdateResult,
  type SyncBatch,
  type SyncPoint,
  type SyncResult,
} from './types.js';

interface TaskRow {
  id: string;
  workplan: string | null;
  title: string;
  priority: string | null;
  status: Status;
  hub_id: string;
  version: number;
  updated_at: string;
  updated_by: string;
  /** Absent in a database read (check mode) at a schema before 6. */
  status_version?: number;
  dropped_through?: number | null;
  /** Where the last layout placed it (see migration 10); absent before schema 10. */
  place_file?: string | null;
}

interface PointRow {
  seq: number;
  task_id: string;
  status: Status;
  commit_sha: string;
  upstream: string | null;
  origin: string;
  at: string;
  status_version?: number | null;
  /** Absent before schema 12. */
  restates?: string | null;
}

const orNull = (value: number | string | null | undefined): number | null => (value === null || value === undefined ? null : Number(value));

const toTask = (row: TaskRow, points: SyncPoint[] = []): HubTask => ({
  id: row.id,
  workplan: row.workplan,
  title: row.title,
  priority: row.priority,
  status: row.status,
  hubId: row.hub_id,
  version: Number(row.version),
  statusVersion: Number(row.status_version ?? 0),
  droppedThrough: orNull(row.dropped_through),
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
  points,
});

const toPoint = (row: PointRow): SyncPoint => ({
  status: row.status,
  commit: row.commit_sha,
  upstream: row.upstream,
  origin: row.origin,
  at: row.at,
  seq: Number(row.seq),
  statusVersion: orNull(row.status_version),
  ...(row.restates ? { restates: row.restates } : {}),
});

/** Statements nearly every request runs: every conditional read, every write. */
const READ_REPO_ROW: NamedStatement = { name: 'repo-row', text: REPO_ROW };
const TOKEN_OWNER: NamedStatement = { name: 'token-owner', text: 'SELECT name FROM tokens WHERE hash = ?' };

/** A batch that cannot apply; thrown inside the transaction so that nothing of it stays. */
class BatchConflict extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super('stale versions');
  }
}

/** Records, per task, the newest seq among `dropped` points (never lowering what was recorded before). */
async function markDroppedPoints(tx: SqlDriver, repo: string, dropped: readonly { seq: number; task_id?: string }[]): Promise<void> {
  const through = new Map<string, number>();
  for (const { seq, task_id } of dropped) through.set(task_id!, Math.max(Number(seq), through.get(task_id!) ?? -1));
  await inChunks([...through], 500, (part) =>
    tx.run(
      `WITH dropped (task_id, through) AS (VALUES ${part.map(() => '(?, ?)').join(', ')})
       UPDATE tasks SET dropped_through = CAST(through AS INTEGER) FROM dropped
       WHERE repo = ? AND id = task_id AND (dropped_through IS NULL OR dropped_through < CAST(through AS INTEGER))`,
      [...part.flat(), repo],
    ),
  );
}

/** The rows of `table` for these tasks, in the order the full read gives them. */
async function selectByTask<Row>(
  tx: SqlDriver,
  table: 'tasks' | 'sync_points',
  column: 'id' | 'task_id',
  repo: string,
  ids: readonly string[],
  lock = '',
): Promise<Row[]> {
  const parts = await eachIdList(tx, [...new Set(ids)], (inList, values) =>
    tx.all<Row>(`SELECT * FROM ${table} WHERE repo = ? AND ${column} ${inList} ORDER BY ${column === 'id' ? 'id' : 'seq'}${lock}`, [repo, ...values]),
  );
  return parts.flat() as Row[];
}

/** History rows `[repo, task, from, to, by, why, at]`, in order. */
const insertHistory = (tx: SqlDriver, rows: readonly unknown[][]) =>
  insertRows(tx, 'history (repo, task_id, from_status, to_status, changed_by, why, at)', rows);

/**
 * Updates tasks, each row `[id, workplan, title, priority, status, version read]`, only where the
 * task still has that version; returns the ids it updated.
 */
async function updateTasks(tx: SqlDriver, batch: SyncBatch, rows: readonly unknown[][], now: string): Promise<{ id: string }[]> {
  const parts = await inChunks(rows, 500, (part) =>
    tx.all<{ id: string }>(
      `WITH next (task_id, new_workplan, new_title, new_priority, new_status, read_version) AS (VALUES ${part.map(() => `(${marks(6)})`).join(', ')})
       UPDATE tasks SET workplan = new_workplan, title = new_title, priority = new_priority, status = new_status,
         status_version = status_version + CASE WHEN status = new_status THEN 0 ELSE 1 END,
         version = version + 1, updated_at = ?, updated_by = ?
       FROM next WHERE repo = ? AND id = task_id AND version = CAST(read_version AS INTEGER) RETURNING id`,
      [...part.flat(), now, batch.by, batch.repo],
    ),
  );
  return parts.flat();
}

/** How a store is opened: `migrate: false` for a read-only database, read at the schema it has. */
export interface StoreOptions {
  migrate?: boolean;
  retention?: Partial<Retention>;
}

/** The changes of a batch applied to its tasks, and the points still to record once the repo is locked. */
interface Applied {
  versions: Record<string, number>;
  /** Rows `[repo, task, status, commit, upstream, origin, at, statusVersion, restates]`, in the batch's order. */
  points: unknown[][];
}

/**
 * A repo belongs to the repository its first clone synced from; a clone of another one under the
 * same slug is refused, and told how to give it a slug of its own.
 */
async function claimOrigin(tx: SqlDriver, repo: string, origin: string): Promise<void> {
  const [row] = await tx.all<{ origin: string | null }>('SELECT origin FROM repos WHERE slug = ?', [repo]);
  if (!row?.origin) {
    await tx.run('UPDATE repos SET origin = ? WHERE slug = ?', [origin, repo]);
    return;
  }
  if (row.origin !== origin) {
    throw new InvalidRequestError(otherRepository(repo, row.origin, origin));
  }
}

/** A batch's changes as rows to write, each against the row it was checked against. */
interface ChangeRows {
  created: unknown[][];
  changed: unknown[][];
  history: unknown[][];
  points: unknown[][];
  versions: Record<string, number>;
}

async function changeRows(batch: SyncBatch, current: ReadonlyMap<string, TaskRow>, now: string): Promise<ChangeRows> {
  const rows: ChangeRows = { created: [], changed: [], history: [], points: [], versions: {} };
  const breathe = breather();
  for (const [at, change] of batch.changes.entries()) {
    // Tens of thousands of changes are a long loop: other requests get a turn now and then.
    if (at % 1000 === 999) await breathe();
    const row = current.get(change.id);
    // A new task always names its status (validateBatch).
    const status = change.status ?? row!.status;
    // The version check makes this exact: a row still at the version read still has the status read.
    const statusVersion = row ? Number(row.status_version ?? 0) + (status === row.status ? 0 : 1) : 0;
    if (!row) {
      const hubId = change.hubId ?? randomUUID();
      rows.created.push([
        batch.repo,
        change.id,
        change.workplan?.id ?? null,
        change.title ?? change.id,
        change.priority ?? null,
        status,
        hubId,
        1,
        now,
        batch.by,
      ]);
      rows.history.push([batch.repo, change.id, null, status, batch.by, batch.why ?? 'created', now]);
      rows.versions[change.id] = 1;
    } else {
      const next = [
        change.workplan?.id ?? row.workplan,
        change.title ?? row.title,
        change.priority === undefined ? row.priority : change.priority,
        status,
      ] as const;
      const same = next[0] === row.workplan && next[1] === row.title && next[2] === row.priority && status === row.status;
      if (!same) rows.changed.push([change.id, ...next, Number(row.version)]);
      if (status !== row.status) rows.history.push([batch.repo, change.id, row.status, status, batch.by, batch.why ?? null, now]);
      rows.versions[change.id] = Number(row.version) + (same ? 0 : 1);
    }
    if (change.point) {
      if (change.point.status !== status) {
        throw new InvalidRequestError(`task '${change.id}': a sync point must hold the task's status (${status}), not ${change.point.status}`);
      }
      const { point } = change;
      rows.points.push([batch.repo, change.id, point.status, point.commit, point.upstream, point.origin, now, statusVersion, point.restates ?? null]);
    }
  }
  return rows;
}

/** The hub's data on a SQL database (SQLite or PostgreSQL): the one implementation of the contract. */
export class SqlStore implements Hub {
  private constructor(
    private readonly db: SqlDriver,
    readonly location: string,
    private readonly retention: Retention,
    /** The schema the database is at: older only when it is read unmigrated. */
    private readonly schema: number,
  ) {}

  static async open(db: SqlDriver, location: string, { migrate: upgrade = true, retention = {} }: StoreOptions = {}): Promise<SqlStore> {
    try {
      const kept = retentionFrom(retention);
      if (upgrade) await migrate(db);
      return new SqlStore(db, location, kept, upgrade ? SCHEMA_VERSION : await schemaVersion(db));
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  /** How many requests may use the store at once (see SqlDriver.slots). */
  get slots(): number {
    return this.db.slots;
  }

  private lockSuffix(tx: SqlDriver): string {
    return tx.dialect === 'postgres' ? ' FOR UPDATE' : '';
  }

  private async repoRow(
    tx: SqlDriver,
    repo: string,
  ): Promise<(RepoStamp & { prev_stamp: string | null; runsDropped: boolean; origin: string | null }) | undefined> {
    // Every column, not a list: a hub read in check mode is not migrated, and one from before
    // schema 4 has no stamps yet (its ETags are then as they were), one from before 6 no flag.
    const [row] = await tx.all<RepoStamp & { prev_stamp: string | null; runs_dropped?: number; origin?: string | null }>(READ_REPO_ROW, [repo]);
    return (
      row && {
        revision: Number(row.revision),
        created_at: row.created_at,
        stamp: row.stamp ?? null,
        prev_stamp: row.prev_stamp ?? null,
        runsDropped: Number(row.runs_dropped ?? 0) !== 0,
        origin: row.origin ?? null,
      }
    );
  }

  /** The repo's ETag now, without reading its tasks. */
  async currentEtag(repo: string): Promise<string> {
    return repoEtag(await this.repoRow(this.db, repo));
  }

  async readRepo(repo: string, ifNoneMatch?: string, only?: readonly string[]): Promise<RepoState | 'not-modified'> {
    // An id the hub refuses to store cannot be there: asking for it is no error, it just finds nothing.
    const wanted = only?.filter((id) => !taskIdProblem(id));
    return this.db.transaction(async (tx) => {
      // The ETag is read first, so the rows below are at least as new as it says.
      const repoRow = await this.repoRow(tx, repo);
      const etag = repoEtag(repoRow);
      if (ifNoneMatch === etag) return 'not-modified';
      const rows = wanted
        ? await selectByTask<TaskRow>(tx, 'tasks', 'id', repo, wanted)
        : await tx.all<TaskRow>('SELECT * FROM tasks WHERE repo = ? ORDER BY id', [repo]);
      const pointRows = wanted
        ? await selectByTask<PointRow>(tx, 'sync_points', 'task_id', repo, wanted)
        : await tx.all<PointRow>('SELECT * FROM sync_points WHERE repo = ? ORDER BY seq', [repo]);
      const points = new Map<string, SyncPoint[]>();
      for (const row of pointRows) {
        const list = points.get(row.task_id);
        if (list) list.push(toPoint(row));
        else points.set(row.task_id, [toPoint(row)]);
      }
      const runs = await tx.all<{ commit_sha: string; upstream: string | null; machine: string; skipped: string; at: string }>(
        'SELECT * FROM runs WHERE repo = ? ORDER BY seq',
        [repo],
      );
      const rewrites = await this.rewriteRows(tx, repo);
      return {
        repo,
        etag,
        tasks: rows.map((row) => toTask(row, points.get(row.id))),
        runs: runs.map((r) => ({ commit: r.commit_sha, upstream: r.upstream, machine: r.machine, skipped: JSON.parse(r.skipped) as string[], at: r.at })),
        rewrites: rewrites.map((r) => ({ old: r.old_sha, new: r.new_sha, changed: JSON.parse(r.changed) as string[] })),
        runsDropped: repoRow?.runsDropped ?? false,
        ...(repoRow?.origin ? { origin: repoRow.origin } : {}),
        // A read of some tasks: the layouts of their workplans' files, where those tasks sit or sat.
        layouts:
          this.schema >= LAYOUTS_SCHEMA
            ? await readLayouts(tx, repo, wanted && [...new Set(rows.flatMap((r) => (r.workplan === null ? [] : [r.workplan])))])
            : {},
        ...(this.schema >= DRIVER_POINTS_SCHEMA ? { driverPoints: await readHubDriverPoints(tx, repo, wanted) } : {}),
        ...(this.schema >= RESTATES_SCHEMA ? { restatements: true as const } : {}),
      };
    });
  }

  /** The repo's rewrite records; read unmigrated (check mode), none before schema 2 and none saying what changed before 3. */
  private async rewriteRows(tx: SqlDriver, repo: string): Promise<{ old_sha: string; new_sha: string; changed: string }[]> {
    if (this.schema < REWRITES_SCHEMA) return [];
    const changed = this.schema >= REWRITES_CHANGED_SCHEMA ? 'changed' : "'[]' AS changed";
    return tx.all(`SELECT old_sha, new_sha, ${changed} FROM rewrites WHERE repo = ? ORDER BY seq`, [repo]);
  }

  async sync(batch: SyncBatch): Promise<SyncResult> {
    await validateBatch(batch);
    try {
      return await this.db.transaction(async (tx) => {
        const now = new Date().toISOString();
        await tx.run('INSERT INTO repos (slug, revision, created_at) VALUES (?, 0, ?) ON CONFLICT (slug) DO NOTHING', [batch.repo, now]);
        if (batch.origin) await claimOrigin(tx, batch.repo, batch.origin);
        const rows = await selectByTask<TaskRow>(
          tx,
          'tasks',
          'id',
          batch.repo,
          batch.changes.map((c) => c.id),
          this.lockSuffix(tx),
        );
        const current = new Map(rows.map((row) => [row.id, row]));
        const conflicts: Conflict[] = [];
        for (const change of batch.changes) {
          const row = current.get(change.id);
          if ((row ? Number(row.version) : 0) !== change.expectedVersion)
            conflicts.push({ id: change.id, expectedVersion: change.expectedVersion, current: row ? toTask(row) : null });
        }
        if (conflicts.length > 0) throw new BatchConflict(conflicts);
        const { versions, points } = await this.applyChanges(tx, batch, current, now);
        const laidOut = await applyLayouts(tx, batch);
        // Numbered before the lock below: no rule orders them against the other records.
        const noted = await recordDriverPoints(tx, batch, this.retention, now);
        const bumped = batch.changes.length > 0 || !!batch.run || !!batch.rewrites?.length || laidOut || noted > 0;
        // Every change bumps the revision by one under the repo row's lock, held to the commit:
        // the one before this batch's is the state it applied on. Taken before any record is
        // numbered, so seqs rise within a repo in the order batches commit.
        if (bumped) await tx.run(BUMP_REVISION, [newStamp(), batch.repo]);
        const recorded = await this.recordPoints(tx, batch.repo, points, now);
        await this.recordRunAndRewrites(tx, batch, now);
        const row = await this.repoRow(tx, batch.repo);
        const basis = repoEtag(bumped && row ? { ...row, revision: row.revision - 1, stamp: row.prev_stamp } : row);
        return { ok: true as const, etag: repoEtag(row), basis, versions, points: recorded, at: now };
      });
    } catch (error) {
      if (error instanceof BatchConflict) return { ok: false, conflicts: error.conflicts };
      throw error;
    }
  }

  /** Keeps the batch's run record and rewrite records, and drops what retention lets go. */
  private async recordRunAndRewrites(tx: SqlDriver, batch: SyncBatch, now: string): Promise<void> {
    const expiry = { maxAgeMs: this.retention.maxAgeMs, now };
    if (batch.run) {
      await tx.run('INSERT INTO runs (repo, commit_sha, upstream, machine, skipped, at) VALUES (?, ?, ?, ?, ?, ?)', [
        batch.repo,
        batch.run.commit,
        batch.run.upstream,
        batch.by,
        JSON.stringify(batch.run.skipped),
        now,
      ]);
      const dropped = await dropExpired(tx, 'runs', batch.repo, { kept: this.retention.runs, ...expiry });
      if (dropped.length > 0) await tx.run('UPDATE repos SET runs_dropped = 1 WHERE slug = ?', [batch.repo]);
    }
    for (const rewrite of batch.rewrites ?? []) {
      await tx.run('INSERT INTO rewrites (repo, old_sha, new_sha, changed, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (repo, old_sha, new_sha) DO NOTHING', [
        batch.repo,
        rewrite.old,
        rewrite.new,
        JSON.stringify(rewrite.changed),
        now,
      ]);
    }
    if (batch.rewrites?.length) await dropExpired(tx, 'rewrites', batch.repo, { kept: this.retention.rewrites, ...expiry });
  }

  /**
   * Applies checked changes, `current` holding the rows they were checked against; returns each
   * task's version after, and the points to record. Everything goes in a few statements of many
   * rows, each row still checked: a task created or changed by another writer since it was read
   * fails the batch.
   */
  private async applyChanges(tx: SqlDriver, batch: SyncBatch, current: ReadonlyMap<string, TaskRow>, now: string): Promise<Applied> {
    // The last title given for a workplan wins, as it would one change at a time.
    const workplans = new Map(batch.changes.flatMap((c) => (c.workplan ? [[c.workplan.id, c.workplan.title] as const] : [])));
    await insertRows(
      tx,
      'workplans (repo, id, title, hub_id)',
      [...workplans].map(([id, title]) => [batch.repo, id, title, randomUUID()]),
      ' ON CONFLICT (repo, id) DO UPDATE SET title = excluded.title',
    );
    const rows = await changeRows(batch, current, now);
    // SQLite reads take no row lock: another writer may have got there since the rows were read.
    const inserted = await insertRows<{ id: string }>(
      tx,
      'tasks (repo, id, workplan, title, priority, status, hub_id, version, updated_at, updated_by)',
      rows.created,
      ' ON CONFLICT (repo, id) DO NOTHING RETURNING id',
    );
    const updated = await updateTasks(tx, batch, rows.changed, now);
    const done = new Set([...inserted, ...updated].map((r) => r.id));
    const lost = [...rows.created.map((c) => c[1]), ...rows.changed.map((c) => c[0])].filter((id) => !done.has(id as string)) as string[];
    if (lost.length > 0) {
      throw new BatchConflict(
        lost.map((id) => {
          const row = current.get(id);
          return { id, expectedVersion: row ? Number(row.version) : 0, current: row ? toTask(row) : null };
        }),
      );
    }
    await insertHistory(tx, rows.history);
    // New tasks take the places a layout already gave them.
    await mirrorPlaces(
      tx,
      batch.repo,
      inserted.map((r) => r.id),
      true,
    );
    // After the updates: the status count kept is the one the decided status has.
    const byRank = batch.changes.filter((c) => c.decidedByRank).map((c) => c.id);
    await eachIdList(tx, byRank, (inList, values) =>
      tx.run(`UPDATE tasks SET rank_decided_at = ?, rank_decided_status_version = status_version WHERE repo = ? AND id ${inList}`, [
        now,
        batch.repo,
        ...values,
      ]),
    );
    return { versions: rows.versions, points: rows.points };
  }

  /** Inserts `points` (see Applied), drops what retention lets go and says so per task; returns what each point was assigned. */
  private async recordPoints(tx: SqlDriver, repo: string, points: readonly unknown[][], now: string): Promise<RecordedPoint[]> {
    const assigned = await insertRows<{ seq: number; task_id: string }>(
      tx,
      'sync_points (repo, task_id, status, commit_sha, upstream, origin, at, status_version, restates)',
      points,
      ' RETURNING seq, task_id',
    );
    // RETURNING promises no order; a task has one point a batch (validateBatch).
    const seqOf = new Map(assigned.map((row) => [row.task_id, Number(row.seq)]));
    const tasks = points.map((p) => p[1] as string);
    const dropped = await dropExpired(tx, 'sync_points', repo, { kept: this.retention.points, maxAgeMs: this.retention.maxAgeMs, now }, tasks);
    await markDroppedPoints(tx, repo, dropped);
    return points.map((p) => ({ id: p[1] as string, seq: seqOf.get(p[1] as string)!, statusVersion: p[7] as number }));
  }

  async setStatus(update: StatusUpdate): Promise<StatusUpdateResult> {
    checkStatusUpdate(update);
    checkText([['by', update.by]], update.id);
    if (this.db.dialect === 'postgres') return answerOf(update, await this.setStatusAtOnce(update, { by: update.by }));
    return this.db.transaction(async (tx) => {
      const [row] = await tx.all<TaskRow>('SELECT * FROM tasks WHERE repo = ? AND id = ?', [update.repo, update.id]);
      if (!row) throw new NotFoundError(`no task '${update.id}' in repo '${update.repo}'`);
      const task = toTask(row);
      if (update.expectedVersion !== undefined && update.expectedVersion !== task.version) return { ok: false as const, current: task };
      if (update.status === task.status) return { ok: true as const, task };
      const now = new Date().toISOString();
      await tx.run(
        'UPDATE tasks SET status = ?, version = version + 1, status_version = status_version + 1, updated_at = ?, updated_by = ? WHERE repo = ? AND id = ?',
        [update.status, now, update.by, update.repo, update.id],
      );
      await insertHistory(tx, [[update.repo, update.id, task.status, update.status, update.by, update.why ?? null, now]]);
      await tx.run(BUMP_REVISION, [newStamp(), update.repo]);
      return {
        ok: true as const,
        task: { ...task, status: update.status, version: task.version + 1, statusVersion: task.statusVersion + 1, updatedAt: now, updatedBy: update.by },
      };
    });
  }

  /**
   * setStatus by the bearer of `token`, whom history names by the token's owner; 'unknown-token'
   * when no token has that value. On PostgreSQL the token is looked up by the update's own
   * statement: one round trip a request, the hub's busiest write.
   */
  async setStatusAs(token: string, update: Omit<StatusUpdate, 'by'>): Promise<StatusUpdateResult | 'unknown-token'> {
    if (this.db.dialect !== 'postgres') {
      const by = await this.tokenOwner(token);
      return by === null ? 'unknown-token' : this.setStatus({ ...update, by });
    }
    checkStatusUpdate(update);
    const row = await this.setStatusAtOnce(update, { tokenHash: hashToken(token) });
    return row.caller === null ? 'unknown-token' : answerOf(update, row);
  }

  /** setStatus on PostgreSQL: one statement, one round trip (see STATUS_UPDATE_STATEMENT). */
  private async setStatusAtOnce(update: Omit<StatusUpdate, 'by'>, writer: { by: string } | { tokenHash: string }): Promise<StatusUpdateRow> {
    const [row] = await this.db.all<StatusUpdateRow>(STATUS_UPDATE_STATEMENT, [
      update.repo,
      update.id,
      update.status,
      update.expectedVersion ?? null,
      new Date().toISOString(),
      'by' in writer ? writer.by : null,
      'tokenHash' in writer ? writer.tokenHash : null,
      update.why ?? null,
      newStamp(),
    ]);
    return row!;
  }

  async history(repo: string, id: string): Promise<HistoryEntry[]> {
    checkTaskId(id);
    const [task] = await this.db.all<{ id: string }>('SELECT id FROM tasks WHERE repo = ? AND id = ?', [repo, id]);
    if (!task) throw new NotFoundError(`no task '${id}' in repo '${repo}'`);
    const rows = await this.db.all<{ task_id: string; from_status: Status | null; to_status: Status; changed_by: string; why: string | null; at: string }>(
      'SELECT * FROM history WHERE repo = ? AND task_id = ? ORDER BY seq',
      [repo, id],
    );
    return rows.map((r) => ({ taskId: r.task_id, from: r.from_status, to: r.to_status, by: r.changed_by, why: r.why, at: r.at }));
  }

  async listRepos(slug?: string): Promise<RepoSummary[]> {
    const rows = await this.db.all<{ slug: string; revision: number; tasks: number | string }>(
      `SELECT r.slug, r.revision, COUNT(t.id) AS tasks FROM repos r LEFT JOIN tasks t ON t.repo = r.slug
       ${slug === undefined ? '' : 'WHERE r.slug = ?'} GROUP BY r.slug, r.revision ORDER BY r.slug`,
      slug === undefined ? [] : [slug],
    );
    return rows.map((r) => ({ slug: r.slug, tasks: Number(r.tasks), revision: Number(r.revision) }));
  }

  /**
   * One page of the workplans that hold tasks, as (repo, workplan) pairs by repo and workplan id,
   * the tasks under no workplan last in their repo. Read from an index, never from the rows.
   */
  async workplanKeys(offset: number, limit: number): Promise<WorkplanKey[]> {
    return this.db.all<WorkplanKey>('SELECT repo, workplan FROM tasks GROUP BY repo, workplan ORDER BY repo, workplan IS NULL, workplan LIMIT ? OFFSET ?', [
      limit,
      offset,
    ]);
  }

  /** Repos the hub knows that hold no task, by slug. */
  async reposWithoutTasks(): Promise<string[]> {
    const rows = await this.db.all<{ slug: string }>('SELECT slug FROM repos r WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.repo = r.slug) ORDER BY slug');
    return rows.map((r) => r.slug);
  }

  /**
   * Tasks per status of these workplans, each with its newest change. Counted first, from the
   * index that holds repo, workplan, status and time, and only then joined to the titles.
   */
  async statusCounts(workplans: readonly WorkplanKey[]): Promise<StatusCount[]> {
    if (workplans.length === 0) return [];
    const byRepo = new Map<string, { named: string[]; unnamed: boolean }>();
    for (const { repo, workplan } of workplans) {
      const entry = byRepo.get(repo) ?? { named: [], unnamed: false };
      if (workplan === null) entry.unnamed = true;
      else entry.named.push(workplan);
      byRepo.set(repo, entry);
    }
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [repo, { named, unnamed }] of byRepo) {
      if (named.length > 0) {
        where.push(`(repo = ? AND workplan IN (${marks(named.length)}))`);
        params.push(repo, ...named);
      }
      if (unnamed) {
        where.push('(repo = ? AND workplan IS NULL)');
        params.push(repo);
      }
    }
    const rows = await this.db.all<{ repo: string; workplan: string | null; title: string | null; status: Status; count: number | string; last: string }>(
      `SELECT c.repo, c.workplan, w.title, c.status, c.count, c.last
       FROM (SELECT repo, workplan, status, COUNT(*) AS count, MAX(updated_at) AS last FROM tasks
         WHERE ${where.join(' OR ')} GROUP BY repo, workplan, status) c
       LEFT JOIN workplans w ON w.repo = c.repo AND w.id = c.workplan
       ORDER BY c.repo, c.workplan IS NULL, c.workplan, c.status`,
      params,
    );
    return rows.map((r) => ({ repo: r.repo, workplan: r.workplan, workplanTitle: r.title, status: r.status, count: Number(r.count), lastChange: r.last }));
  }

  /**
   * One page of a workplan's tasks in file order (see `pageIds`), each with the reason of its last
   * status change, its newest sync point's status, and whether it is in no file (C-21): its
   * workplan was laid out, and no file holds it.
   */
  async taskPage(filter: TaskFilter): Promise<TaskPage> {
    return this.db.transaction(async (tx) => {
      const { ids, matching } = await pageIds(tx, filter);
      const [laidOut] =
        filter.workplan === null ? [] : await tx.all('SELECT 1 AS known FROM layouts WHERE repo = ? AND workplan = ? LIMIT 1', [filter.repo, filter.workplan]);
      const rows =
        ids.length === 0
          ? []
          : await tx.all<TaskRow & { why: string | null; agreed: Status | null; rank_decided_at: string | null; rank_decided_status_version: number | null }>(
              `SELECT t.*,
                 (SELECT h.why FROM history h WHERE h.repo = t.repo AND h.task_id = t.id ORDER BY h.seq DESC LIMIT 1) AS why,
                 (SELECT p.status FROM sync_points p WHERE p.repo = t.repo AND p.task_id = t.id ORDER BY p.seq DESC LIMIT 1) AS agreed
               FROM tasks t WHERE t.repo = ? AND t.id IN (${marks(ids.length)})`,
              [filter.repo, ...ids],
            );
      const byId = new Map(rows.map((r) => [r.id, r]));
      const tasks = ids.flatMap((id) => {
        const r = byId.get(id);
        if (!r) return [];
        const { points: _points, hubId: _hubId, workplan: _workplan, ...task } = toTask(r);
        const rankHolds = r.rank_decided_status_version !== null && Number(r.rank_decided_status_version) === task.statusVersion;
        return [{ ...task, why: r.why, agreed: r.agreed, inNoFile: !!laidOut && r.place_file === null, rankDecidedAt: rankHolds ? r.rank_decided_at : null }];
      });
      return { tasks, matching };
    });
  }

  /** A task's status changes, newest first, `limit` from `offset`. */
  async historyPage(repo: string, id: string, offset: number, limit: number): Promise<HistoryEntry[]> {
    const rows = await this.db.all<{ task_id: string; from_status: Status | null; to_status: Status; changed_by: string; why: string | null; at: string }>(
      'SELECT * FROM history WHERE repo = ? AND task_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?',
      [repo, id, limit, offset],
    );
    return rows.map((r) => ({ taskId: r.task_id, from: r.from_status, to: r.to_status, by: r.changed_by, why: r.why, at: r.at }));
  }

  /** Status changes across every repo since `since` (ISO time), newest first, `limit` from `offset`. */
  async activity(since: string, offset: number, limit: number): Promise<ActivityEntry[]> {
    const rows = await this.db.all<{
      repo: string;
      task_id: string;
      title: string;
      from_status: Status | null;
      to_status: Status;
      changed_by: string;
      why: string | null;
      at: string;
    }>(
      `SELECT h.repo, h.task_id, t.title, h.from_status, h.to_status, h.changed_by, h.why, h.at
       FROM history h JOIN tasks t ON t.repo = h.repo AND t.id = h.task_id WHERE h.at >= ? ORDER BY h.seq DESC LIMIT ? OFFSET ?`,
      [since, limit, offset],
    );
    return rows.map((r) => ({ repo: r.repo, taskId: r.task_id, title: r.title, from: r.from_status, to: r.to_status, by: r.changed_by, why: r.why, at: r.at }));
  }

  /** Changes whenever anything in the hub is written: every write bumps a repo's revision. */
  async hubRevision(): Promise<string> {
    const [row] = await this.db.all<{ revisions: number | string | null; repos: number | string }>(
      'SELECT SUM(revision) AS revisions, COUNT(*) AS repos FROM repos',
    );
    return `"hub.${Number(row?.revisions ?? 0)}.${Number(row?.repos ?? 0)}"`;
  }

  /** Issues a bearer token for `name`; only its hash is kept, so this is the one time it is seen. */
  async createToken(name: string): Promise<string> {
    const token = newToken();
    const added = await this.db.run('INSERT INTO tokens (name, hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', [
      name,
      hashToken(token),
      new Date().toISOString(),
    ]);
    if (added !== 1) throw new InvalidRequestError(`a token named '${name}' already exists`);
    return token;
  }

  /** Every token's name and when it was issued, by name; never the token or its hash. */
  async listTokens(): Promise<{ name: string; createdAt: string }[]> {
    const rows = await this.db.all<{ name: string; created_at: string }>('SELECT name, created_at FROM tokens ORDER BY name');
    return rows.map((r) => ({ name: r.name, createdAt: r.created_at }));
  }

  /** Withdraws the token named `name`; false when there is none. Its next request is refused. */
  /**
   * Gives `repo` to the repository `origin` (see originIdentity), after it moved; null forgets it,
   * and the next clone to sync claims it. False for a repo the hub does not hold.
   */
  async releaseRepo(repo: string, origin: string | null): Promise<boolean> {
    return (await this.db.run('UPDATE repos SET origin = ? WHERE slug = ?', [origin, repo])) === 1;
  }

  async revokeToken(name: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM tokens WHERE name = ?', [name])) === 1;
  }

  /** The name a token was issued to, or null. */
  async tokenOwner(token: string): Promise<string | null> {
    const [row] = await this.db.all<{ name: string }>(TOKEN_OWNER, [hashToken(token)]);
    return row?.name ?? null;
  }

  private closing: Promise<void> | undefined;
  /** Safe to call more than once (the server and its owner may both close it). */
  close(): Promise<void> {
    this.closing ??= this.db.close();
    return this.closing;
  }
}

/** What STATUS_UPDATE_STATEMENT answers: the writer's name, and the task's row (null columns when there is none). */
type StatusUpdateRow = TaskRow & { caller: string | null; applied: boolean | null };

/** A status update's own fields, checked before anything is read. */
function checkStatusUpdate(update: Omit<StatusUpdate, 'by'>): void {
  if (!isStatus(update.status)) throw new InvalidRequestError(`unknown status '${String(update.status)}'`);
  checkTaskId(update.id);
  checkText([['why', update.why]], update.id);
}

/** The answer to `update` from the statement's row: not applied is a conflict only for a stale version. */
function answerOf(update: Omit<StatusUpdate, 'by'>, row: StatusUpdateRow): StatusUpdateResult {
  if (row.id === null) throw new NotFoundError(`no task '${update.id}' in repo '${update.repo}'`);
  const task = toTask(row);
  // Not applied: a stale version, or the status the task already has (no change, no conflict).
  const stale = !row.applied && update.expectedVersion !== undefined && update.expectedVersion !== task.version;
  return stale ? { ok: false, current: task } : { ok: true, task };
}

function checkTaskId(id: string): void {
  const problem = taskIdProblem(id);
  if (problem) throw new InvalidRequestError(`task id ${shown(id)} ${problem}`);
}

/** Refuses the request when one of `fields` could not be stored and read back as it is; `id` names the task they belong to. */
function checkText(fields: [name: string, value: string | null | undefined][], id?: string): void {
  for (const [name, value] of fields) {
    const problem = typeof value === 'string' ? textProblem(value) : null;
    if (problem) throw new InvalidRequestError(`${id === undefined ? 'the request' : `task ${shown(id)}`}: ${name} ${shown(value!)} ${problem}`);
  }
}

async function validateBatch(batch: SyncBatch): Promise<void> {
  checkText([
    ['by', batch.by],
    ['why', batch.why],
    ['origin', batch.origin],
  ]);
  if (batch.origin !== undefined && (batch.origin.length === 0 || batch.origin.length > ORIGIN_MAX_LENGTH))
    throw new InvalidRequestError(`origin must be 1 to ${ORIGIN_MAX_LENGTH} characters`);
  const seen = new Set<string>();
  const breathe = breather();
  for (const [at, change] of batch.changes.entries()) {
    if (at % 1000 === 999) await breathe();
    checkTaskId(change.id);
    checkText(
      [
        ['title', change.title],
        ['priority', change.priority],
        ['workplan id', change.workplan?.id],
        ['workplan title', change.workplan?.title],
        ['hubId', change.hubId],
      ],
      change.id,
    );
    if (seen.has(change.id)) throw new InvalidRequestError(`task '${change.id}' appears twice in one batch`);
    seen.add(change.id);
    if (change.status !== undefined && !isStatus(change.status))
      throw new InvalidRequestError(`task '${change.id}': unknown status '${String(change.status)}'`);
    if (change.expectedVersion === 0 && change.status === undefined) throw new InvalidRequestError(`task '${change.id}': a new task needs a status`);
    if (change.expectedVersion === 0 && change.decidedByRank)
      throw new InvalidRequestError(`task '${change.id}': only a task the hub holds can be decided by rank`);
    const restates = change.point?.restates;
    if (restates !== undefined && (typeof restates !== 'string' || !isHubTime(restates)))
      throw new InvalidRequestError(`task '${change.id}': a point restates a time as the hub writes it, not ${shown(String(restates))}`);
  }
  checkLayouts(batch.layouts ?? []);
  checkDriverPoints(batch.driverPoints);
}
