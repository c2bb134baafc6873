/** A full commit id, SHA-1 or SHA-256: what git, the hub and its clients exchange; never an abbreviation. */
export const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
