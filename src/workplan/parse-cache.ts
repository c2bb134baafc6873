import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Workplan } from './parse.js';

/**
 * Parsed workplans by blob id, kept in the git dir, so a run parses only the files that changed
 * since the last one: reading 10,000 tasks' YAML costs far more than reading this back. Bump
 * PARSER_VERSION whenever parsing changes what it returns.
 */
const PARSER_VERSION = 2;

interface CacheFile {
  version: number;
  /** path → the blob parsed, and what it gave (null: not a workplan). */
  entries: Record<string, { oid: string; workplan: Workplan | null }>;
}

const file = (gitDir: string) => path.join(gitDir, 'custodian-hooks', 'parsed.json');

export function readParseCache(gitDir: string): CacheFile['entries'] {
  try {
    const cache = JSON.parse(readFileSync(file(gitDir), 'utf8')) as CacheFile;
    return cache.version === PARSER_VERSION ? cache.entries : {};
  } catch {
    return {};
  }
}

export function writeParseCache(gitDir: string, entries: CacheFile['entries']): void {
  try {
    mkdirSync(path.dirname(file(gitDir)), { recursive: true });
    const temp = `${file(gitDir)}.${process.pid}`;
    writeFileSync(temp, JSON.stringify({ version: PARSER_VERSION, entries } satisfies CacheFile));
    renameSync(temp, file(gitDir));
  } catch {
    // A cache that cannot be written only costs the next run its speed.
  }
}
