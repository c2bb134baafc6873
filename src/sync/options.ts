import type { TreeState } from '../git/facts.js';
import type { Hub } from '../hub/types.js';
import type { landWritebackCommit, prepareWritebackCommit } from '../writeback/commit.js';

export interface ReconcileOptions {
  mode: 'check' | 'fix';
  writeback: boolean;
  /** `git pull --ff-only` first; a failed pull warns and the run goes on. */
  pull: boolean;
  /** Fetch the upstream for the pull gate (hooks right after a pull skip it: the tracking ref is fresh). */
  fetch?: boolean;
  fetchTimeoutMs?: number;
  /**
   * Reconcile this commit instead of HEAD (pre-push: the commit being pushed to a tracked
   * branch). Files are read from it, nothing is written back, the working tree is not consulted.
   */
  at?: string;
  /** post-rewrite runs while git still holds the finished rebase's state; that is no guard. */
  rebaseFinishing?: boolean;
  /**
   * Set by the hooks when git and the hub show that, since a settled run at `since` against the
   * hub at `etag`, no workplan but `files` changed. The run then reads those files and their
   * tasks alone, unless the hub has moved on or a new id in them is one the hub knows already
   * (it may sit in another file): then it reads everything after all.
   */
  touched?: Touched;
  /** The working tree's state, when the caller has just read it (pre-push, to pick the pushed branches). */
  state?: TreeState;
}

export interface Touched {
  since: string;
  etag: string;
  files: string[];
}

/** Effects a test may replace to inject a fault (a failing commit, a hub that times out). */
export interface ReconcileDeps {
  hub: Hub;
  hostname: string;
  machine: string;
  prepareCommit?: typeof prepareWritebackCommit;
  landCommit?: typeof landWritebackCommit;
  /** How many times a batch refused for stale versions is re-planned. */
  attempts?: number;
  /** The most JSON one request of a batch carries (default `PART_BYTES`). */
  partBytes?: number;
}
