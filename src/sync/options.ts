import type { TreeState } from '../git/facts.js';
import type { Scope } from '../hook/scope.js';
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
  /** Every workplan by default; the hooks' fast path may narrow it (see Scope). */
  scope?: Scope;
  /** The working tree's state, when the caller has just read it (pre-push, to pick the pushed branches). */
  state?: TreeState;
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
