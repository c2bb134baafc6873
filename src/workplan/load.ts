import { readCommittedMarkdown, type Repo } from '../repo.js';
import { collectTasks, type TaskSet } from './collect.js';
import { parseWorkplan, type Workplan } from './parse.js';

export interface LoadedWorkplans extends TaskSet {
  head: string | null;
  workplans: Workplan[];
}

/** Every workplan as committed at HEAD, with its tasks and what could not be read. */
export async function loadWorkplans(repo: Repo): Promise<LoadedWorkplans> {
  const { head, files } = await readCommittedMarkdown(repo);
  const workplans = files.map((f) => parseWorkplan(f.text, f.path)).filter((w) => w.isWorkplan || w.findings.length > 0);
  return { head, workplans, ...collectTasks(workplans) };
}
