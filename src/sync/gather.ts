import { type Finding, finding } from '../findings.js';
import { messageOf } from '../errors.js';
import {
  ancestryAmong,
  ancestryOf,
  fetchUpstream,
  isAncestor,
  lastChangedIn,
  presentCommits,
  readTreeState,
  resolveCommit,
  type TreeState,
} from '../git/facts.js';
import { git } from '../git/run.js';
import { writebacksHeld } from '../git/writebacks-held.js';
import type { RepoState as HubState, Rewrite } from '../hub/types.js';
import { readOutbox } from '../clone/outbox.js';
import { type OwnRecords, ownScope, readOwnRecords } from '../clone/own-records.js';
import { carriedOver, disagreeing, replacedBy, type RewriteIndex, rewriteIndex, writtenSince } from '../reconcile/plan.js';
import type { FileLayout } from '../reconcile/layouts.js';
import type { Ancestry, FileTask, WrittenBack } from '../reconcile/types.js';
import { changedFiles, type Repo } from '../repo.js';
import { loadTouchedWorkplans, loadWorkplans, type LoadedWorkplans } from '../workplan/load.js';
import { finishInterruptedLanding } from '../writeback/commit.js';
import type { ReconcileDeps, ReconcileOptions } from './options.js';
import type { TouchedScope } from '../hook/scope.js';
import { heldBeforeGap, type TraceReads, traceReads, valueOrigins } from '../git/value-origins.js';
import { type CommitShape, commitParents, commitShape, commitTime, madeAgain, shapeKey } from '../git/trees.js';

const SPEC_BEHIND = (slug: string) => `Repo '${slug}' is behind remote — pull before fixing to avoid clobbering remote progress`;
const SPEC_DIRTY = 'workplan has uncommitted changes — skipping writeback';

/** Everything a run knows before it hears the hub: the commit, the workplans, the pull gate. */
export interface RunFacts {
  state: TreeState;
  head: string;
  /** A fix run that may write: fix mode, no guard, not behind its upstream. */
  fixing: boolean;
  /** The upstream commit HEAD contains (null without one, or when HEAD is behind it). */
  upstream: string | null;
  loaded: LoadedWorkplans;
  /** Readable tasks in files without uncommitted changes. */
  files: FileTask[];
  /** Ids in files this run does not reconcile: unreadable, duplicated, or in a dirty file. */
  skipped: Set<string>;
  /** Each workplan file read, its tasks in file order: what the dashboard lists (see Layout). */
  layouts: FileLayout[];
  /** The workplan files this run was to read; null: every file. */
  among: readonly string[] | null;
  /**
   * The commit this run reads is the team's: the upstream itself, the commit being pushed, or a
   * clone with no upstream. Only then does it lay out files for the dashboard: two clones with
   * unpushed edits would otherwise each send their own, moving the ETag under the other's hooks.
   */
  shared: boolean;
  /** Rewrite records earlier hooks could not deliver: they go with this run's batch. */
  pendingRewrites: Rewrite[];
  /** The records this clone sent before, read beside the hub's. */
  own: OwnRecords;
  /** The hub's first answer, and how to ask again after a refused batch. */
  firstRead: Promise<HubState>;
  reread: () => Promise<HubState>;
  /** When only part of the repo was read: the ETag at which the rest is known to agree (null: all was read). */
  restAgreesAt: string | null;
  /** A step before planning failed in a way that keeps this run from vouching for the tree (a pull, a landing). */
  incomplete: boolean;
  findings: Finding[];
}

/**
 * The facts of one run, asked of git and the hub at once so the network's wait hides the local
 * work. `mayWrite`: fix mode, no guard, and this run holds the working tree's lock.
 */
