import type { NamedStatement } from './driver.js';

/**
 * An agent's version-checked status update on PostgreSQL in one statement, so one round trip: it
 * finds who is writing, locks the task, checks the version, changes the status (counting it in
 * status_version), writes the history row and bumps the repo's revision and stamp (etag.ts)
 * together. Every part runs or none does, as in a transaction, and a concurrent writer of the
 * task waits on the row lock.
 *
 * The writer is named either outright (`by`) or by the hash of a bearer token, whose owner is
 * looked up in the same statement: the hub's write request then costs the database one round
 * trip, not two, and a token revoked a moment ago is refused at once.
 *
 * It always answers one row. `caller` is the writer's name, or null when the token is unknown
 * (nothing is written). The task's columns are null when there is no such task; otherwise they
 * are the task after the update with `applied` true, or, when nothing was written (a stale
 * version, or the status it already has), the task as it is with `applied` false.
 * Parameters: repo, id, status, expected version or null, time, by or null, token hash or null,
 * why or null, new stamp.
 */
export const STATUS_UPDATE_STATEMENT: NamedStatement = {
  name: 'status-update',
  text: `
WITH input AS (
  SELECT CAST(? AS TEXT) AS repo, CAST(? AS TEXT) AS id, CAST(? AS TEXT) AS status, CAST(? AS INTEGER) AS expected,
    CAST(? AS TEXT) AS at, CAST(? AS TEXT) AS by, CAST(? AS TEXT) AS token_hash, CAST(? AS TEXT) AS why, CAST(? AS TEXT) AS stamp
),
caller AS (SELECT COALESCE(i.by, (SELECT k.name FROM tokens k WHERE k.hash = i.token_hash)) AS name FROM input i),
old AS (
  SELECT t.* FROM tasks t, input i, caller w
  WHERE t.repo = i.repo AND t.id = i.id AND w.name IS NOT NULL FOR UPDATE OF t
),
changed AS (
  UPDATE tasks t SET status = i.status, version = t.version + 1, status_version = t.status_version + 1, updated_at = i.at, updated_by = w.name
  FROM input i, old o, caller w
  WHERE t.repo = i.repo AND t.id = i.id AND (i.expected IS NULL OR t.version = i.expected) AND t.status <> i.status
  RETURNING t.*, o.status AS from_status
),
logged AS (
  INSERT INTO history (repo, task_id, from_status, to_status, changed_by, why, at)
  SELECT c.repo, c.id, c.from_status, c.status, c.updated_by, i.why, c.updated_at FROM changed c, input i
),
bumped AS (
  UPDATE repos r SET revision = r.revision + 1, prev_stamp = r.stamp, stamp = i.stamp
  FROM input i WHERE r.slug = i.repo AND EXISTS (SELECT 1 FROM changed)
)
SELECT w.name AS caller, x.* FROM caller w LEFT JOIN (
  SELECT c.*, TRUE AS applied FROM changed c
  UNION ALL
  SELECT o.*, o.status AS from_status, FALSE AS applied FROM old o WHERE NOT EXISTS (SELECT 1 FROM changed)
) x ON TRUE`,
};
