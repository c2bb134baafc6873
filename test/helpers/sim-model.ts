import assert from 'node:assert/strict';
import type { RepoState } from '../../src/hub/types.js';
import type { Report } from '../../src/output/report.js';
import { rank, type Status } from '../../src/status.js';
import { TASKS } from './sim-workplans.js';

/**
 * The reference model of who knows what. Every status value carries the intent (an edit in a
 * file or an agent's update) that chose it and every intent it knows of; a value replaced by one
 * that does not know it, while it knows the replacement, is a lost update.
 */
export interface Value {
  status: Status;
  by: number;
  hist: Set<number>;
}

type Chosen = { status: Status; by: number };

/** What a run did, as the model accounts for it. */
export interface RunOutcome {
  clone: string;
  /** The commit the run reconciled. */
  head: string;
  before: RepoState;
  report: Report;
}

export class ReferenceModel {
  private readonly parents = new Map<string, string[]>();
  /** Each commit's value of each task; a commit without its own value has its first parent's. */
  private readonly values = new Map<string, Map<string, Chosen>>();
  /** Knowledge a commit adds beyond its ancestors (a writeback knows the hub's history). */
  private readonly extra = new Map<string, Map<string, Set<number>>>();
  /**
   * What a merged value knows where the person merging kept one side's line: that side's value and
   * what it knew, not all the merge holds. Origins follow values (DESIGN): the rules read a kept
   * line as that side's, and issue 17 counts a stale side kept in a conflict and pushed as a lost
   * update, so a kept value is not news to what it did not know (seed 20261331, path 14: a tie
   * kept as ours read as knowing theirs).
   */
  private readonly kept = new Map<string, Map<string, Set<number>>>();
  hubValue = new Map<string, Value>();
  private nextIntent = 1;

  constructor(private readonly log: readonly string[]) {}

  intent(): number {
    return this.nextIntent++;
  }

  root(commit: string): void {
    this.parents.set(commit, []);
    this.values.set(commit, new Map(TASKS.map((t) => [t, { status: 'todo' as Status, by: 0 }])));
  }

  /**
   * Learns commits from `git rev-list --parents` output; a commit already known keeps its parents,
   * and one of `boundary` (a shallow clone's, listed without its parents) is not learned.
   */
  learn(revList: string, boundary: ReadonlySet<string> = new Set()): void {
    for (const line of revList.trim().split('\n')) {
      const [sha, ...ps] = line.split(' ');
      if (sha && !this.parents.has(sha) && !boundary.has(sha)) this.parents.set(sha, ps);
    }
  }

  commit(commit: string, parents: string[]): void {
    this.parents.set(commit, parents);
  }

  parentsOf(commit: string): string[] | undefined {
    return this.parents.get(commit);
  }

  /** Whether the model knows the parents of `commit` and of every commit below it. */
  knowsHistoryOf(commit: string): boolean {
    return [...this.ancestors(commit)].every((c) => this.parents.has(c));
  }

  ancestors(commit: string): Set<string> {
    const seen = new Set<string>();
    const todo = [commit];
    while (todo.length) {
      const c = todo.pop()!;
      if (seen.has(c)) continue;
      seen.add(c);
      todo.push(...(this.parents.get(c) ?? []));
    }
    return seen;
  }

  mergeBase(a: string, b: string): string {
    return this.mergeBases(a, b)[0]!;
  }

  /** The newest common ancestors: those none of whose descendants among the common ones is also common. */
  private mergeBases(a: string, b: string): string[] {
    const A = this.ancestors(a);
    const common = [...this.ancestors(b)].filter((c) => A.has(c));
    return common.filter((c) => !common.some((d) => d !== c && this.ancestors(d).has(c)));
  }

  /**
   * The status of `task` in the base git merges `a` and `b` over. After a criss-cross there are
   * several merge bases, and git merges them into a virtual one first; where they conflict, that
   * base holds both lines, and neither side matches it (null). Found by the soak (seed 94 path 53):
   * taking one base at random predicted a clean merge git did not make.
   */
  private baseStatus(a: string, b: string, task: string): Status | null {
    const [first, ...rest] = this.mergeBases(a, b);
    let status: Status | null = this.valueAt(first!, task).status;
    for (const next of rest) status = threeWay(status, this.valueAt(next, task).status, this.baseStatus(first!, next, task));
    return status;
  }

