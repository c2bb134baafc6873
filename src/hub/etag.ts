import { randomBytes } from 'node:crypto';

/** A repo row as the ETag needs it. */
export interface RepoStamp {
  revision: number;
  created_at: string;
  /** Random per write (null on rows last written before schema 4). */
  stamp: string | null;
}

/**
 * A repo's ETag: its revision, the repo row's creation time (an ETag never matches across two hub
 * databases) and the stamp of its last write (nor across a restore from a backup, which counts
 * the revision up again to one a clone may have settled at). A repo nothing was written to is
 * empty wherever it is: '"0"'. Kept apart so the hooks' fast path can compute it without the store.
 */
export function repoEtag(row: RepoStamp | undefined): string {
  if (!row || Number(row.revision) <= 0) return '"0"';
  return `"${row.revision}.${Date.parse(row.created_at).toString(36)}${row.stamp ? `.${row.stamp}` : ''}"`;
}

/**
 * Whether an If-None-Match header names `etag`, as HTTP compares them for GET (RFC 9110, 13.1.2):
 * any of a list, weakly (`W/"x"` names `"x"`), and `*` names whatever is there. A browser or a
 * proxy sends the forms our own clients never do.
 */
export function namedByIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return (header.match(/(?:W\/)?"[^"]*"/g) ?? []).some((tag) => opaque(tag) === opaque(etag));
}

/** A repo's row, whatever the schema it was read at (one before 4 has no stamps): what `repoEtag` is computed from. */
export const REPO_ROW = 'SELECT * FROM repos WHERE slug = ?';

/** A new write's stamp. */
export function newStamp(): string {
  return randomBytes(6).toString('base64url');
}

/** The statement that records a write: a new revision and stamp, the old stamp kept for the batch's basis. */
export const BUMP_REVISION = 'UPDATE repos SET revision = revision + 1, prev_stamp = stamp, stamp = ? WHERE slug = ?';
