import { type FencedTaskBlock, scanMarkdown } from './markdown.js';
import { parseBlock, type Task } from './parse.js';

/**
 * The tasks of the blocks `wanted` picks (given each block's body), each parsed alone, and the ids
 * those blocks hold, readable or not: a thousand-task workplan is scanned, not parsed, to read the
 * two tasks a merge contests. A file mid-conflict holds no task (see parseWorkplan).
 */
export function tasksAmong(text: string, file: string, wanted: (block: FencedTaskBlock, body: string) => boolean): { tasks: Task[]; ids: string[] } {
  const scan = scanMarkdown(text);
  const tasks: Task[] = [];
  const ids: string[] = [];
  if (scan.conflictLine !== null) return { tasks, ids };
  for (const block of scan.taskBlocks) {
    if (!wanted(block, text.slice(block.bodyStart, block.bodyEnd))) continue;
    const parsed = parseBlock(text, scan, block, file);
    if (parsed.id) ids.push(parsed.id);
    if (parsed.task) tasks.push(parsed.task);
  }
  return { tasks, ids };
}

/** An id YAML writes one way only, up to quoting and escapes: a name, not a number, keyword, or text with quotes or spaces. */
const PLAIN_NAME = /^[A-Za-z_][\w./-]*$/;
const KEYWORDS = /^(?:true|false|null|yes|no|on|off|y|n|infinity|nan|inf)$/i;

/**
 * Whether a block's body could hold one of `ids` as YAML reads it. A plain name (`WP-12-T3`) is
 * spelled in the body however it is quoted, folded, tagged or anchored, unless escaped (a
 * backslash); any other id (a number: `1e3` is 1000; `.inf`; `'it''s'`; a folded `A\n  B`) may be
 * spelled otherwise, so every block is read.
 */
export function mayHold(ids: readonly string[]): (body: string) => boolean {
  if (ids.some((id) => !PLAIN_NAME.test(id) || KEYWORDS.test(id))) return () => true;
  return (body) => body.includes('\\') || ids.some((id) => body.includes(id));
}

/** How many blocks of the text hold each of `ids`, as the reconciler reads ids (see mayHold). */
export function idCounts(text: string, file: string, ids: readonly string[]): Map<string, number> {
  const could = mayHold(ids);
  const counts = new Map<string, number>();
  for (const id of tasksAmong(text, file, (_, body) => could(body)).ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}