export async function gatherRun(repo: Repo, options: ReconcileOptions, deps: ReconcileDeps, state: TreeState, mayWrite: boolean): Promise<RunFacts> {
  const findings: Finding[] = [];
  let incomplete = false;
  if (mayWrite) {
    await finishInterruptedLanding(repo).catch((error: unknown) => {
      incomplete = true;
      findings.push(finding('C-25', options.mode, { message: `could not finish the working copy of an interrupted writeback: ${messageOf(error)}` }));
    });
  }
  if (mayWrite && options.pull) {
    await git(repo.top, ['pull', '--ff-only', '--quiet'], { env: { GIT_TERMINAL_PROMPT: '0' } }).catch((error: unknown) => {
      incomplete = true;
      findings.push(finding('C-14', options.mode, { message: `git pull --ff-only failed — fixing anyway: ${messageOf(error).split('\n')[0]}` }));
    });
    state = await readTreeState(repo);
  }
  const head = options.at ?? state.head!;
  const gate = pullGate(repo, state, head, options);
  gate.catch(() => undefined);
  const { scope } = options;
  const view = (scope?.kind === 'touched' && (await readTouched(repo, head, options, scope, deps))) || (await readEverything(repo, head, options, deps));
  const { upstream, behind } = await gate;
  if (behind) findings.push(finding('C-14', options.mode, { message: SPEC_BEHIND(repo.slug) }));
  findings.push(...view.loaded.findings);
  const { files, skipped, dirtyFiles, layouts } = fileTasks(view.loaded, view.dirty);
  for (const file of dirtyFiles) findings.push(finding('C-14', options.mode, { file, message: SPEC_DIRTY }));
  return {
    ...view,
    state,
    head,
    fixing: mayWrite && !behind,
    upstream: behind ? null : upstream,
    shared: options.at !== undefined || !state.upstreamRef || upstream === head,
    files,
    skipped,
    layouts,
    pendingRewrites: options.mode === 'fix' ? readOutbox(repo.gitDir) : [],
    own: readOwnRecords(repo.gitDir, ownScope(repo, deps.hub.location)),
    incomplete,
    findings,
  };
}

function fileTasks(loaded: LoadedWorkplans, dirty: ReadonlySet<string>): Pick<RunFacts, 'files' | 'skipped' | 'layouts'> & { dirtyFiles: string[] } {
  const skipped = new Set(loaded.unreadableIds);
  const dirtyFiles: string[] = [];
  const workplanOf = new Map<string, FileTask['workplan']>();
  const layouts: FileLayout[] = [];
  for (const w of loaded.workplans) {
    // An empty `id:` names no workplan: the file's path stands in, as for none.
    const id = typeof w.frontMatter.id === 'string' && w.frontMatter.id !== '' ? w.frontMatter.id : w.file;
    workplanOf.set(w.file, { id, title: typeof w.frontMatter.title === 'string' ? w.frontMatter.title : null });
    layouts.push({ file: w.file, workplan: id, ids: [...w.tasks.map((t) => t.id), ...w.unreadableIds] });
    if (dirty.has(w.file) && (w.tasks.length > 0 || w.unreadableIds.length > 0)) {
      dirtyFiles.push(w.file);
      for (const t of w.tasks) skipped.add(t.id);
    }
  }
  const files = loaded.tasks.filter((t) => !dirty.has(t.file)).map((t) => ({ ...t, workplan: workplanOf.get(t.file)! }));
  return { files, skipped, dirtyFiles, layouts };
}

/**
 * The pull gate (C-14): the upstream commit, after a fetch unless told not to, and whether HEAD is
 * behind it or has diverged from it: then another machine's progress is not here yet.
 */
async function pullGate(repo: Repo, state: TreeState, head: string, options: ReconcileOptions): Promise<{ upstream: string | null; behind: boolean }> {
  if (!state.upstreamRef) return { upstream: null, behind: false };
  const fetched = options.fetch !== false && (await fetchUpstream(repo, state, options.fetchTimeoutMs ?? 3000));
  // By `@{upstream}`, not the ref's name, which git would read otherwise were the ref missing.
  const upstream = fetched ? await resolveCommit(repo, '@{upstream}') : state.upstream;
  return { upstream, behind: upstream !== null && !(await isAncestor(repo, upstream, head)) };
}

