import type { FencedTaskBlock } from './markdown.js';
import { scanMarkdown } from './markdown.js';
import { ID_LINE, parseBlock, type Task } from './parse.js';

/**
 * The tasks of the blocks `wanted` picks, each parsed alone, and the id of every block (as parsed
 * where it was, else as its id line reads): a thousand-task workplan is scanned, not parsed, to
 * read the two tasks a merge contests. A file mid-conflict is not read (see parseWorkplan).
 */
export function tasksAmong(text: string, file: string, wanted: (block: FencedTaskBlock, roughId: string | null) => boolean): { tasks: Task[]; ids: string[] } {
  const scan = scanMarkdown(text);
  const tasks: Task[] = [];
  const ids: string[] = [];
  if (scan.conflictLine !== null) return { tasks, ids };
  for (const block of scan.taskBlocks) {
    const roughId = ID_LINE.exec(text.slice(block.bodyStart, block.bodyEnd))?.[1] ?? null;
    if (!wanted(block, roughId)) {
      if (roughId) ids.push(roughId);
      continue;
    }
    const parsed = parseBlock(text, scan, block, file);
    if (parsed.id) ids.push(parsed.id);
    if (parsed.task) tasks.push(parsed.task);
  }
  return { tasks, ids };
}
