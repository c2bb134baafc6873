/**
 * A repo's ETag: its revision, and the repo row's creation time so that an ETag never matches
 * across two hub databases. A repo nothing was written to is empty wherever it is: '"0"'.
 * Kept apart so the hooks' fast path can compute it without the store.
 */
export function repoEtag(row: { revision: number; created_at: string } | undefined): string {
  return row && Number(row.revision) > 0 ? `"${row.revision}.${Date.parse(row.created_at).toString(36)}"` : '"0"';
}