  valueAt(commit: string, task: string): Chosen {
    return this.values.get(this.holder(commit, task))!.get(task)!;
  }

  /** The commit whose own value of `task` is the one `commit` has. */
  private holder(commit: string, task: string): string {
    for (let c: string | undefined = commit; c; c = this.parents.get(c)?.[0]) if (this.values.get(c)?.has(task)) return c;
    throw new Error(`no model value for ${task} at ${commit}`);
  }

  value(commit: string, task: string): Value {
    const holder = this.holder(commit, task);
    const kept = this.kept.get(holder)?.get(task);
    if (kept) return { ...this.valueAt(holder, task), hist: new Set(kept) };
    const hist = new Set<number>();
    for (const c of this.ancestors(commit)) {
      const v = this.values.get(c)?.get(task);
      if (v) hist.add(v.by);
      for (const i of this.extra.get(c)?.get(task) ?? []) hist.add(i);
    }
    const v = this.valueAt(commit, task);
    return { status: v.status, by: v.by, hist };
  }

  setValue(commit: string, task: string, value: Chosen, extra?: Set<number>): void {
    if (!this.values.has(commit)) this.values.set(commit, new Map());
    this.values.get(commit)!.set(task, value);
    if (extra) {
      if (!this.extra.has(commit)) this.extra.set(commit, new Map());
      this.extra.get(commit)!.set(task, extra);
    }
  }

  /**
   * How a merge resolves: a side that changed wins, as git's three-way merge takes it; both
   * changed, a careful person keeps the higher rank (ours on a tie). A line git took knows what
   * the merge holds, as in the shared model; a line the person kept knows only what its side knew
   * (see `kept`). Found by the soak (seed 20261401 path 144): reading git's clean pick as its
   * side's alone counted as lost a value git's own merge had dropped.
   */
  resolveMerge(ours: string, theirs: string): Map<string, Value> {
    const resolved = new Map<string, Value>();
    for (const t of TASKS) {
      const o = this.value(ours, t);
      const th = this.value(theirs, t);
      const b = this.baseStatus(ours, theirs, t);
      // The side git takes (either, where both hold the same status); null where both changed it.
      const gitTook = o.status === th.status || th.status === b ? o : o.status === b ? th : null;
      resolved.set(t, gitTook ? { ...gitTook, hist: new Set([...o.hist, ...th.hist]) } : rank(o.status) >= rank(th.status) ? o : th);
    }
    return resolved;
  }

  /** A merge commit's value of `task`, as resolveMerge resolved it. */
  setMerged(commit: string, task: string, value: Value): void {
    this.setValue(commit, task, { status: value.status, by: value.by });
    if (!this.kept.has(commit)) this.kept.set(commit, new Map());
    this.kept.get(commit)!.set(task, value.hist);
  }

  /**
   * A rewritten commit (rebase, squash) keeps what `original` changed since `originalBase`, with all
   * it knew. Git replays text: a status set back to the base's within the commit (an edit, then an
   * amend back) is no change to replay, and the new base's value stands (found by the soak: SIM_SEED=69
   * SIM_PATH=134, where git's rebase took the upstream's cancelled over an amend's todo).
   */
  carryOver(commit: string, original: string, originalBase: string): void {
    for (const t of TASKS) {
      const v = this.valueAt(original, t);
      const base = this.valueAt(originalBase, t);
      if (v.by !== base.by && v.status !== base.status) this.setValue(commit, t, v, this.value(original, t).hist);
    }
  }

  /** An amend keeps the commit's own values and what they knew. */
  carryOwn(commit: string, original: string): void {
    for (const t of TASKS) {
      const v = this.values.get(original)?.get(t);
      if (v) this.setValue(commit, t, v, this.value(original, t).hist);
    }
  }

  mustNotLose(where: string, old: Value, replacement: Value): void {
    if (old.status !== replacement.status && !replacement.hist.has(old.by) && old.hist.has(replacement.by)) {
      assert.fail(
        `${where}: older ${replacement.status}(#${replacement.by}) replaced newer ${old.status}(#${old.by})\n  last steps: ${this.log.slice(-25).join('; ')}`,
      );
    }
  }

  /** An agent's update in the hub. */
  agent(task: string, status: Status): number | null {
    const current = this.hubValue.get(task);
    if (!current) return null;
    const intent = this.intent();
    this.hubValue.set(task, { status, by: intent, hist: new Set([...current.hist, intent]) });
    return intent;
  }