type View = Pick<RunFacts, 'loaded' | 'firstRead' | 'reread' | 'restAgreesAt' | 'among'> & { dirty: Set<string> };

/** Every workplan and the whole hub, all asked for at once. */
async function readEverything(repo: Repo, head: string, options: ReconcileOptions, { hub }: ReconcileDeps): Promise<View> {
  const reread = () => hub.readRepo(repo.slug).then((r) => r as HubState);
  const firstRead = reread();
  firstRead.catch(() => undefined);
  const [loaded, dirty] = await Promise.all([loadWorkplans(repo, head), options.at ? new Set<string>() : changedFiles(repo)]);
  return { loaded, dirty, firstRead, reread, restAgreesAt: null, among: null };
}

/** The touched workplans and their tasks' hub rows, or null when everything must be read after all. */
async function readTouched(repo: Repo, head: string, options: ReconcileOptions, touched: TouchedScope, { hub }: ReconcileDeps): Promise<View | null> {
  const [loaded, dirty] = await Promise.all([
    loadTouchedWorkplans(repo, head, touched.since, touched.files),
    options.at ? new Set<string>() : changedFiles(repo, touched.files),
  ]);
  const ids = new Set([...loaded.idsBefore, ...loaded.tasks.map((t) => t.id), ...loaded.unreadableIds]);
  const reread = () => hub.readRepo(repo.slug, undefined, [...ids]).then((r) => r as HubState);
  const firstRead = reread();
  // A hub that does not answer is reported as in any run.
  const first = await firstRead.catch(() => null);
  if (first && (first.etag !== touched.etag || first.tasks.some((t) => !loaded.idsBefore.has(t.id)))) return null;
  return { loaded, dirty, firstRead, reread, restAgreesAt: touched.etag, among: touched.files };
}

/** What git's history says about the tasks the two sides disagree on, for one state of the hub. */
export interface HistoryFacts {
  /** The commit that set each disputed task's status value (null: git could not say). */
  origins: Map<string, string | null>;
  /** Where a merge's two sides held the same line: the first-parent chain's commit too. */
  otherOrigins: Map<string, string[]>;
  ancestry: Ancestry;
  /** Whether this clone holds a commit the hub's records name. */
  present: (commit: string) => boolean;
  /** When each origin was committed (ms since the epoch), where a hub run names a commit this clone lacks. */
  committedAt: Map<string, number>;
  /** By task, when its file value was first committed (see firstCommitTimes), where a merge note names a merge this clone lacks. */
  firstCommittedAt: Map<string, number>;
  /** Origins git shows to be copies of commits the hub's records name: rewrites that changed nothing (see copiesOfNamed). */
  copies: Rewrite[];
  /** Origins that may be copies of commits the hub's records name, by another author line: those commits, by origin. */
  maybeCopyOf: Map<string, string[]>;
  /** By task, other clones' writeback commits that may be agreements the hub lost (see othersWritebacks). */
  writtenBack: Map<string, WrittenBack[]>;
}

/**
 * Blame for the disputed tasks and one history walk over every commit the rules may compare.
 * `ownPoints` reads this clone's own points, asked only where another clone's writeback may count.
 */
