import { noCounts } from '../hub/dashboard/progress.js';
import { STATUSES, type Status } from '../status.js';
import type { Workplan } from '../workplan/parse.js';

/** One workplan's tasks counted by status, as `custodian-hooks status` shows them. */
export interface WorkplanProgress {
  file: string;
  title: string | null;
  total: number;
  counts: Record<Status, number>;
  /** Tasks present but unreadable (bad YAML, no id, an unknown status): counted apart. */
  unreadable: number;
  /** Finished (done or cancelled) out of the readable tasks, 0 to 1; 0 for a workplan without any. */
  progress: number;
}

const FINISHED: readonly Status[] = ['done', 'cancelled'];

function progressOf(counts: Record<Status, number>): { total: number; progress: number } {
  const total = STATUSES.reduce((n, s) => n + counts[s], 0);
  const finished = FINISHED.reduce((n, s) => n + counts[s], 0);
  return { total, progress: total === 0 ? 0 : finished / total };
}

export function workplanProgress(workplan: Workplan): WorkplanProgress {
  const counts = noCounts();
  for (const task of workplan.tasks) counts[task.status]++;
  const title = typeof workplan.frontMatter.title === 'string' ? workplan.frontMatter.title : null;
  return { file: workplan.file, title, counts, unreadable: workplan.unreadableIds.length, ...progressOf(counts) };
}

/** Every workplan's counts added up. */
export function totalProgress(workplans: readonly WorkplanProgress[]): Omit<WorkplanProgress, 'file' | 'title'> {
  const counts = noCounts();
  for (const w of workplans) for (const s of STATUSES) counts[s] += w.counts[s];
  return { counts, unreadable: workplans.reduce((n, w) => n + w.unreadable, 0), ...progressOf(counts) };
}
