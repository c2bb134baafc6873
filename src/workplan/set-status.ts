import type { Status } from '../status.js';
import { scanMarkdown } from './markdown.js';
import { parseBlock } from './parse.js';

export type SetStatusResult = { ok: true; text: string } | { ok: false; reason: string };

const QUOTES = { plain: '', double: '"', single: "'" } as const;

/**
 * Changes the status value of one task and nothing else: the value's own quotes stay, and every
 * other byte (line endings, BOM, comments, indentation, final newline) is left as it was.
 */
export function setStatus(text: string, taskId: string, status: Status): SetStatusResult {
  const scan = scanMarkdown(text);
  if (scan.conflictLine !== null) return { ok: false, reason: `file has conflict markers at line ${scan.conflictLine + 1}` };
  // Only blocks whose text holds the id can be that task: the others need no YAML parse.
  const matches = scan.taskBlocks
    .filter((block) => text.slice(block.bodyStart, block.bodyEnd).includes(taskId))
    .map((block) => parseBlock(text, scan, block, ''))
    .filter((parsed) => parsed.id === taskId);
  if (matches.length === 0) return { ok: false, reason: `task '${taskId}' is not in the file` };
  if (matches.length > 1) return { ok: false, reason: `task '${taskId}' appears ${matches.length} times in the file` };
  const { task, span, findings } = matches[0]!;
  if (!task) return { ok: false, reason: `task '${taskId}' is malformed: ${findings[0]?.message ?? 'unreadable'}` };
  if (!span) return { ok: false, reason: `task '${taskId}' has a status value that is not a one-line scalar` };
  const quote = QUOTES[span.style];
  return { ok: true, text: text.slice(0, span.start) + quote + status + quote + text.slice(span.end) };
}
