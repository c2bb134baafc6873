import { listCommittedMarkdown, readBlobs, workplanPaths, type Repo } from '../repo.js';
import { collectTasks, type TaskSet } from './collect.js';
import { readParseCache, writeParseCache } from './parse-cache.js';
import { parseWorkplan, type Workplan } from './parse.js';

export interface LoadedWorkplans extends TaskSet {
  head: string | null;
  workplans: Workplan[];
  /** Each workplan's blob at `head` (an id or `rev:path`), to read its committed text for a byte-exact writeback. */
  blobs: Map<string, string>;
}

/** A Markdown file's text as a workplan, or null when it is none (no task blocks, not typed one, nothing wrong). */
function asWorkplan(text: string, file: string): Workplan | null {
  const parsed = parseWorkplan(text, file);
  return parsed.isWorkplan || parsed.findings.length > 0 ? parsed : null;
}

/** Every workplan as committed at `rev` (HEAD by default); only files changed since the last run are parsed. */
export async function loadWorkplans(repo: Repo, rev?: string): Promise<LoadedWorkplans> {
  const { head, entries } = await listCommittedMarkdown(repo, rev);
  const cached = readParseCache(repo.gitDir);
  const fresh = entries.filter((e) => cached[e.path]?.oid !== e.oid);
  const texts = await readBlobs(repo, fresh.map((e) => e.oid));
  // No prototype: a path such as `__proto__` is a key like any other.
  const next: typeof cached = Object.create(null);
  for (const entry of entries) {
    const text = texts.get(entry.oid);
    next[entry.path] = text === undefined ? cached[entry.path]! : { oid: entry.oid, workplan: asWorkplan(text, entry.path) };
  }
  if (fresh.length > 0 || Object.keys(cached).length !== entries.length) writeParseCache(repo.gitDir, next);
  const workplans = entries.map((e) => next[e.path]!.workplan).filter((w): w is Workplan => w !== null);
  const blobs = new Map(entries.filter((e) => next[e.path]!.workplan).map((e) => [e.path, e.oid]));
  return { head, workplans, blobs, ...collectTasks(workplans) };
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
  const texts = await readBlobs(repo, paths.flatMap((f) => [`${rev}:${f}`, `${since}:${f}`]));
  const read = (at: string) =>
    paths.flatMap((f) => {
      const text = texts.get(`${at}:${f}`);
      const workplan = text === undefined ? null : asWorkplan(text, f);
      return workplan ? [workplan] : [];
    });
  const workplans = read(rev);
  const idsBefore = new Set(read(since).flatMap((w) => [...w.tasks.map((t) => t.id), ...w.unreadableIds]));
  const blobs = new Map(workplans.map((w) => [w.file, `${rev}:${w.file}`]));
  return { head: rev, workplans, blobs, idsBefore, ...collectTasks(workplans) };
}
