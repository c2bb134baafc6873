import { LAYOUT_IDS_MAX, LAYOUT_PATH_MAX, layoutDigest } from '../layout.js';
import { InvalidRequestError, type Layout, type SyncBatch } from '../types.js';
import { shown, taskIdProblem, textProblem } from '../valid-text.js';
import type { SqlDriver } from './driver.js';
import { eachIdList, insertRows } from './rows.js';
import { TEXT_LIMITS } from '../../workplan/storable-text.js';

/** Refuses a batch whose layouts could not be kept as sent: a file twice, an id twice in one, text the hub cannot hold. */
export function checkLayouts(layouts: readonly Layout[]): void {
  const files = new Set<string>();
  for (const { file, workplan, ids } of layouts) {
    const problem =
      textProblem(file) ??
      (file.length > LAYOUT_PATH_MAX ? `the path is longer than ${LAYOUT_PATH_MAX} characters` : null) ??
      (workplan === null ? null : textProblem(workplan)) ??
      (workplan !== null && (workplan.length === 0 || workplan.length > TEXT_LIMITS.workplanId)
        ? `the workplan id must be 1 to ${TEXT_LIMITS.workplanId} characters`
        : null) ??
      (ids.length > LAYOUT_IDS_MAX ? `more than ${LAYOUT_IDS_MAX} ids` : null);
    if (problem) throw new InvalidRequestError(`layout of ${shown(file)}: ${problem}`);
    if (files.has(file)) throw new InvalidRequestError(`${shown(file)} is laid out twice in one batch`);
    files.add(file);
    if (workplan === null && ids.length > 0) throw new InvalidRequestError(`layout of ${shown(file)}: a file that holds no workplan holds no tasks`);
    const seen = new Set<string>();
    for (const id of ids) {
      const idProblem = taskIdProblem(id) ?? (id.length > TEXT_LIMITS.id ? `is longer than ${TEXT_LIMITS.id} characters` : null);
      if (idProblem) throw new InvalidRequestError(`layout of ${shown(file)}: task id ${shown(id)} ${idProblem}`);
      if (seen.has(id)) throw new InvalidRequestError(`layout of ${shown(file)} holds task ${shown(id)} twice`);
      seen.add(id);
    }
  }
}

/**
 * Each of these tasks' rows mirrors its first place (by file), or none: what the page walks (see
 * migration 10). `placedOnly`: only rows that have a place to take (new tasks; the rest have none).
 */
export async function mirrorPlaces(tx: SqlDriver, repo: string, ids: readonly string[], placedOnly = false): Promise<void> {
  const first = (column: 'file' | 'position') =>
    `(SELECT p.${column} FROM task_places p WHERE p.repo = tasks.repo AND p.task_id = tasks.id ORDER BY p.file LIMIT 1)`;
  const placed = placedOnly ? ' AND EXISTS (SELECT 1 FROM task_places p WHERE p.repo = tasks.repo AND p.task_id = tasks.id)' : '';
  await eachIdList(tx, [...new Set(ids)], (inList, values) =>
    tx.run(`UPDATE tasks SET place_file = ${first('file')}, place_position = ${first('position')} WHERE repo = ? AND id ${inList}${placed}`, [repo, ...values]),
  );
}

/**
 * Keeps the batch's layouts: each file's digest and workplan, and each task's place in it. A file
 * that holds no workplan any more keeps the workplan it held, so that the tasks it held are in no
 * file (C-21). Returns whether any layout differed from the one kept, so that the repo's ETag
 * moves only then.
 */
export async function applyLayouts(tx: SqlDriver, batch: SyncBatch): Promise<boolean> {
  let changed = false;
  for (const layout of batch.layouts ?? []) {
    const { file, workplan, ids } = layout;
    const digest = layoutDigest(layout);
    const [row] = await tx.all<{ digest: string }>('SELECT digest FROM layouts WHERE repo = ? AND file = ?', [batch.repo, file]);
    // A file never laid out that holds no workplan: nothing to keep.
    if (row?.digest === digest || (!row && workplan === null)) continue;
    changed = true;
    await tx.run(
      `INSERT INTO layouts (repo, file, workplan, digest) VALUES (?, ?, ?, ?)
       ON CONFLICT (repo, file) DO UPDATE SET digest = excluded.digest, workplan = COALESCE(excluded.workplan, layouts.workplan)`,
      [batch.repo, file, workplan, digest],
    );
    const before = await tx.all<{ task_id: string }>('DELETE FROM task_places WHERE repo = ? AND file = ? RETURNING task_id', [batch.repo, file]);
    await insertRows(
      tx,
      'task_places (repo, file, task_id, position)',
      ids.map((id, position) => [batch.repo, file, id, position]),
    );
    await mirrorPlaces(tx, batch.repo, [...before.map((r) => r.task_id), ...ids]);
  }
  return changed;
}

/** The digests of the repo's laid-out files; with `workplans`, of those workplans' files only. */
export async function readLayouts(tx: SqlDriver, repo: string, workplans?: readonly string[]): Promise<Record<string, string>> {
  const rows = workplans
    ? (
        await eachIdList(tx, workplans, (inList, values) =>
          tx.all<{ file: string; digest: string }>(`SELECT file, digest FROM layouts WHERE repo = ? AND workplan ${inList}`, [repo, ...values]),
        )
      ).flat()
    : await tx.all<{ file: string; digest: string }>('SELECT file, digest FROM layouts WHERE repo = ?', [repo]);
  return Object.fromEntries(rows.map((r) => [r.file, r.digest]));
}
