import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { commonGitDir } from './common-dir.js';
import { type BlamedLine, blameLines, presentCommits } from './facts.js';
import { quotedPath } from './quoted-path.js';
import { commitParents } from './trees.js';
import type { FileTask } from '../reconcile/types.js';
import { listCommittedMarkdown, readBlobs, type Repo, treeEntries } from '../repo.js';
import { readParseCache } from '../workplan/parse-cache.js';
import { parseBlob } from '../workplan/parse-blob.js';

/** How far back a value is followed through commits that touched its line without changing it. */
const MAX_HOPS = 32;
/** How many ancestors heldBeforeGap looks at for where a task sat before a gap. */
const MAX_GAP = 8;
/**
 * Up to this many files at a commit are parsed from their blobs; past it, the parse cache is read
 * (once a trace): reading the cache of a 10,000-task repo costs more than parsing a few files.
 */
const FEW_FILES = 16;

/** Every workplan as last parsed, read from the cache when first needed. */
type ParsedLater = () => ReturnType<typeof readParseCache>;

/** A task's status line being traced: the commit to blame at, and where the line sits there. */
interface Trace {
  id: string;
  status: string;
  at: string;
  file: string;
  line: number;
  /** Blame named another task's line: the trace steps back by parents instead. */
  walk?: boolean;
}

/**
 * The commit that set each task's status VALUE (DESIGN.md, "Rules v2", 1): blame names the commit
 * that last touched the line; while a parent of that commit holds the same id with the same status
 * anywhere in the workplans (a moved block, a reordering, a comment added), the value is older and
 * the trace goes on from there. Null where git cannot say: blame failed, a blob is missing, the
 * trace meets a shallow clone's boundary or runs past MAX_HOPS. Unknown never decides.
 *
 * `firstParent` blames along first parents only, to find the first-parent side's own copy of a
 * value a merge holds on both sides. A merge that took the value from another parent (a person
 * keeping theirs in a conflict) did not set it: the trace goes on in that parent, as it would
 * without the option, rather than name the merge as a second origin no record saw.
 *
 * `introduced` collects the tasks whose origin holds a task none of its parents had in any
 * workplan: the commit brought the task in (created, or back after a gap; see gatherHistory).
 */
export async function valueOrigins(
  repo: Repo,
  head: string,
  tasks: readonly FileTask[],
  options: { firstParent?: boolean; reads?: TraceReads; introduced?: Set<string> } = {},
): Promise<Map<string, string | null>> {
  const found = new Map<string, string | null>();
  const reads = options.reads ?? traceReads(repo);
  let traces: Trace[] = tasks.map((t) => ({ id: t.id, status: t.status, at: head, file: t.file, line: t.line }));
  for (let hop = 0; traces.length > 0; hop++) {
    if (hop === MAX_HOPS) {
      for (const t of traces) found.set(t.id, null);
      break;
    }
    const blamed = await blameTraces(
      repo,
      traces.filter((t) => !t.walk),
      options,
    );
    const origins = traces.flatMap((t) => {
      const source = t.walk ? undefined : blamed.get(t);
      const origin = t.walk ? t.at : source?.commit;
      if (!origin) found.set(t.id, null);
      return origin ? [{ trace: t, origin, source }] : [];
    });
    const parents = await parentsOf(repo, new Set(origins.map((o) => o.origin)), reads);
    const held = await heldAt(repo, reads, [
      // Blame follows text: an identical status line of another task (after a reordering) can take
      // this one's place. The commit it names must hold this task at this status.
      ...origins.filter(({ trace }) => !trace.walk).map(({ trace, origin }) => ({ commit: origin, id: trace.id, file: trace.file })),
      ...origins.flatMap(({ trace, origin }) => (parents.get(origin) ?? []).map((commit) => ({ commit, id: trace.id, file: trace.file }))),
    ]);
    traces = [];
    for (const { trace, origin, source } of origins) {
      if (!trace.walk) {
        const there = held.get(`${origin} ${trace.id}`);
        // Blame may have matched the line to another task's identical one (blocks reordered or
        // moved), in a commit where this task happened to hold the same status too: a value that
        // went away and came back since would look as old as the first. It is this task's line
        // only where the task's status line sat exactly there.
        const own = there?.status === trace.status && there.line === source?.line && quotedPath('', there.file) === source.file;
        if (there === null) found.set(trace.id, null);
        // Not this task's line: step back from where the trace stands, one commit at a time.
        else if (!own) traces.push({ ...trace, walk: true });
        if (!own) continue;
      }
      const ps = parents.get(origin);
      const before = ps?.map((commit) => held.get(`${commit} ${trace.id}`)) ?? [];
      const same = before.find((t) => t?.status === trace.status);
      if (same) traces.push({ ...trace, ...same, walk: false });
      else {
        found.set(trace.id, ps === null || before.includes(null) ? null : origin);
        if (ps && before.every((t) => t === undefined)) options.introduced?.add(trace.id);
      }
    }
  }
  return found;
}

