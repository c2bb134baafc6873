import { readDriverPoints } from '../clone/driver-points.js';
import { readOutbox } from '../clone/outbox.js';
import { type OwnRecords, ownScope, readOwnPoints, readOwnRecords } from '../clone/own-records.js';
import { type Hub, otherRepository, type RepoState } from '../hub/types.js';
import { rewriteIndex, rule, type Unknown } from '../reconcile/plan.js';
import type { Ancestry, FileTask } from '../reconcile/types.js';
import { listCommittedMarkdown, readBlobBytes, type Repo } from '../repo.js';
import type { Status } from '../status.js';
import { withDriverCommits } from '../sync/driver-commits.js';
import { gatherHistory, type HistoryFacts } from '../sync/gather.js';
import { withOwnRecordsRead } from '../sync/own-records-read.js';
import { idCounts, mayHold, tasksAmong } from '../workplan/tasks-among.js';
import { type SideRuling, wins } from './choose-status.js';
import { type LineText, mayHaveHeld, sideLineTexts } from './held-on-side.js';
import { copiedOnLine, type Held, heldOnOther } from './moved-on.js';

const UNKNOWN: Record<Unknown, string> = {
  origin: 'git could not say which commit set its value (a shallow clone? run `git fetch --unshallow`)',
  blind: "the hub has heard of commits this clone does not have (another machine's, not pushed yet)",
  dropped: 'the hub has dropped the records that would tell',
  concurrent: 'its value was set on history the last agreement never saw, and the hub has dropped the records that would tell',
  merge: "another clone's merge this clone does not have (not pulled yet, dropped, or aborted) may have overruled its value",
  copy: 'its commit may be one the hub has heard of, made again with another author line, or a new edit that happens to be the same',
  unrecorded: 'a writeback commit agreed with the hub on its status, and no record stands for it (a restore from a backup, or a copy no hook saw)',
};

/** What the hub holds of a contested task, and what the rules say of each side's value against it. */
export interface TaskFacts {
  hub: Status;
  /** The hub task's status version as read: what a value taken from the hub is the hub's value at. */
  statusVersion: number;
  ours: SideRuling;
  theirs: SideRuling;
}

/** The hub's state for these tasks, with this clone's own records read in as a run reads them. */
async function knownToHub(repo: Repo, hub: Hub, ids: readonly string[]): Promise<{ state: RepoState; known: RepoState; own: OwnRecords }> {
  const state = await hub.readRepo(repo.slug, undefined, ids);
  if (state === 'not-modified') throw new Error('the hub answered "not modified" to a read that asked for everything');
  if (state.origin && state.origin !== repo.origin) throw new Error(otherRepository(repo.slug, state.origin, repo.origin ?? 'a clone with no remote'));
  const own = readOwnRecords(repo.gitDir, ownScope(repo, hub.location));
  const known = await withOwnRecordsRead(repo, hub, state, own, new Set(ids));
  return { state, known, own };
}

/**
 * For each contested task the hub holds, the rules' verdict on each side's value (DESIGN.md, "The
 * rules" and "Rules v2"), its origin traced from that side, given alike from that side's commit and
 * from the merge of both as the run after the merge reads it (see agreed), with the same evidence
 * a run weighs: the hub's points and runs, this clone's own records, the merge driver's notes,
 * rewrites still in the outbox. `keepsNotes`: the hub keeps driver points (an older one does not).
 */
