import { printable } from '../output/printable.js';
import { isStatus, STATUSES } from '../status.js';
import { scanMarkdown, type FencedTaskBlock, type MarkdownScan } from './markdown.js';
import { parseBlock, type ParsedBlock, type StatusSpan } from './parse.js';

/**
 * One status to set. `line`, when known, is the 1-based line of the status value as last read:
 * it finds the block without parsing the others.
 */
export interface StatusEdit {
  taskId: string;
  /** Checked here: only the five statuses are ever written, whatever the caller was told. */
  status: string;
  line?: number;
}

export interface Refusal<E extends StatusEdit> {
  edit: E;
  reason: string;
}

export interface EditedBytes<E extends StatusEdit> {
  bytes: Buffer;
  applied: E[];
  refused: Refusal<E>[];
}

export type SetStatusResult = { ok: true; text: string } | { ok: false; reason: string };

const QUOTES = { plain: '', double: '"', single: "'" } as const;
/** The new value in the old one's own quotes. */
const valueText = (span: StatusSpan, status: string) => QUOTES[span.style] + status + QUOTES[span.style];
// A control character (tab, newline, ESC…) or a line separator in an id would break the commit message's one line per task.
const unprintable = (id: string) => printable(id) !== id;

function blockAtLine(scan: MarkdownScan, line: number): FencedTaskBlock | null {
  const at = line - 1;
  let lo = 0;
  let hi = scan.taskBlocks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const block = scan.taskBlocks[mid]!;
    if (block.openLine >= at) hi = mid - 1;
    else if (block.closeLine !== null && block.closeLine <= at) lo = mid + 1;
    else return block;
  }
  return null;
}

/**
 * Where each edit's status value is, from one scan of the text. A block is found by the edit's
 * line and must hold the task by its parsed id; an edit without a line, or whose line no longer
 * holds it, is looked up among all blocks, parsed once. Ids are compared as YAML reads them, so
 * an id written with escapes (`"A\u0041"`) is found too.
 */
function locate<E extends StatusEdit>(
  text: string,
  scan: MarkdownScan,
  edits: readonly E[],
): { spans: { edit: E; span: StatusSpan }[]; refused: Refusal<E>[] } {
  const spans: { edit: E; span: StatusSpan }[] = [];
  const refused: Refusal<E>[] = [];
  let byId: Map<string, ParsedBlock[]> | null = null;
  const allWithId = (id: string) => {
    byId ??= scan.taskBlocks.reduce((map, block) => {
      const parsed = parseBlock(text, scan, block, '');
      if (parsed.id !== null) map.get(parsed.id)?.push(parsed) ?? map.set(parsed.id, [parsed]);
      return map;
    }, new Map<string, ParsedBlock[]>());
    return byId.get(id) ?? [];
  };
  const taken = new Set<number>();
  for (const edit of edits) {
    const refuse = (reason: string) => refused.push({ edit, reason });
    const name = unprintable(edit.taskId) ? JSON.stringify(edit.taskId) : `'${edit.taskId}'`;
    if (scan.conflictLine !== null) {
      refuse(`file has conflict markers at line ${scan.conflictLine + 1}`);
      continue;
    }
    if (!isStatus(edit.status)) {
      refuse(`task ${name}: ${JSON.stringify(edit.status)} is not a status (expected ${STATUSES.join(', ')})`);
      continue;
    }
    if (unprintable(edit.taskId)) {
      refuse(`task ${name} has a control character in its id; its status is not written back`);
      continue;
    }
    const near = edit.line === undefined ? null : blockAtLine(scan, edit.line);
    const parsedNear = near ? parseBlock(text, scan, near, '') : null;
    const matches = parsedNear?.id === edit.taskId ? [parsedNear] : allWithId(edit.taskId);
    if (matches.length === 0) {
      refuse(`task ${name} is not in the file`);
      continue;
    }
    if (matches.length > 1) {
      refuse(`task ${name} appears ${matches.length} times in the file`);
      continue;
    }
    const { task, span, findings } = matches[0]!;
    if (!task) refuse(`task ${name} is malformed: ${findings[0]?.message ?? 'unreadable'}`);
    else if (!span) refuse(`task ${name} has a status value that is not a one-line scalar`);
    else if (taken.has(span.start)) refuse(`task ${name} is set twice`);
    else {
      taken.add(span.start);
      spans.push({ edit, span });
    }
  }
  return { spans: spans.sort((a, b) => a.span.start - b.span.start), refused };
}

/** Offsets of each line's first byte: a line ends after each LF, as splitLines reads the decoded text. */
function byteLineStarts(bytes: Buffer): number[] {
  const starts = bytes.length > 0 ? [0] : [];
  for (let at = bytes.indexOf(10); at !== -1 && at + 1 < bytes.length; at = bytes.indexOf(10, at + 1)) starts.push(at + 1);
  return starts;
}

/**
 * Sets the status values of some tasks in a file's bytes and changes nothing else: the values'
 * own quotes stay, and every other byte (line endings, BOM, comments, bytes that are not UTF-8)
 * is copied as it was. Spans are found on the decoded text, from one scan whatever the number of
 * edits, and spliced into the bytes at once. Decoding replaces an invalid sequence but never eats
 * an LF, so line N of the text is line N of the bytes; within the line, the value's byte offset
 * is trusted only where the bytes up to its end are exactly the decoded text's.
 */
export function setStatusesInBytes<E extends StatusEdit>(bytes: Buffer, edits: readonly E[]): EditedBytes<E> {
  const text = bytes.toString('utf8');
  const scan = scanMarkdown(text);
  const { spans, refused } = locate(text, scan, edits);
  const lineStarts = byteLineStarts(bytes);
  const pieces: Buffer[] = [];
  const applied: E[] = [];
  let copied = 0;
  let line = 0;
  for (const { edit, span } of spans) {
    while (line + 1 < scan.lines.length && scan.lines[line + 1]!.start <= span.start) line++;
    const textStart = scan.lines[line]!.start;
    const byteStart = lineStarts[line];
    const expected = Buffer.from(text.slice(textStart, span.end));
    if (byteStart === undefined || !bytes.subarray(byteStart, byteStart + expected.length).equals(expected)) {
      refused.push({ edit, reason: `line ${line + 1} holds bytes that are not UTF-8 before the status of task '${edit.taskId}'` });
      continue;
    }
    const valueStart = byteStart + Buffer.byteLength(text.slice(textStart, span.start));
    pieces.push(bytes.subarray(copied, valueStart), Buffer.from(valueText(span, edit.status)));
    copied = byteStart + expected.length;
    applied.push(edit);
  }
  pieces.push(bytes.subarray(copied));
  return { bytes: applied.length > 0 ? Buffer.concat(pieces) : bytes, applied, refused };
}

/** Changes the status value of one task in a text and nothing else (as setStatusesInBytes does in bytes). */
export function editStatusInText(text: string, taskId: string, status: string): SetStatusResult {
  const { spans, refused } = locate(text, scanMarkdown(text), [{ taskId, status }]);
  if (refused[0]) return { ok: false, reason: refused[0].reason };
  const { span } = spans[0]!;
  return { ok: true, text: text.slice(0, span.start) + valueText(span, status) + text.slice(span.end) };
}