  /**
   * A merge whose status line the merge driver settled: it took a side's value (its line, byte for
   * byte) or the hub's, never one older than a value it replaced. Where a side and the hub hold the
   * same status, the line is read as the hub's where that is what the driver may have taken: the
   * hub's value replaced nothing newer, and nothing concurrent of higher rank that the hub had not
   * heard (found read as the side's older value when the driver had taken the hub's: seed 20261303,
   * path 51; and where a run had agreed on a line that left the side's value: seed 106 path 77). Where the
   * driver took the hub's value it told the hub so (`hubHeard`): the hub has heard what the driver
   * read, as from a run that agreed on the merged line, and what it is set to next is newer (seed 97
   * path 137).
   */
  driverMerge(commit: string, task: string, status: Status, ours: string, theirs: string, where: string, hubHeard: boolean): void {
    const o = this.value(ours, task);
    const th = this.value(theirs, task);
    const D = this.hubValue.get(task);
    const candidates = [o, th, D].filter((v): v is Value => v?.status === status);
    if (candidates.length === 0)
      assert.fail(
        `${where}: the merge driver chose ${status} for ${task}, neither side's value nor the hub's\n  last steps: ${this.log.slice(-25).join('; ')}`,
      );
    const replaced = [o, th].filter((side) => side.status !== status);
    const newer = (a: Value, b: Value) => a.hist.has(b.by) && !b.hist.has(a.by);
    const hubMayWin = (side: Value) => D!.hist.has(side.by) || newer(D!, side) || (!newer(side, D!) && rank(D!.status) >= rank(side.status));
    const chosen = candidates.find((c) => replaced.every((side) => !newer(side, c) && (c !== D || hubMayWin(side)))) ?? candidates[0]!;
    for (const side of replaced) this.mustNotLose(`merge driver ${task} in ${where}`, side, chosen);
    this.setValue(commit, task, { status: chosen.status, by: chosen.by }, chosen === D ? new Set(D.hist) : undefined);
    if (hubHeard && D) this.hubValue.set(task, { ...D, hist: new Set([...D.hist, ...o.hist, ...th.hist]) });
  }

  /** Checks one run's effects against the model and moves the model along. */
  account({ clone, head, before, report }: RunOutcome): void {
    // A run that was gated (C-14), stopped (C-24), cut off from the hub (C-23) or outpaced (C-26) processed nothing.
    const failed = report.findings.some((f) => ['C-14', 'C-23', 'C-24', 'C-26'].includes(f.code));
    const pushed = new Set(report.actions.filter((a) => a.type === 'push' || a.type === 'create').map((a) => a.taskId!));
    const written = report.actions.filter((a) => a.type === 'writeback') as { taskId: string }[];
    const commit = report.actions.find((a) => a.type === 'commit') as { commit: string } | undefined;
    const contested = new Set(report.findings.filter((f) => f.code === 'C-13' || f.code === 'C-11' || f.code === 'C-22').map((f) => f.taskId));
    const beforeStatus = new Map(before.tasks.map((t) => [t.id, t.status]));
    for (const t of TASKS) {
      const F = this.value(head, t);
      const D = this.hubValue.get(t);
      if (pushed.has(t)) {
        if (D) this.mustNotLose(`push ${t} from ${clone}`, D, F);
        this.hubValue.set(t, { status: F.status, by: F.by, hist: new Set([...F.hist, ...(D?.hist ?? [])]) });
      } else if (D && written.some((w) => w.taskId === t)) {
        this.mustNotLose(`writeback ${t} in ${clone}`, F, D);
        const hist = new Set([...F.hist, ...D.hist]);
        this.setValue(commit!.commit, t, { status: D.status, by: D.by }, hist);
        this.hubValue.set(t, { ...D, hist });
      } else if (D && !failed && !contested.has(t) && F.status === D.status && beforeStatus.get(t) === D.status) {
        this.hubValue.set(t, { ...D, hist: new Set([...F.hist, ...D.hist]) });
      }
    }
    if (commit) this.parents.set(commit.commit, [head]);
  }
}

/** A three-way merge of one line: the side that changed it, or null where both did (a conflict). */
function threeWay(a: Status | null, b: Status | null, base: Status | null): Status | null {
  if (a === b || b === base) return a;
  return a === base ? b : null;
}
