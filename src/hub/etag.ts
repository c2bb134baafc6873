/**
 * A repo's ETag: its revision, and the repo row's creation time so that an ETag never matches
 * across two hub databases. Kept apart so the hooks' fast path can compute it without the store.
 */
export function repoEtag(row: { revision: number; created_at: string } | undefined): string {
  return row ? `"${row.revision}.${Date.parse(row.created_at).toString(36)}"` : '"0"';
}
