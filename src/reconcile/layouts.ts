import { LAYOUT_BYTES_MAX, LAYOUT_IDS_MAX, LAYOUT_PATH_MAX, layoutDigest } from '../hub/layout.js';
import type { Layout } from '../hub/types.js';
import { textProblem } from '../hub/valid-text.js';
import { freeTextProblem, idProblem, TEXT_LIMITS } from '../workplan/storable-text.js';

/** A workplan file as a run read it: its workplan's id and its tasks' ids in file order. */
export interface FileLayout {
  file: string;
  workplan: string;
  ids: readonly string[];
}

/**
 * The layouts a run sends: each file it read whose layout differs from the hub's, and each file
 * the hub has laid out that holds no workplan now — any such file after a full read (`among`
 * null), the files it was told to read after a partial one. Ids, paths and workplan ids the hub
 * cannot hold are left out (the parser reports those tasks), as is a file of more than
 * `LAYOUT_IDS_MAX` tasks or `LAYOUT_BYTES_MAX` of JSON. A hub that keeps no layouts is sent none.
 */
export function layoutsToSend(read: readonly FileLayout[], among: readonly string[] | null, hub: Readonly<Record<string, string>> | undefined): Layout[] {
  if (!hub) return [];
  const storable = ({ file, workplan }: FileLayout) =>
    file.length <= LAYOUT_PATH_MAX && !textProblem(file) && workplan !== '' && !freeTextProblem(workplan, TEXT_LIMITS.workplanId);
  const held = read
    .filter(storable)
    .map((f) => ({ file: f.file, workplan: f.workplan, ids: [...new Set(f.ids)].filter((id) => !idProblem(id)) }))
    // A file of more tasks than one request may carry is not laid out: its tasks sync all the same.
    .filter((layout) => layout.ids.length <= LAYOUT_IDS_MAX && Buffer.byteLength(JSON.stringify(layout)) <= LAYOUT_BYTES_MAX);
  const readFiles = new Set(read.map((f) => f.file));
  const looked = among === null ? null : new Set(among);
  const gone = Object.keys(hub)
    .filter((file) => !readFiles.has(file) && (looked === null || looked.has(file)))
    .map((file) => ({ file, workplan: null, ids: [] }));
  return [...held, ...gone].filter((layout) => hub[layout.file] !== layoutDigest(layout));
}
