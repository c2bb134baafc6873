/**
 * What a run reconciles: every workplan, or only the ones the hooks' fast path found touched
 * since a settled run at `since` against the hub at `etag`. The run then reads those files and
 * their tasks alone, unless the hub has moved on or a new id in them is one the hub knows already
 * (it may sit in another file): then it reads everything after all. A run by hand is everything.
 */
export type Scope = { kind: 'everything' } | TouchedScope;

export interface TouchedScope {
  kind: 'touched';
  since: string;
  etag: string;
  files: string[];
}

export const EVERYTHING: Scope = { kind: 'everything' };
