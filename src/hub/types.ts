import type { Status } from '../status.js';

/**
 * The hub's contract, spoken the same way by the embedded store and the HTTP client, so the
 * reconciler never knows which it talks to. `openapi.yaml` documents the HTTP form.
 */

/** A moment both sides agreed on a task's status (DESIGN.md, "What the hub remembers"). */
export interface SyncPoint {
  status: Status;
  /** HEAD after the run that recorded it. */
  commit: string;
  /** The upstream commit that HEAD contained, or null without an upstream. */
  upstream: string | null;
  /** The commit that last set the task's status line (what blame reports). */
  origin: string;
  at: string;
  /** Hub-assigned, increasing within a repo in the order batches commit. */
  seq: number;
  /** The task's statusVersion right after the batch that recorded the point; null for points recorded before schema 6. */
  statusVersion: number | null;
  /**
   * The hub's time of a point a restore lost whose value this point's change put back (see
   * `rolledBackFrom`): the value is as old as that point, not as the change. Absent for any other.
   */
  restates?: string;
}

/** A fix run that was not gated; it vouches for every task but the ones it skipped. */
export interface RunRecord {
  commit: string;
  upstream: string | null;
  machine: string;
  skipped: string[];
  at: string;
}

/**
 * A status line the merge driver settled with the hub's value: the commit the merge (or the
 * replayed commit) makes sits on `parent` and holds `status`, the hub's value at `statusVersion`.
 * That is what a sync point asserts, but no run recorded one when the pull ran without hooks; so
 * the driver keeps it in its clone and sends it to the hub, and a run that finds the commit reads
 * it as a point (see sync/driver-commits.ts), in whichever clone runs first.
 */
export interface DriverPoint {
  id: string;
  status: Status;
  statusVersion: number;
  /** HEAD when the driver ran: ours in a merge, the commit a replayed one sits on in a rebase. */
  parent: string;
  /**
   * In a merge, the commit merged in: the merge commit has both as parents, which no other
   * clone's commit on `parent` has. Absent for a replayed commit (rebase, cherry-pick), whose
   * note stays in its clone: there `parent` is the upstream tip, which every clone builds on.
   */
  theirs?: string;
  at: string;
}

export interface HubTask {
  id: string;
  workplan: string | null;
  title: string;
  priority: string | null;
  status: Status;
  /** The hub's own id for the task (`state_hub_task_id` in files). */
  hubId: string;
  /** Bumped on every change of status or metadata; changes are planned against it. */
  version: number;
  /**
   * Counts changes of the status value only, by every write path; 0 at creation. A status that
   * went away and came back (cancelled → done → cancelled) has moved twice.
   */
  statusVersion: number;
  /** The seq of the newest point the hub has dropped for this task; null when it has dropped none. */
  droppedThrough: number | null;
  updatedAt: string;
  updatedBy: string;
  /** Oldest first. */
  points: SyncPoint[];
  /**
   * Never sent by a hub: read in from this clone's own records (withOwnRecords). The newest of this
   * clone's points that a restore lost past the task's status version, the hub unchanged since.
   */
  rolledBackFrom?: SyncPoint;
  /**
   * Never sent by a hub: read in from this clone's own records (withOwnRecords). This clone's points
   * a restore lost that the hub's present status was set after, by the hub's own clock: that
   * change did not see what they heard (see `rule`).
   */
  lostBeforeChange?: SyncPoint[];
  /**
   * Never sent by a hub: read in with `lostBeforeChange`. The point of the run whose push made the
   * hub's present status change, where the hub holds it: the value it pushed is as old as its
   * origin, and a lost point whose commit holds that origin saw it and moved on.
   */
  presentPushedBy?: SyncPoint;
  /**
   * Never sent by a hub: read in from the merge driver's notes (withDriverCommits). When the hub
   * took each note of a merge this clone does not hold (sent while the merge was being made): its
   * driver read both sides' values, and one may be the file's (a pull is due, a force-push dropped
   * the merge, or the person merging aborted it).
   */
  unheldMerges?: string[];
}

/**
 * A commit that replaced another (amend, rebase, squash by rebase), as post-rewrite reports it.
 * A status line carried over by a rewrite is the same news as before, not new news; one the
 * rewrite changed (an amend that edits a status, a squash onto another value) is new.
 */
export interface Rewrite {
  old: string;
  new: string;
  /** Tasks whose status differs between the two commits: for them `new` carried nothing over. */
  changed: string[];
}

export interface RepoState {
  repo: string;
  etag: string;
  tasks: HubTask[];
  /** Oldest first. */
  runs: RunRecord[];
  /** Oldest first; see Retention for which are kept. */
  rewrites: Rewrite[];
  /** True once the hub has dropped any run record of the repo: a run missing from `runs` may have been. */
  runsDropped: boolean;
  /**
   * For each file a run has laid out, the digest of its layout (`layoutDigest`): a clone sends the
   * layouts whose digest differs. Absent from a hub that keeps no layouts.
   */
  layouts?: Record<string, string>;
  /** The repository the repo belongs to (see SyncBatch.origin); absent until a clone has claimed it, and from an older hub. */
  origin?: string;
  /** Oldest first; with `only`, those tasks'. Absent from a hub that keeps none. */
  driverPoints?: DriverPoint[];
  /** The hub keeps which points put a lost value back (SyncPoint.restates); absent from an older hub, which refuses them in a batch. */
  restatements?: true;
}

