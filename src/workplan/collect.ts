import { type Finding, failure } from '../findings.js';
import type { Task, Workplan } from './parse.js';

export interface TaskSet {
  /** Tasks that can be reconciled: readable, with an id used exactly once in the repo. */
  tasks: Task[];
  /** Ids present in some file but unreadable or ambiguous: never written, never reported missing. */
  unreadableIds: string[];
  findings: Finding[];
}

/** Gathers the tasks of all workplans and sets aside ids used more than once. */
export function collectTasks(workplans: readonly Workplan[]): TaskSet {
  const byId = new Map<string, Task[]>();
  for (const task of workplans.flatMap((w) => w.tasks)) {
    const same = byId.get(task.id);
    if (same) same.push(task);
    else byId.set(task.id, [task]);
  }
  const tasks: Task[] = [];
  const findings: Finding[] = workplans.flatMap((w) => w.findings);
  const unreadableIds = new Set(workplans.flatMap((w) => w.unreadableIds));
  for (const [id, same] of byId) {
    if (same.length === 1 && !unreadableIds.has(id)) {
      tasks.push(same[0]!);
      continue;
    }
    unreadableIds.add(id);
    const places = same.map((t) => `${t.file}:${t.line}`).join(', ');
    for (const task of same) {
      findings.push(failure('C-05', { taskId: id, file: task.file, line: task.line, message: `task id '${id}' is used more than once (${places}); skipped` }));
    }
  }
  return { tasks, unreadableIds: [...unreadableIds], findings };
}
