import { readCommittedMarkdown, type Repo } from '../repo.js';
import { collectTasks, type TaskSet } from './collect.js';
import { parseWorkplan, type Workplan } from './parse.js';

export interface LoadedWorkplans extends TaskSet {
  head: string | null;
  workplans: Workplan[];
  /** Each workplan's committed text, for byte-exact writeback. */
  texts: Map<string, string>;
}

/** Every workplan as committed at `rev` (HEAD by default), with its tasks and what could not be read. */
export async function loadWorkplans(repo: Repo, rev?: string): Promise<LoadedWorkplans> {
  const { head, files } = await readCommittedMarkdown(repo, rev);
  const workplans = files.map((f) => parseWorkplan(f.text, f.path)).filter((w) => w.isWorkplan || w.findings.length > 0);
  const kept = new Set(workplans.map((w) => w.file));
  const texts = new Map(files.filter((f) => kept.has(f.path)).map((f) => [f.path, f.text]));
  return { head, workplans, texts, ...collectTasks(workplans) };
}