export async function sideRulings(
  repo: Repo,
  hub: Hub,
  file: string,
  sides: { ours: { commit: string; bytes: Buffer }; theirs: { commit: string; bytes: Buffer } },
  ids: readonly string[],
): Promise<{ facts: Map<string, TaskFacts>; keepsNotes: boolean }> {
  const { state, known, own } = await knownToHub(repo, hub, ids);
  // Notes of another hub's values say nothing of this one's.
  const notes = own.ofAnother ? [] : readDriverPoints(repo.gitDir);
  const rewrites = [...known.rewrites, ...readOutbox(repo.gitDir)];
  const hubTasks = new Map(known.tasks.map((t) => [t.id, t]));
  const rulings = new Map<string, Partial<Record<'ours' | 'theirs', SideRuling>>>();
  // How to ask whether the other side's line holds each side's value (see heldOnOther), by task.
  const holds = new Map<string, Partial<Record<'ours' | 'theirs', () => Promise<Held>>>>();
  for (const side of ['ours', 'theirs'] as const) {
    const { commit, bytes } = sides[side];
    // The rules read a task's status, line and id; the workplan it belongs to is only ever sent.
    const workplan = { id: file, title: null };
    // A task the side holds twice, in this file or another, the reconciler skips: no one value to judge.
    const could = mayHold(ids);
    const found = tasksAmong(bytes.toString('utf8'), file, (_, body) => could(body));
    const elsewhere = await heldElsewhere(repo, commit, file, ids);
    const once = (id: string) => found.ids.filter((i) => i === id).length === 1 && !elsewhere.has(id);
    const tasks: FileTask[] = found.tasks.filter((t) => ids.includes(t.id) && hubTasks.has(t.id) && once(t.id)).map((t) => ({ ...t, workplan }));
    for (const id of ids.filter((i) => hubTasks.has(i) && !tasks.some((t) => t.id === i))) {
      const why = once(id) || !found.ids.includes(id) ? 'its task block cannot be read' : 'the workplans hold it more than once (C-05)';
      rulings.set(id, { ...rulings.get(id), [side]: { unknown: why } });
    }
    // The other side's commit joins the history walk, so the rules can read the value from either place.
    const other = sides[side === 'ours' ? 'theirs' : 'ours'].commit;
    // This clone's notes of hub values the driver took before stand as points, as the run after the merge reads them.
    const noted = await withDriverCommits(repo, [commit, other], tasks, known, notes);
    const notedTasks = new Map(noted.tasks.map((t) => [t.id, t]));
    const history = await gatherHistory(repo, { head: commit, files: tasks, upstream: other }, noted, rewrites, () => readOwnPoints(repo.gitDir, own));
    const merged = asMerged(history, sides.ours.commit, sides.theirs.commit);
    const index = rewriteIndex([...rewrites, ...history.copies]);
    const copied = copiedOnLine(repo, other);
    let line: Promise<LineText[] | null> | undefined;
    const sideLine = () => {
      line ??= sideLineTexts(repo, commit, other, ids);
      return line;
    };
    for (const task of tasks) {
      const hubTask = notedTasks.get(task.id)!;
      const judge = (head: string, facts: HistoryFacts) =>
        verdict(rule(task, hubTask, { runs: known.runs, runsDropped: state.runsDropped, head, ...facts }, index));
      const origins = [history.origins.get(task.id) ?? null, ...(history.otherOrigins.get(task.id) ?? [])];
      // Asked only where a side's value wins (below): git is read for copies then alone.
      const held = () => heldOnOther(task.id, origins, other, { ancestry: history.ancestry, rewrites: index, copied });
      holds.set(task.id, { ...holds.get(task.id), [side]: held });
      if (task.status === hubTask.status) {
        rulings.set(task.id, { ...rulings.get(task.id), [side]: 'agree' });
        continue;
      }
      const alone = judge(commit, history);
      const fromMerge = judge(MERGED, merged);
      // The one pair decided where the side's own line allows (see agreed); that line is read once a side.
      const concurrent = alone === 'rank-loses' && fromMerge === 'news' && !mayHaveHeld(await sideLine(), task.id, hubTask.status);
      rulings.set(task.id, { ...rulings.get(task.id), [side]: concurrent ? alone : agreed(alone, fromMerge) });
    }
  }
  // A winning value the other side's line holds, where this side's line surely does not hold the
  // other's, is one the other side moved on from. Where each holds the other's (a criss-cross: two
  // people each merged the other's and kept their own), or git cannot say, both moved on
  // concurrently: each keeps its ruling (found by two reviews: with one side's hold unseen or not
  // asked, the hub's older value or the older side's was taken).
  for (const [id, ask] of holds) {
    const r = rulings.get(id)!;
    if (![r.ours, r.theirs].some((ruling) => ruling && wins(ruling))) continue;
    const [ours, theirs] = await Promise.all([ask.ours?.(), ask.theirs?.()]);
    const held = { ours, theirs };
    for (const [side, otherSide] of [
      ['ours', 'theirs'],
      ['theirs', 'ours'],
    ] as const) {
      if (r[side] && wins(r[side]) && held[side] === 'yes' && held[otherSide] === 'no') rulings.set(id, { ...rulings.get(id), [side]: 'overtaken' });
    }
  }
  const facts = new Map<string, TaskFacts>();
  for (const [id, r] of rulings) {
    const { status, statusVersion } = hubTasks.get(id)!;
    if (r.ours && r.theirs) facts.set(id, { hub: status, statusVersion, ours: r.ours, theirs: r.theirs });
  }
  // An older hub leaves driver points out of its answer, and refuses them in a batch.
  return { facts, keepsNotes: state.driverPoints !== undefined };
}

