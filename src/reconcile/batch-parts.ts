import { LAYOUTS_PER_REQUEST } from '../hub/layout.js';
import type { Layout, SyncBatch, TaskChange } from '../hub/types.js';

/** Well under the 4 MiB an HTTP hub takes in one request (more is refused with 413). */
export const PART_BYTES = 1024 * 1024;

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null)) + 1;

/**
 * A batch as parts of at most about `maxBytes` of JSON each, to be sent in order. Each part is a
 * batch of its own, applied whole or not at all, and neither a task's change nor a file's layout
 * is ever split. Layouts follow the changes, so that the tasks they place exist. The run record
 * and the rewrites go with the last part: they vouch for every task, so only once all of the
 * changes are in.
 */
export function batchParts(batch: SyncBatch, maxBytes = PART_BYTES): SyncBatch[] {
  const { changes, layouts, run, rewrites, ...common } = batch;
  const parts: { changes: TaskChange[]; layouts: Layout[] }[] = [{ changes: [], layouts: [] }];
  let size = bytesOf(common);
  const newPart = () => {
    parts.push({ changes: [], layouts: [] });
    size = bytesOf(common);
  };
  const room = (bytes: number) => {
    const last = parts.at(-1)!;
    if (size + bytes > maxBytes && last.changes.length + last.layouts.length > 0) newPart();
    size += bytes;
  };
  for (const change of changes) {
    room(bytesOf(change));
    parts.at(-1)!.changes.push(change);
  }
  for (const layout of layouts ?? []) {
    // Small layouts (a file emptied) are many to a megabyte: the contract takes so many a request.
    if (parts.at(-1)!.layouts.length === LAYOUTS_PER_REQUEST) newPart();
    room(bytesOf(layout));
    parts.at(-1)!.layouts.push(layout);
  }
  room(bytesOf(run) + bytesOf(rewrites));
  const last = parts.length - 1;
  const vouching = { ...(run ? { run } : {}), ...(rewrites ? { rewrites } : {}) };
  return parts.map((part, at) => ({
    ...common,
    changes: part.changes,
    ...(part.layouts.length > 0 ? { layouts: part.layouts } : {}),
    ...(at === last ? vouching : {}),
  }));
}
