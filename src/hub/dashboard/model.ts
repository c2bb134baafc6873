import type { Status } from '../../status.js';

/** What the dashboard reads from the store: small, bounded answers shaped for one page each. */

/** A workplan as the dashboard names it; `workplan` null: the repo's tasks under no workplan. */
export interface WorkplanKey {
  repo: string;
  workplan: string | null;
}

/** How many tasks of one workplan have one status, and when the newest of them changed. */
export interface StatusCount {
  repo: string;
  /** null: tasks the hub holds under no workplan. */
  workplan: string | null;
  workplanTitle: string | null;
  status: Status;
  count: number;
  lastChange: string;
}

export interface TaskFilter {
  repo: string;
  workplan: string | null;
  /** Empty: every status. */
  statuses: readonly Status[];
  /** Matched, case-insensitively, within the id or the title; empty matches all. */
  text: string;
  offset: number;
  limit: number;
}

/** A task as a workplan page lists it: its last change and what the hub knows of its agreement with a file. */
export interface TaskRowView {
  id: string;
  title: string;
  priority: string | null;
  status: Status;
  version: number;
  updatedAt: string;
  updatedBy: string;
  /** The reason given with its last status change. */
  why: string | null;
  /** The status of its newest sync point; null when no run ever agreed on it with a file. */
  agreed: Status | null;
  /** Its workplan was laid out by a run, and no file holds it (C-21). */
  inNoFile: boolean;
  /** When the rules last decided its status by rank, file and hub having both moved (C-22); null once the status changed since. */
  rankDecidedAt: string | null;
}

export interface TaskPage {
  tasks: TaskRowView[];
  /** Tasks matching the filter, over all pages. */
  matching: number;
}

/** One status change, anywhere in the hub. */
export interface ActivityEntry {
  repo: string;
  taskId: string;
  title: string;
  from: Status | null;
  to: Status;
  by: string;
  why: string | null;
  at: string;
}
