import { STATUSES, type Status } from '../../status.js';
import type { StatusCount } from './model.js';

/** A workplan's tasks counted by status. */
export interface WorkplanProgress {
  repo: string;
  workplan: string | null;
  title: string | null;
  counts: Record<Status, number>;
  total: number;
  /** Done and cancelled: the tasks nobody has to work on any more. */
  closed: number;
  lastChange: string;
}

export const noCounts = (): Record<Status, number> => Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;

/** Folds per-status counts (ordered by repo and workplan) into one entry per workplan, in that order. */
export function workplanProgress(rows: readonly StatusCount[]): WorkplanProgress[] {
  const byKey = new Map<string, WorkplanProgress>();
  for (const row of rows) {
    const key = JSON.stringify([row.repo, row.workplan]);
    let entry = byKey.get(key);
    if (!entry) {
      entry = { repo: row.repo, workplan: row.workplan, title: row.workplanTitle, counts: noCounts(), total: 0, closed: 0, lastChange: row.lastChange };
      byKey.set(key, entry);
    }
    entry.counts[row.status] += row.count;
    entry.total += row.count;
    if (row.status === 'done' || row.status === 'cancelled') entry.closed += row.count;
    if (row.lastChange > entry.lastChange) entry.lastChange = row.lastChange;
  }
  return [...byKey.values()];
}
