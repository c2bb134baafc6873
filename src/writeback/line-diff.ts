/**
 * A unified diff (git's format, three lines of context) between two versions of a file that
 * differ only inside lines: a writeback replaces status values and never adds or removes a line,
 * so lines pair one to one and no longest-common-subsequence search is needed. Bytes, not text:
 * a workplan need not be UTF-8, and `git apply` must find exactly what is there.
 */

import { quotedPath } from '../git/quoted-path.js';

const CONTEXT = 3;
const NEWLINE = 0x0a;

/** The file's lines, each with its newline; the last one may have none. */
function linesOf(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, start)) {
    lines.push(bytes.subarray(start, at + 1));
    start = at + 1;
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

const NO_NEWLINE = Buffer.from('\n\\ No newline at end of file\n');

function hunkLine(mark: string, line: Buffer): Buffer {
  const ends = line.at(-1) === NEWLINE;
  return Buffer.concat([Buffer.from(mark), line, ends ? Buffer.alloc(0) : NO_NEWLINE]);
}

/** The diff of one file, or an empty buffer when nothing changed; throws when the line counts differ (not a writeback). */
export function lineEditDiff(file: string, before: Buffer, after: Buffer): Buffer {
  const old = linesOf(before);
  const next = linesOf(after);
  if (old.length !== next.length) throw new Error(`${file}: the edit changed the number of lines, which a status writeback never does`);
  const changed = old.flatMap((line, i) => (line.equals(next[i]!) ? [] : [i]));
  if (changed.length === 0) return Buffer.alloc(0);

  // Changed lines closer than twice the context share a hunk, as in git.
  const hunks: { from: number; to: number }[] = [];
  for (const i of changed) {
    const from = Math.max(0, i - CONTEXT);
    const to = Math.min(old.length, i + CONTEXT + 1);
    const last = hunks.at(-1);
    if (last && from <= last.to) last.to = to;
    else hunks.push({ from, to });
  }

  const parts: Buffer[] = [
    Buffer.from(`diff --git ${quotedPath('a/', file)} ${quotedPath('b/', file)}\n--- ${quotedPath('a/', file)}\n+++ ${quotedPath('b/', file)}\n`),
  ];
  for (const { from, to } of hunks) {
    // As git and diff print a range: a one-line range without its count.
    const range = to - from === 1 ? `${from + 1}` : `${from + 1},${to - from}`;
    parts.push(Buffer.from(`@@ -${range} +${range} @@\n`));
    for (let i = from; i < to; ) {
      if (old[i]!.equals(next[i]!)) {
        parts.push(hunkLine(' ', old[i++]!));
        continue;
      }
      // A run of changed lines: all its old lines, then all its new ones, as git prints it.
      let end = i;
      while (end < to && !old[end]!.equals(next[end]!)) end++;
      for (let j = i; j < end; j++) parts.push(hunkLine('-', old[j]!));
      for (let j = i; j < end; j++) parts.push(hunkLine('+', next[j]!));
      i = end;
    }
  }
  return Buffer.concat(parts);
}
