import { readFile } from 'node:fs/promises';

/** A text file's content, or null when there is no such file; any other failure is thrown. */
export function readIfExists(file: string): Promise<string | null> {
  return readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : Promise.reject(error)));
}
