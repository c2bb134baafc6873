import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

/**
 * Requires an ASCII CommonJS file through V8's code cache: the first run compiles it and keeps the code,
 * later runs read the code back instead of parsing and compiling again (about 30 ms of every
 * hook that reconciles). Node 20 has no compile cache of its own. V8 checks only a cache's length
 * against the source, so the cache is named by `digest` (the file's content hash, from the
 * build) and by the file's size and mtime, and a cache V8 rejects is written anew. The cache is
 * written as the process exits, so that it holds every function the run compiled. `dir`: where
 * compiled code is kept, `$XDG_CACHE_HOME/custodian-hooks` (else `~/.cache/…`) by default.
 */
export function requireCompiled(file: string, digest: string, dir = defaultDir()): { exports: unknown; cacheHit: boolean } {
  // The bundle is ASCII (the build checks it): read as latin1 it is the same string, decoded in
  // about a quarter of the time UTF-8 takes to validate its 1.3 MB, on every hook that reconciles.
  const source = readFileSync(file, 'latin1');
  const { size, mtimeMs } = statSync(file);
  const name = `${path.basename(file)}-`;
  const cacheFile = path.join(dir, `${name}${digest}-${size}-${Math.trunc(mtimeMs)}-${process.version}-${process.arch}.bin`);
  const cached = readOrNull(cacheFile);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cached ? { cachedData: cached } : {}),
  });
  const module = { exports: {} as unknown };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
  const cacheHit = cached !== null && !script.cachedDataRejected;
  if (!cacheHit) process.once('exit', () => save(dir, cacheFile, name, script));
  return { exports: module.exports, cacheHit };
}

function defaultDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'custodian-hooks');
}

function readOrNull(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch {
    return null;
  }
}

/** Caches of other builds of the same file older than this are removed when a new one is written. */
const STALE_MS = 30 * 24 * 3600 * 1000;

/**
 * Written whole or not at all: another hook may be reading it. A cache that cannot be written is
 * no loss. Another version's cache is left for a month: two installs may take turns.
 */
function save(dir: string, cacheFile: string, name: string, script: vm.Script): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const partial = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, cacheFile);
    for (const entry of readdirSync(dir)) {
      const other = path.join(dir, entry);
      if (entry.startsWith(name) && other !== cacheFile && Date.now() - statSync(other).mtimeMs > STALE_MS) rmSync(other, { force: true });
    }
  } catch {
    // Compiled from source next time, as now.
  }
}
