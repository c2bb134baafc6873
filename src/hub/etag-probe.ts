import { apiBase, repoTasksPath } from './api-paths.js';
import { REPO_ROW, type RepoStamp, repoEtag } from './etag.js';
import { openDatabase } from './sql/sqlite-database.js';

/**
 * Whether a hub still has the ETag a clone settled at, asked with as little loaded as can be: the
 * hooks' fast path asks it on every pull and push, before anything else of the CLI is loaded. Any
 * doubt is "changed": the full path then reads the hub and says what is wrong.
 */
export interface EtagProbe {
  unchanged(repo: string, etag: string): Promise<boolean>;
  close(): void;
}

/** How to ask `hub` for its ETag, or null for a hub that cannot be asked this way (PostgreSQL, no such file). */
export function etagProbe(hub: string): EtagProbe | null {
  if (/^https?:\/\//.test(hub)) return { unchanged: (repo, etag) => httpNotModified(hub, repo, etag), close: () => undefined };
  if (/^[a-z]+:\/\//.test(hub)) return null;
  let db: ReturnType<typeof openDatabase>;
  try {
    // The SQLite module alone, not the store.
    db = openDatabase(hub, { readonly: true, fileMustExist: true });
  } catch {
    return null;
  }
  return {
    async unchanged(repo, etag) {
      return repoEtag(db.prepare(REPO_ROW).get(repo) as RepoStamp | undefined) === etag;
    },
    close: () => db.close(),
  };
}

/** The probe's question to an HTTP hub, start to end. */
const PROBE_MS = 2000;

/** A conditional GET of the repo's tasks: 304 means the hub has not changed since `etag`. */
async function httpNotModified(hub: string, repo: string, etag: string): Promise<boolean> {
  const url = new URL(repoTasksPath(repo), apiBase(hub));
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', headers: { 'if-none-match': etag }, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 304);
    });
    // `timeout` is idle time only: a hub that sends a byte now and then would hold the hook forever.
    const deadline = setTimeout(() => req.destroy(), PROBE_MS);
    req.on('close', () => {
      clearTimeout(deadline);
      resolve(false);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
