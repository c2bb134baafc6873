import { listCommittedMarkdown, readBlobs, type Repo } from '../repo.js';
import { collectTasks, type TaskSet } from './collect.js';
import { readParseCache, writeParseCache } from './parse-cache.js';
import { parseWorkplan, type Workplan } from './parse.js';

export interface LoadedWorkplans extends TaskSet {
  head: string | null;
  workplans: Workplan[];
  /** Each workplan's blob at `head`, to read its committed text for a byte-exact writeback. */
  blobs: Map<string, string>;
}

/** Every workplan as committed at `rev` (HEAD by default); only files changed since the last run are parsed. */
export async function loadWorkplans(repo: Repo, rev?: string): Promise<LoadedWorkplans> {
  const { head, entries } = await listCommittedMarkdown(repo, rev);
  const cached = readParseCache(repo.gitDir);
  const fresh = entries.filter((e) => cached[e.path]?.oid !== e.oid);
  const texts = await readBlobs(repo, fresh.map((e) => e.oid));
  const next: typeof cached = {};
  for (const entry of entries) {
    const text = texts.get(entry.oid);
    if (text === undefined) {
      next[entry.path] = cached[entry.path]!;
      continue;
    }
    const parsed = parseWorkplan(text, entry.path);
    next[entry.path] = { oid: entry.oid, workplan: parsed.isWorkplan || parsed.findings.length > 0 ? parsed : null };
  }
  if (fresh.length > 0 || Object.keys(cached).length !== entries.length) writeParseCache(repo.gitDir, next);
  const workplans = entries.map((e) => next[e.path]!.workplan).filter((w): w is Workplan => w !== null);
  const blobs = new Map(entries.filter((e) => next[e.path]!.workplan).map((e) => [e.path, e.oid]));
  return { head, workplans, blobs, ...collectTasks(workplans) };
}
