import { LAYOUT_PATH_MAX, layoutDigest } from '../layout.js';
import { InvalidRequestError, type Layout, type SyncBatch } from '../types.js';
import { shown, taskIdProblem, textProblem } from '../valid-text.js';
import type { SqlDriver } from './driver.js';
import { inChunks, insertRows, marks } from './rows.js';

/** Refuses a batch whose layouts could not be kept as sent: a file twice, an id twice in one, text the hub cannot hold. */
export function checkLayouts(layouts: readonly Layout[]): void {
  const files = new Set<string>();
  for (const { file, workplan, ids } of layouts) {
    const problem = textProblem(file) ?? (workplan === null ? null : textProblem(workplan));
    if (problem || file.length > LAYOUT_PATH_MAX) throw new InvalidRequestError(`layout of ${shown(file)}: ${problem ?? 'the path is too long'}`);
    if (files.has(file)) throw new InvalidRequestError(`${shown(file)} is laid out twice in one batch`);
    files.add(file);
    if (workplan === null && ids.length > 0) throw new InvalidRequestError(`layout of ${shown(file)}: a file that holds no workplan holds no tasks`);
    const seen = new Set<string>();
    for (const id of ids) {
      const idProblem = taskIdProblem(id);
      if (idProblem) throw new InvalidRequestError(`layout of ${shown(file)}: task id ${shown(id)} ${idProblem}`);
      if (seen.has(id)) throw new InvalidRequestError(`layout of ${shown(file)} holds task ${shown(id)} twice`);
      seen.add(id);
    }
  }
}

/** Copies the places of a file's tasks onto their rows (see migration 10). */
const MIRROR_FILE = `UPDATE tasks SET place_file = p.file, place_position = p.position FROM task_places p
  WHERE p.repo = ? AND p.file = ? AND tasks.repo = p.repo AND tasks.id = p.task_id`;

/**
 * Keeps the batch's layouts: each file's digest and workplan, and each task's place. A file that
 * holds no workplan any more keeps the workplan it held, so that the tasks it held are in no
 * file (C-21). An id in two files takes its place in the later. Returns whether any layout
 * differed from the one kept, so that the repo's ETag moves only then.
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
    await tx.run(
      `UPDATE tasks SET place_file = NULL, place_position = NULL
       WHERE repo = ? AND id IN (SELECT task_id FROM task_places WHERE repo = ? AND file = ?)`,
      [batch.repo, batch.repo, file],
    );
    await tx.run('DELETE FROM task_places WHERE repo = ? AND file = ?', [batch.repo, file]);
    await insertRows(
      tx,
      'task_places (repo, task_id, file, position)',
      ids.map((id, position) => [batch.repo, id, file, position]),
      ' ON CONFLICT (repo, task_id) DO UPDATE SET file = excluded.file, position = excluded.position',
    );
    await tx.run(MIRROR_FILE, [batch.repo, file]);
  }
  return changed;
}

/** New tasks take the places a layout already gave them. */
export async function placeNewTasks(tx: SqlDriver, repo: string, ids: readonly string[]): Promise<void> {
  await inChunks(ids, 500, (part) =>
    tx.run(
      `UPDATE tasks SET place_file = p.file, place_position = p.position FROM task_places p
       WHERE p.repo = ? AND p.task_id IN (${marks(part.length)}) AND tasks.repo = p.repo AND tasks.id = p.task_id`,
      [repo, ...part],
    ),
  );
}

/** The digests of the repo's laid-out files; with `workplans`, of those workplans' files only. */
export async function readLayouts(tx: SqlDriver, repo: string, workplans?: readonly string[]): Promise<Record<string, string>> {
  const rows = workplans
    ? (
        await inChunks(workplans, 500, (part) =>
          tx.all<{ file: string; digest: string }>(`SELECT file, digest FROM layouts WHERE repo = ? AND workplan IN (${marks(part.length)})`, [repo, ...part]),
        )
      ).flat()
    : await tx.all<{ file: string; digest: string }>('SELECT file, digest FROM layouts WHERE repo = ?', [repo]);
  return Object.fromEntries(rows.map((r) => [r.file, r.digest]));
}