export async function gatherHistory(
  repo: Repo,
  facts: Pick<RunFacts, 'head' | 'files' | 'upstream'>,
  hub: HubState,
  rewrites: readonly Rewrite[],
  ownPoints: () => OwnRecords['points'],
): Promise<HistoryFacts> {
  const { head } = facts;
  const contested = new Set(disagreeing(facts.files, hub.tasks));
  const contestedFiles = facts.files.filter((f) => contested.has(f.id));
  // Commits the hub names may be another clone's: which ones this clone has is asked while blame runs.
  // The first-parent trace below asks of the same commits: what git told the first is kept for it.
  const reads = traceReads(repo);
  const introduced = new Set<string>();
  const [origins, hubCommitsHere] = await Promise.all([
    valueOrigins(repo, head, contestedFiles, { reads, introduced }),
    presentCommits(repo, [
      ...hub.tasks.flatMap((t) => [...t.points, ...(t.lostBeforeChange ?? [])].flatMap((p) => [p.commit, p.upstream, p.origin])),
      ...hub.runs.flatMap((r) => [r.commit, r.upstream]),
      ...rewrites.flatMap((r) => [r.old, r.new]),
    ]),
  ]);
  const writtenBack = await othersWritebacks(repo, [head, facts.upstream], hub, contested, { rewrites, ownPoints });
  const commits = [head, facts.upstream, ...origins.values(), ...hubCommitsHere, ...[...writtenBack.values()].flat().map((w) => w.commit)];
  const walk = await ancestryAmong(repo, commits);
  const present = (commit: string) => commit === head || hubCommitsHere.has(commit);
  // The commits that set a value where blame names another (see valuesBack and valuesRetaken).
  const back = valuesBack(introduced, origins, facts.files, hub, { ancestry: walk.ancestry, present });
  const setElsewhere = new Map([
    ...(await Promise.all(back.map(async ([id, agreed]) => [id, await agreedOrSetAfter(repo, reads, facts.files, origins, id, agreed)] as const))),
    ...(await valuesRetaken(repo, head, origins, rewrites, hubCommitsHere, walk.ancestry)),
  ]);
  for (const [id, commit] of setElsewhere) origins.set(id, commit);
  // Where both sides of a merge hold the same line, blame names one of them; the first-parent
  // chain may hold the copy the hub has heard of. Where history from HEAD down to every origin
  // is one line, blame along first parents names the same commits: it is not asked.
  const oneLine =
    walk.linear &&
    contestedFiles.every((f) => {
      const origin = origins.get(f.id);
      return !!origin && walk.ancestry(origin, head) === 'yes';
    });
  const firstParentOrigins = oneLine ? origins : await valueOrigins(repo, head, contestedFiles, { firstParent: true, reads });
  for (const [id, commit] of setElsewhere) firstParentOrigins.set(id, commit);
  const otherOrigins = new Map([...firstParentOrigins].flatMap(([id, c]) => (c && c !== origins.get(id) ? [[id, [c]]] : [])));
  // Origins set elsewhere after the first walk, and first-parent ones, join a second walk.
  const ancestry =
    otherOrigins.size > 0 || setElsewhere.size > 0
      ? (await ancestryAmong(repo, [...commits, ...origins.values(), ...firstParentOrigins.values()])).ancestry
      : walk.ancestry;
  const { copies, maybe } = await copiesOfNamed(repo, origins, otherOrigins, hub, { here: hubCommitsHere, rewrites });
  // A run this clone lacks may have seen a value committed before it.
  const committedAt = hub.runs.some((r) => !present(r.commit)) ? await commitTimes(repo, origins.values()) : new Map<string, number>();
  const noted = new Set(hub.tasks.filter((t) => (t.unheldMerges?.length ?? 0) > 0).map((t) => t.id));
  const firstCommittedAt =
    noted.size > 0
      ? await firstCommitTimes(
          repo,
          [...origins].filter(([id]) => noted.has(id)),
          rewriteIndex([...rewrites, ...copies]),
        )
      : new Map<string, number>();
  return { origins, otherOrigins, ancestry, present, committedAt, firstCommittedAt, copies, maybeCopyOf: maybe, writtenBack };
}

/**
 * Writebacks below `tips` made since a disputed task's oldest kept point, which may be agreements
 * the hub lost (a restore). Not one this clone holds a point of its own on: its own records judge
 * that one, knowing the hub's time of the point (see withOwnRecords).
 */
