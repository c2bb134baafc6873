import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * An append-only log of JSON values, one a line, that a clone keeps in its git dir. Only node:fs:
 * the hooks read these on every run.
 */

/** Each line's value, oldest first; a line cut short by a crash or edited by hand is skipped alone. None without a file. */
export function readJsonLines(file: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const entries: unknown[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      entries.push(JSON.parse(line));
    } catch {
      // Skipped alone.
    }
  }
  return entries;
}

/** Appends a line for each entry; a line a crash cut short is ended first, so that it does not swallow the next one. */
export function appendJsonLines(file: string, entries: readonly unknown[]): void {
  if (entries.length === 0) return;
  mkdirSync(path.dirname(file), { recursive: true });
  const text = entries.map((e) => `${JSON.stringify(e)}\n`).join('');
  appendFileSync(file, `${endsLine(file) ? '' : '\n'}${text}`);
}

/** Rewrites the log with `entries` through a temp file and a rename, so a reader never sees half of it; returns its size in bytes. */
export function writeJsonLines(file: string, entries: readonly unknown[]): number {
  const text = entries.map((e) => `${JSON.stringify(e)}\n`).join('');
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}`;
  writeFileSync(temp, text);
  renameSync(temp, file);
  return Buffer.byteLength(text);
}

/** Whether `file` is missing, empty or ends with a newline. */
function endsLine(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return true;
  }
  try {
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    return size === 0 || (readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a);
  } finally {
    closeSync(fd);
  }
}
