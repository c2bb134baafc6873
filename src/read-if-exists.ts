import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** A text file's content, or null when there is no such file; any other failure is thrown. */
export function readIfExists(file: string): Promise<string | null> {
  return readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : Promise.reject(error)));
}

/** A text file's content read at once, or null when it cannot be read (gone, a folder, no permission): for git's own state files. */
export function readTextOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