async function othersWritebacks(
  repo: Repo,
  tips: readonly (string | null)[],
  hub: HubState,
  contested: ReadonlySet<string>,
  own: { rewrites: readonly Rewrite[]; ownPoints: () => OwnRecords['points'] },
): Promise<Map<string, WrittenBack[]>> {
  const since = hub.tasks.reduce((oldest, t) => {
    const at = contested.has(t.id) ? writtenSince(t) : Number.NaN;
    return Number.isNaN(at) ? oldest : Math.min(oldest, at);
  }, Number.POSITIVE_INFINITY);
  const found = await writebacksHeld(
    repo,
    tips.filter((c): c is string => !!c),
    contested,
    since,
  );
  if (found.size === 0) return found;
  const points = own.ownPoints();
  const index = rewriteIndex([...own.rewrites]);
  for (const [id, list] of found) {
    const agreedHere = new Set((points[id] ?? []).flatMap((p) => replacedBy(p.commit, index)));
    found.set(
      id,
      list.filter((w) => !agreedHere.has(w.commit)),
    );
  }
  return found;
}

/**
 * When each task's file value was first committed, as near as git can tell: the earliest committer
 * time among the origin and the commits a rewrite carried the value from; where one of those is not
 * here (another clone's, before its rebase or amend), no later than the origin's author time, which
 * an amend or a rebase keeps. A task whose times cannot be read has none.
 */
async function firstCommitTimes(repo: Repo, origins: readonly (readonly [string, string | null])[], rewrites: RewriteIndex): Promise<Map<string, number>> {
  const carried = origins.flatMap(([id, origin]) => (origin ? [[id, origin, carriedOver(origin, id, rewrites)] as const] : []));
  const committed = await commitTimes(
    repo,
    carried.flatMap(([, , commits]) => commits),
  );
  const first = new Map<string, number>();
  for (const [id, origin, commits] of carried) {
    const known = commits.flatMap((c) => (committed.has(c) ? [committed.get(c)!] : []));
    const authored = known.length < commits.length ? await commitTime(repo.top, origin, 'author').catch(() => null) : undefined;
    if (authored === null) continue;
    const earliest = Math.min(...known, ...(authored === undefined ? [] : [authored]));
    if (Number.isFinite(earliest)) first.set(id, earliest);
  }
  return first;
}

/**
 * Where a disputed value's origin is a copy of a commit the hub's records name (see madeAgain: an
 * amend of only the message or a cherry-pick onto the same parent leaves it), the pair stands as a
 * rewrite record that changed nothing: what the hub heard of one, it heard of the other. The
 * rewrite's own record says so once it reaches the hub; this is git's sign while it has not (in the
 * outbox of a clone whose hub was down, or from a clone without hooks: found by an attack from
 * outside, a reworded commit force-pushed from such a clone, which a clone that still held the
 * first took for news and pushed over a reopen). Where the records already lead from the one to
 * the other (an amend away and back again), they tell what changed, not git's likeness. An origin
 * that may be a copy, by another author line, is `maybe`: the rules cannot say it was heard, nor
 * that it was not. Compared: the commits the disputed tasks' points and the runs name that this
 * clone holds, one object read each.
 */