/**
 * Where task `id` sat before `brought`, a commit that holds it while its parents hold it nowhere (a
 * block cut in one commit and pasted in a later one): the nearest ancestor by first parents, among
 * the MAX_GAP nearest, that holds it. Null where that is not known: no copy within reach, a merge in
 * the gap (which line the block came back from is not known), a shallow boundary or a blob offline.
 */
export async function heldBeforeGap(repo: Repo, reads: TraceReads, id: string, file: string, brought: string): Promise<HeldTask | null> {
  let at = brought;
  for (let step = 0; step < MAX_GAP; step++) {
    const ps = (await parentsOf(repo, new Set([at]), reads)).get(at);
    if (ps?.length !== 1) return null;
    const parent = ps[0]!;
    const held = (await heldAt(repo, reads, [{ commit: parent, id, file }])).get(`${parent} ${id}`);
    if (held !== undefined) return held;
    at = parent;
  }
  return null;
}

/**
 * What a trace reads of git besides blame, kept for a second trace over the same history (the
 * first-parent one, which asks of the same commits): each commit's parents, where each task sat,
 * the parse cache and the shallow boundary, each read when first needed and once a run.
 */
export interface TraceReads {
  parsed: ParsedLater;
  shallow: () => Promise<ReadonlySet<string>>;
  parents: Map<string, string[] | null>;
  held: Map<string, Held | null>;
}

export function traceReads(repo: Repo): TraceReads {
  let cache: ReturnType<typeof readParseCache> | undefined;
  let boundary: Promise<ReadonlySet<string>> | undefined;
  return {
    parsed: () => (cache ??= readParseCache(repo.gitDir)),
    shallow: () => (boundary ??= shallowBoundary(repo)),
    parents: new Map(),
    held: new Map(),
  };
}

/** One blame per commit and file, a `-L` per line. */
async function blameTraces(repo: Repo, traces: readonly Trace[], options: { firstParent?: boolean }): Promise<Map<Trace, BlamedLine | null>> {
  const byCommit = groupBy(traces, (t) => t.at);
  const result = new Map<Trace, BlamedLine | null>();
  await Promise.all(
    [...byCommit].map(async ([commit, group]) => {
      const linesByFile = new Map<string, number[]>();
      for (const t of group) linesByFile.get(t.file)?.push(t.line) ?? linesByFile.set(t.file, [t.line]);
      const blamed = await blameLines(repo, commit, linesByFile, options);
      for (const t of group) result.set(t, blamed.get(t.file)?.get(t.line) ?? null);
    }),
  );
  return result;
}

/**
 * Each commit's parents, as its object lists them; null where git lacks a parent, or the commit is
 * a shallow clone's boundary: git takes its history as cut there even when the parents' objects
 * happen to be here (a full clone fetched `--depth 1` later).
 */
async function parentsOf(repo: Repo, commits: ReadonlySet<string>, reads: TraceReads): Promise<ReadonlyMap<string, string[] | null>> {
  const { parents } = reads;
  const boundary = await reads.shallow();
  await Promise.all(
    [...commits]
      .filter((commit) => !parents.has(commit))
      .map(async (commit) => {
        const ps = boundary.has(commit) ? null : await commitParents(repo.top, commit);
        const here = await presentCommits(repo, ps ?? []);
        parents.set(commit, ps?.every((p) => here.has(p)) ? ps : null);
      }),
  );
  return parents;
}