/**
 * Why a clone of `clone` may not sync as `repo`, which belongs to `recorded`, and what to do: said by
 * the hub refusing its batch, and by a clone in check mode, which sends none.
 */
export function otherRepository(repo: string, recorded: string, clone: string): string {
  return (
    `repo '${repo}' on this hub belongs to ${recorded}, not to this clone's ${clone}: if they are different repositories, ` +
    "give this one its own slug with \"repo:\" in .custodian.yml; a fork's clone is the team's when its branch tracks the team's remote; " +
    `if the repository has moved, give the repo its new address where the hub's database is (custodian-hooks hub repo release ${repo} --to <new URL>)`
  );
}

/**
 * Which tasks a workplan file holds, in file order, as the clone's commit has them. The dashboard
 * lists a workplan in this order, and a task of a laid-out workplan that no file holds is in no
 * file (C-21). Display only: the rules never read it. `workplan` null: the file holds no workplan
 * any more (deleted, or no tasks left), and `ids` is empty.
 */
export interface Layout {
  file: string;
  workplan: string | null;
  ids: string[];
}

export interface WorkplanInfo {
  id: string;
  title: string | null;
}

/**
 * One task's part of a sync batch. `expectedVersion` is the version it was planned against
 * (0: the task must not exist yet); a stale one refuses the whole batch.
 */
export interface TaskChange {
  id: string;
  expectedVersion: number;
  workplan?: WorkplanInfo;
  title?: string;
  priority?: string | null;
  status?: Status;
  /** On creation: the id the file already carries (`state_hub_task_id`), kept as the hub's id. */
  hubId?: string;
  /** File and hub had both moved, and the rules decided the status by rank (C-22); the dashboard says so until the status changes. */
  decidedByRank?: true;
  /** The hub assigns `at`, `seq` and `statusVersion`. */
  point?: Omit<SyncPoint, 'at' | 'seq' | 'statusVersion'>;
}

export interface SyncBatch {
  repo: string;
  /** Who asks: the machine for a run. The HTTP hub records its token's name instead. */
  by: string;
  why?: string;
  changes: TaskChange[];
  run?: Omit<RunRecord, 'at' | 'machine'>;
  rewrites?: Rewrite[];
  /** The repository the clone syncs from (see originIdentity): the hub keeps a repo to one. */
  origin?: string;
  /** The files whose layout changed. */
  layouts?: Layout[];
  /**
   * Notes of merges (`theirs` given); the hub assigns `at`. Kept only for a task the hub holds at
   * that status and status version, or past that version.
   */
  driverPoints?: (Omit<DriverPoint, 'at' | 'theirs'> & { theirs: string })[];
}

export interface Conflict {
  id: string;
  expectedVersion: number;
  current: HubTask | null;
}

/** What the hub assigned to a point a batch recorded, so a clone can keep its own exact copy. */
export interface RecordedPoint {
  id: string;
  seq: number;
  statusVersion: number;
}

/**
 * `basis`: the repo's ETag just before the batch applied; `etag`, just after. `points`: one for
 * each change that carried a point, in the batch's order.
 */
export type SyncResult =
  | {
      ok: true;
      etag: string;
      basis: string;
      versions: Record<string, number>;
      points: RecordedPoint[];
      /** The hub's clock when it applied the batch, as its run record holds it; an older hub leaves it out. */
      at?: string;
    }
  | { ok: false; conflicts: Conflict[] };

export interface StatusUpdate {
  repo: string;
  id: string;
  status: Status;
  /** When given, the update is refused unless the task is at this version. */
  expectedVersion?: number;
  by: string;
  why?: string;
}

export type StatusUpdateResult = { ok: true; task: HubTask } | { ok: false; current: HubTask };

export interface HistoryEntry {
  taskId: string;
  from: Status | null;
  to: Status;
  by: string;
  why: string | null;
  at: string;
}

export interface RepoSummary {
  slug: string;
  tasks: number;
  revision: number;
}

export interface Hub {
  /** Where it is, for messages: a file path or a URL. */
  readonly location: string;
  /**
   * The repo's tasks and run records; 'not-modified' when `ifNoneMatch` is still current.
   * With `only`, just the tasks among those ids and the layouts of their workplans' files; runs and rewrites in full.
   */
  readRepo(repo: string, ifNoneMatch?: string, only?: readonly string[]): Promise<RepoState | 'not-modified'>;
  sync(batch: SyncBatch): Promise<SyncResult>;
  setStatus(update: StatusUpdate): Promise<StatusUpdateResult>;
  history(repo: string, id: string): Promise<HistoryEntry[]>;
  listRepos(slug?: string): Promise<RepoSummary[]>;
  close(): Promise<void>;
}

/** A request the hub will not carry out as asked; nothing of it was applied. */
export class InvalidRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** A hub that failed to answer, or answered something else than the contract says. */
export class HubUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HubUnavailableError';
  }
}

/** A task or repo the hub does not have. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The store cannot take the request now (no free connection, a lock held too long); nothing was applied. */
export class HubBusyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HubBusyError';
  }
}
