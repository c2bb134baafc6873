import { LAYOUT_PATH_MAX, layoutDigest } from '../hub/layout.js';
import type { Layout } from '../hub/types.js';
import { textProblem } from '../hub/valid-text.js';
import { idProblem } from '../workplan/storable-text.js';

/** A workplan file as a run read it: its workplan's id and its tasks' ids in file order. */
export interface FileLayout {
  file: string;
  workplan: string;
  ids: readonly string[];
}

/**
 * The layouts a run sends: each file it read whose layout differs from the hub's, and each file
 * the hub has laid out that holds no workplan now — any such file after a full read (`among`
 * null), the files it was told to read after a partial one. Ids and paths the hub cannot hold are
 * left out (the parser reports those tasks). A hub that keeps no layouts is sent none.
 */
export function layoutsToSend(read: readonly FileLayout[], among: readonly string[] | null, hub: Readonly<Record<string, string>> | undefined): Layout[] {
  if (!hub) return [];
  const storable = (file: string) => file.length <= LAYOUT_PATH_MAX && !textProblem(file);
  const held = read
    .filter((f) => storable(f.file))
    .map((f) => ({ file: f.file, workplan: f.workplan, ids: [...new Set(f.ids)].filter((id) => !idProblem(id)) }));
  const readFiles = new Set(read.map((f) => f.file));
  const looked = among === null ? null : new Set(among);
  const gone = Object.keys(hub)
    .filter((file) => !readFiles.has(file) && (looked === null || looked.has(file)))
    .map((file) => ({ file, workplan: null, ids: [] }));
  return [...held, ...gone].filter((layout) => hub[layout.file] !== layoutDigest(layout));
}