/** The commits a shallow clone's history is cut at: `shallow` in the repository's common git dir. */
export async function shallowBoundary(repo: Repo): Promise<Set<string>> {
  const text = await readFile(path.join(commonGitDir(repo.gitDir), 'shallow'), 'utf8').catch(() => '');
  return new Set(text.split('\n').filter(Boolean));
}

/** Where a task sat at a commit (`at`): its workplan, the line of its status, and that status. */
export type HeldTask = { at: string; file: string; line: number; status: string };
type Held = HeldTask | undefined;

/** tasksAt, asking only what this run has not asked yet. */
async function heldAt(
  repo: Repo,
  reads: TraceReads,
  wants: readonly { commit: string; id: string; file: string }[],
): Promise<ReadonlyMap<string, Held | null>> {
  const fresh = wants.filter((w) => !reads.held.has(`${w.commit} ${w.id}`));
  for (const [key, held] of await tasksAt(repo, reads.parsed, fresh)) reads.held.set(key, held);
  return reads.held;
}

/**
 * Where each task sat at a commit: first in the file it sits in now, else in any workplan there.
 * Keyed `<commit> <id>`: undefined when the commit holds no such task, null when a blob git should
 * have is missing (a partial clone offline), so the answer is unknown.
 */
async function tasksAt(repo: Repo, parsed: ParsedLater, wants: readonly { commit: string; id: string; file: string }[]): Promise<Map<string, Held | null>> {
  const held = new Map<string, Held | null>();
  const byCommit = groupBy(wants, (w) => w.commit);
  await Promise.all(
    [...byCommit].map(async ([commit, group]) => {
      const entries = await treeEntries(
        repo,
        commit,
        group.map((w) => w.file),
      );
      const lookup = await workplanTasks(
        repo,
        parsed,
        commit,
        [...entries].map(([file, e]) => ({ path: file, oid: e.oid })),
      );
      let missing = group.filter((w) => !lookup.has(w.id));
      if (missing.length > 0 && !lookup.blobMissing) {
        const all = await listCommittedMarkdown(repo, commit);
        const everywhere = await workplanTasks(repo, parsed, commit, all.entries);
        for (const w of missing) held.set(`${commit} ${w.id}`, everywhere.blobMissing ? null : everywhere.get(w.id));
        missing = [];
      }
      for (const w of group) if (!held.has(`${commit} ${w.id}`)) held.set(`${commit} ${w.id}`, lookup.blobMissing ? null : lookup.get(w.id));
    }),
  );
  return held;
}

/** The tasks of these workplan blobs at `commit`, by id; many are parsed through the parse cache, read only. */
async function workplanTasks(
  repo: Repo,
  parsed: ParsedLater,
  commit: string,
  entries: readonly { path: string; oid: string }[],
): Promise<Map<string, Held> & { blobMissing?: boolean }> {
  const cached = entries.length > FEW_FILES ? parsed() : {};
  const fresh = entries.filter((e) => cached[e.path]?.oid !== e.oid);
  const texts = await readBlobs(
    repo,
    fresh.map((e) => e.oid),
  );
  const tasks: Map<string, Held> & { blobMissing?: boolean } = new Map();
  for (const e of entries) {
    const text = texts.get(e.oid);
    if (text === undefined && cached[e.path]?.oid !== e.oid) tasks.blobMissing = true;
    const workplan = text === undefined ? cached[e.path]?.workplan : parseBlob(e.oid, text, e.path);
    for (const t of workplan?.tasks ?? []) if (!tasks.has(t.id)) tasks.set(t.id, { at: commit, file: e.path, line: t.line, status: t.status });
  }
  return tasks;
}

function groupBy<Item>(items: readonly Item[], key: (item: Item) => string): Map<string, Item[]> {
  const groups = new Map<string, Item[]>();
  for (const item of items) groups.get(key(item))?.push(item) ?? groups.set(key(item), [item]);
  return groups;
}