async function copiesOfNamed(
  repo: Repo,
  origins: ReadonlyMap<string, string | null>,
  otherOrigins: ReadonlyMap<string, readonly string[]>,
  hub: HubState,
  facts: { here: ReadonlySet<string>; rewrites: readonly Rewrite[] },
): Promise<{ copies: Rewrite[]; maybe: Map<string, string[]> }> {
  const copies: Rewrite[] = [];
  const maybe = new Map<string, string[]>();
  const made = new Set([...origins.values(), ...[...otherOrigins.values()].flat()].filter((c): c is string => !!c));
  if (made.size === 0) return { copies, maybe };
  const points = new Map(hub.tasks.map((t) => [t.id, t.points]));
  const named = new Set(
    [
      ...[...origins.keys()].flatMap((id) => (points.get(id) ?? []).flatMap((p) => [p.commit, p.origin])),
      ...hub.runs.flatMap((r) => [r.commit, r.upstream]),
    ].filter((c): c is string => !!c && facts.here.has(c)),
  );
  const shapesOf = async (commits: Iterable<string>) => {
    const list = [...commits];
    const shapes = await Promise.all(list.map((c) => commitShape(repo.top, c).catch(() => null)));
    return list.flatMap((commit, at) => (shapes[at] ? [{ commit, shape: shapes[at] }] : []));
  };
  const byShape = new Map<string, { commit: string; shape: CommitShape }[]>();
  for (const one of await shapesOf(named)) byShape.set(shapeKey(one.shape), [...(byShape.get(shapeKey(one.shape)) ?? []), one]);
  if (byShape.size === 0) return { copies, maybe };
  const index = rewriteIndex(facts.rewrites);
  const recorded = (from: string, to: string) => replacedBy(from, index).includes(to);
  for (const { commit, shape } of await shapesOf(made)) {
    for (const of of byShape.get(shapeKey(shape)) ?? []) {
      if (of.commit === commit || recorded(of.commit, commit)) continue;
      if (madeAgain(of.shape, shape) === 'yes') copies.push({ old: of.commit, new: commit, changed: [] });
      else maybe.set(commit, [...(maybe.get(commit) ?? []), of.commit]);
    }
  }
  return { copies, maybe };
}

/** When each commit was committed (ms since the epoch), where its object says. */
async function commitTimes(repo: Repo, commits: Iterable<string | null>): Promise<Map<string, number>> {
  const wanted = [...new Set(commits)].filter((c): c is string => !!c);
  const times = await Promise.all(wanted.map((commit) => commitTime(repo.top, commit).catch(() => null)));
  return new Map(wanted.flatMap((commit, at) => (times[at] === null ? [] : [[commit, times[at]!] as [string, number]])));
}

/**
 * A task a commit brought into the workplans that the hub had agreed on below that commit (a
 * workplan deleted and restored by `git revert`, a block cut and pasted in two commits): back at
 * the status of the last such agreement, the value is that agreement's, not news; at another, the
 * commit set it (found by an attack from outside: a restored done was pushed over a reopen). The
 * hub's points say whether the task was there before, so no history is walked back for it.
 *
 * An agreement is below the commit where its point's commit is, or, for a commit this clone lacks
 * (a force-push dropped it, a push was refused), where the commit that set the value it agreed on
 * is: that commit held the value on this line (found by the soak, seed 53 path 135: a block moved
 * in two commits over the value the hub had heard on another clone's dropped writeback was read as
 * news). The last agreement is the newest by the hub's order of those no other one is above on this
 * line: a stale clone agrees at an old commit, or names an old origin, after a newer agreement.
 */
function valuesBack(
  introduced: ReadonlySet<string>,
  origins: ReadonlyMap<string, string | null>,
  files: readonly FileTask[],
  hub: HubState,
  facts: { ancestry: Ancestry; present: (commit: string) => boolean },
): [string, string][] {
  const { ancestry, present } = facts;
  return [...introduced].flatMap((id) => {
    const brought = origins.get(id);
    const status = files.find((f) => f.id === id)?.status;
    const below = (commit: string) => !!brought && commit !== brought && ancestry(commit, brought) === 'yes';
    const agreements = (hub.tasks.find((t) => t.id === id)?.points ?? []).flatMap((p) => {
      const at = below(p.commit) ? p.commit : !present(p.commit) && below(p.origin) ? p.origin : null;
      return at ? [{ status: p.status, at }] : [];
    });
    const newest = agreements.filter((a) => !agreements.some((b) => b.at !== a.at && ancestry(a.at, b.at) === 'yes'));
    const last = newest.at(-1);
    return last && last.status === status ? [[id, last.at] as [string, string]] : [];
  });
}

/** How many cut-and-paste gaps agreedOrSetAfter follows the value back through. */
const MAX_GAPS = 4;

