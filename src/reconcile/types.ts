import type { Finding } from '../findings.js';
import type { HubTask, Rewrite, RunRecord, TaskChange } from '../hub/types.js';
import type { Status } from '../status.js';
import type { Task } from '../workplan/parse.js';

/** Is `ancestor` an ancestor of (or equal to) `descendant`? 'unknown' (missing object, shallow) counts as no. */
export type Ancestry = (ancestor: string, descendant: string) => 'yes' | 'no' | 'unknown';

/** A writeback commit, the status it wrote for a task, and when it was made: its author time (ms since the epoch), which a rebase keeps. */
export interface WrittenBack {
  commit: string;
  status: Status;
  madeAt: number;
}

/** A task as the files hold it, with the workplan it belongs to. */
export interface FileTask extends Task {
  workplan: { id: string; title: string | null };
}

export interface ReconcileInput {
  mode: 'check' | 'fix';
  writeback: boolean;
  /** Readable tasks with a unique id, committed at HEAD, in files without uncommitted changes. */
  files: FileTask[];
  /** Ids present in files but not reconciled this run: unreadable, duplicated, or in a dirty file. */
  skipped: string[];
  hubTasks: HubTask[];
  runs: RunRecord[];
  head: string;
  /** The upstream commit HEAD contains, or null without an upstream. */
  upstream: string | null;
  /** For each task that needs it, the commit that last set its status line at HEAD (null: git could not say). */
  origins: ReadonlyMap<string, string | null>;
  /**
   * For a task whose line both sides of a merge held alike, the other commits that set it
   * (first-parent blame): blame names only one, and the hub may have heard the other.
   */
  otherOrigins?: ReadonlyMap<string, readonly string[]>;
  /**
   * For an origin with the same tree and parents as commits the hub's records name, by another
   * author line, those commits: it may be one of them made again (a rewrite that reset the author),
   * or a new edit that happens to be the same (see madeAgain).
   */
  maybeCopyOf?: ReadonlyMap<string, readonly string[]>;
  ancestry: Ancestry;
  /**
   * When each origin was committed (ms since the epoch), where a hub run names a commit this clone
   * lacks: a run made before a value was committed cannot have seen it.
   */
  committedAt?: ReadonlyMap<string, number>;
  /**
   * By task, when its file value was first committed, through the rewrites that carried it (ms
   * since the epoch), where a merge note names a merge this clone lacks: a merge made before
   * cannot have seen it.
   */
  firstCommittedAt?: ReadonlyMap<string, number>;
  /**
   * By task, other clones' writeback commits that wrote it, below HEAD or the upstream, made since
   * its oldest kept point: each agreed with the hub, which recorded a point on it (see writebacksHeld).
   */
  writtenBack?: ReadonlyMap<string, readonly WrittenBack[]>;
  /** Whether this clone holds a commit: a hub point on one it lacks is history it cannot judge. */
  present: (commit: string) => boolean;
  /** The hub has dropped run records of this repo: a missing record proves nothing. */
  runsDropped: boolean;
  /** Commits that replaced others (amend, rebase), oldest first: a carried-over line is old news. */
  rewrites: readonly Rewrite[];
}

/** Where a point's commit or origin is the writeback commit, which exists only once the plan is applied. */
export const AFTER = 'after' as const;
/** An origin the planner did not need to decide; the shell finds it with blame before sending. */
export const BLAME = 'blame' as const;

export interface PlannedPoint {
  status: Status;
  origin: string | typeof AFTER | typeof BLAME;
  /** See SyncPoint.restates. */
  restates?: string;
}

export interface PlannedChange extends Omit<TaskChange, 'point'> {
  point?: PlannedPoint;
}

export interface Writeback {
  taskId: string;
  title: string;
  file: string;
  line: number;
  from: Status;
  to: Status;
}

/** 'unknown': a fact the rules need could not be had (DESIGN.md, Rules v2, 2): the task is left as it is. */
export type Decision = 'agree' | 'create' | 'push' | 'writeback' | 'unknown';

export interface Plan {
  decisions: Map<string, Decision>;
  changes: PlannedChange[];
  writebacks: Writeback[];
  /**
   * The run record to send: every fix run; null in check mode. `skipped`: the tasks whose lines
   * it does not vouch for — not reconciled (unreadable, dirty) or left hub-newer in the file.
   */
  run: { skipped: string[] } | null;
  findings: Finding[];
}
