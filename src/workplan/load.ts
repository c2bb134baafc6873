import { listCommittedMarkdown, readBlobs, treeEntries, workplanPaths, type Repo } from '../repo.js';
import { collectTasks, type TaskSet } from './collect.js';
import { readParseCache, writeParseCache } from './parse-cache.js';
import type { Workplan } from './parse.js';
import { parseBlob } from './parse-blob.js';

export interface LoadedWorkplans extends TaskSet {
  head: string | null;
  workplans: Workplan[];
}

/** A Markdown file's text as a workplan, or null when it is none (no task blocks, not typed one, nothing wrong). */
function asWorkplan(oid: string, text: string, file: string): Workplan | null {
  const parsed = parseBlob(oid, text, file);
  return parsed.isWorkplan || parsed.findings.length > 0 ? parsed : null;
}

/** Every workplan as committed at `rev` (HEAD by default); only files changed since the last run are parsed. */
export async function loadWorkplans(repo: Repo, rev?: string): Promise<LoadedWorkplans> {
  const { head, entries } = await listCommittedMarkdown(repo, rev);
  const cached = readParseCache(repo.gitDir);
  const fresh = entries.filter((e) => cached[e.path]?.oid !== e.oid);
  const texts = await readBlobs(
    repo,
    fresh.map((e) => e.oid),
  );
  // No prototype: a path such as `__proto__` is a key like any other.
  const next: typeof cached = Object.create(null);
  for (const entry of entries) {
    const text = texts.get(entry.oid);
    next[entry.path] = text === undefined ? cached[entry.path]! : { oid: entry.oid, workplan: asWorkplan(entry.oid, text, entry.path) };
  }
  if (fresh.length > 0 || Object.keys(cached).length !== entries.length) writeParseCache(repo.gitDir, next);
  const workplans = entries.map((e) => next[e.path]!.workplan).filter((w): w is Workplan => w !== null);
  return { head, workplans, ...collectTasks(workplans) };
}

export interface TouchedWorkplans extends LoadedWorkplans {
  /** Every task id the same files held at `since`. */
  idsBefore: Set<string>;
}

/**
 * Just `files`, as committed at `rev` and at `since`: what a run reads when the hooks have shown
 * that no other workplan changed since a settled run. The parse cache is left alone; a handful
 * of files parse faster than a large repo's cache reads back.
 */
export async function loadTouchedWorkplans(repo: Repo, rev: string, since: string, files: readonly string[]): Promise<TouchedWorkplans> {
  // In path order, as a full read lists them.
  const paths = files.filter(workplanPaths(repo)).sort();
  const [now, then] = await Promise.all([treeEntries(repo, rev, paths), treeEntries(repo, since, paths)]);
  const texts = await readBlobs(
    repo,
    [...now.values(), ...then.values()].map((e) => e.oid),
  );
  const read = (at: ReadonlyMap<string, { oid: string }>) =>
    paths.flatMap((f) => {
      const entry = at.get(f);
      const text = entry && texts.get(entry.oid);
      const workplan = entry && text !== undefined ? asWorkplan(entry.oid, text, f) : null;
      return workplan ? [workplan] : [];
    });
  const workplans = read(now);
  const idsBefore = new Set(read(then).flatMap((w) => [...w.tasks.map((t) => t.id), ...w.unreadableIds]));
  return { head: rev, workplans, idsBefore, ...collectTasks(workplans) };
}
