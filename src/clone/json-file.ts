import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes `value` as one line of JSON through a temp file and a rename, so a reader never sees half
 * of it; null removes the file. Only node:fs: the hooks' fast path uses it.
 */
export function writeJsonFile(file: string, value: unknown): void {
  if (value === null) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(value)}\n`);
  renameSync(temp, file);
}