/** Which of `ids` a workplan other than `file` holds at `commit`: read only where a file could spell one (see mayHold). */
async function heldElsewhere(repo: Repo, commit: string, file: string, ids: readonly string[]): Promise<Set<string>> {
  const others = (await listCommittedMarkdown(repo, commit)).entries.filter((e) => e.path !== file);
  const blobs = await readBlobBytes(
    repo,
    others.map((e) => e.oid),
  );
  const could = mayHold(ids);
  const held = new Set<string>();
  for (const entry of others) {
    const text = blobs.get(entry.oid)?.toString('utf8');
    if (text === undefined) throw new Error(`${entry.path} at ${commit.slice(0, 12)} cannot be read (a partial clone offline?)`);
    if (!could(text)) continue;
    for (const id of idCounts(text, entry.path, ids).keys()) if (ids.includes(id)) held.add(id);
  }
  return held;
}

/** The commit the merge will make, which does not exist yet: its history is both sides'. */
const MERGED = 'the merge of both sides';

/** A side's history facts read from the merge, as the run after the merge will read them: a commit is below it when it is below either side. */
function asMerged(history: HistoryFacts, ours: string, theirs: string): HistoryFacts {
  const ancestry: Ancestry = (ancestor, descendant) => {
    if (descendant !== MERGED) return history.ancestry(ancestor, descendant);
    const both = [history.ancestry(ancestor, ours), history.ancestry(ancestor, theirs)];
    return both.includes('yes') ? 'yes' : both.includes('unknown') ? 'unknown' : 'no';
  };
  return { ...history, ancestry, present: (commit) => commit === ours || commit === theirs || history.present(commit) };
}

/**
 * A verdict the rules give both from the side's own commit and from the merge; where one makes
 * the value win and the other lose, neither is taken. From the side alone, a point only the other side holds
 * goes unseen (the run after the merge then cannot place the value: found by the grown
 * simulation, seed 7); from the merge, an old value rewritten away on the main line (an amend
 * force-pushed) looks newer than the merge's newest point (found by the soak, seed 20261129).
 * Two readings that make the value win alike, or lose alike, choose the same status (see
 * chooseStatus): the merge's reading stands, as the run after the merge reads it.
 *
 * One pair is decided where its facts allow (see sideRulings): both moved by the side's own line
 * (rank keeps the hub's value), news by the merge's. The merge's newer agreement is then one only
 * the other side holds. Where the side's own line never held the hub's value, it cannot have seen
 * that agreement under another commit id (an amend, a cherry-pick): the value and the hub's moved
 * concurrently, and the spec's rank rule (C-22) holds, as the side's own run would apply it. The
 * hub's value it keeps is that agreement's too, so the run after the merge finds the sides equal.
 * In the soak this pair was 40 of the 58 lines the driver left in 450 schedules.
 */
function agreed(alone: SideRuling, merged: SideRuling): SideRuling {
  if (typeof merged === 'object') return merged;
  if (typeof alone === 'object') return alone;
  return wins(alone) === wins(merged) ? merged : { unknown: `its own commit and the merge read it differently (${alone}, ${merged})` };
}

function verdict(ruling: ReturnType<typeof rule>): SideRuling {
  if (ruling.decision === 'unknown') return { unknown: UNKNOWN[ruling.why] };
  if (ruling.decision === 'push') return ruling.conflict ? 'rank-wins' : 'news';
  return ruling.conflict ? 'rank-loses' : 'heard';
}