/**
 * valuesBack's answer, checked against git where git can tell: the value the task held before the
 * gap, traced to the commit that set it (through earlier gaps as well, MAX_GAPS at most). Set where
 * the agreement stands or below it, the value is the agreement's. Set elsewhere, that commit set it:
 * the task's status went away and came back since the agreement, on a line it never saw, and the
 * hub's records of that may be gone (found by the soak, seed 81 path 38: blocked set again after
 * in_progress, then cut and pasted, was read as an older agreement's on blocked after a restore, and
 * in_progress was written back over it). Where git cannot tell (see heldBeforeGap; a git that
 * fails), or the task came back at another status than it left with, the agreement answers as
 * before. Asked only where valuesBack answers, so a task created in its workplan walks nothing.
 */
async function agreedOrSetAfter(
  repo: Repo,
  reads: TraceReads,
  files: readonly FileTask[],
  origins: ReadonlyMap<string, string | null>,
  id: string,
  agreed: string,
): Promise<string> {
  const task = files.find((f) => f.id === id);
  let brought = origins.get(id);
  if (!task || !brought) return agreed;
  let file = task.file;
  for (let gaps = 0; gaps < MAX_GAPS; gaps++) {
    const before = await heldBeforeGap(repo, reads, id, file, brought);
    if (before?.status !== task.status) return agreed;
    // A trace that stops where the task was brought in again (a block moved twice) names that
    // paste, not the commit that set the value: the gap before it is looked behind as well.
    const introduced = new Set<string>();
    const set = (await valueOrigins(repo, before.at, [{ ...task, file: before.file, line: before.line }], { reads, introduced })).get(id);
    if (!set || (await ancestryOf(repo, set, agreed)) !== 'no') return agreed;
    if (!introduced.has(id)) return set;
    brought = set;
    file = before.file;
  }
  return agreed;
}

/**
 * Where an amend or a squash took back the status change of the commit it replaced, keeping the
 * value its parent held, the new commit set the value HEAD holds; blame, finding the line as the
 * parent had it, names an older commit, one the hub may have heard (found by an attack from
 * outside: a reopen made by amending a writeback commit was written over by the next pull). Only
 * a rewrite onto the same parent says so: one onto another (a rebase) may have brought the
 * value from its new base. For each task, the newest such commit between its origin and HEAD.
 */
async function valuesRetaken(
  repo: Repo,
  head: string,
  origins: ReadonlyMap<string, string | null>,
  rewrites: readonly Rewrite[],
  here: ReadonlySet<string>,
  ancestry: Ancestry,
): Promise<Map<string, string>> {
  const below = (ancestor: string, descendant: string) => ancestor !== descendant && ancestry(ancestor, descendant) === 'yes';
  const onLine = (commit: string) => commit === head || ancestry(commit, head) === 'yes';
  const retaken = new Map<string, string>();
  for (const [id, origin] of origins) {
    if (!origin) continue;
    const candidates = rewrites.filter((r) => r.changed.includes(id) && here.has(r.old) && here.has(r.new) && below(origin, r.new) && onLine(r.new));
    for (const r of candidates) {
      const [before, after] = await Promise.all([commitParents(repo.top, r.old), commitParents(repo.top, r.new)]);
      const sameParent = !!before?.[0] && before[0] === after?.[0];
      const newest = retaken.get(id);
      if (sameParent && (!newest || below(newest, r.new))) retaken.set(id, r.new);
    }
  }
  return retaken;
}

/**
 * A commit that holds each of these tasks as HEAD does: what a new point names as its origin. The
 * newest commit that changed the task's file holds the file as HEAD has it, so it is evidence as
 * good as the commit that set the status line, and one history walk finds it for every file where
 * blame took a process per file.
 */
export async function fileOrigins(repo: Repo, head: string, tasks: readonly FileTask[]): Promise<Map<string, string | null>> {
  const changed = await lastChangedIn(
    repo,
    head,
    tasks.map((t) => t.file),
  );
  return new Map(tasks.map((t) => [t.id, changed.get(t.file) ?? null]));
}
