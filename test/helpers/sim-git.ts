import assert from 'node:assert/strict';
import { appendFile, cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readObject } from '../../src/git/objects.js';
import { blobsAtPaths } from '../../src/git/trees.js';
import { git, gitOutcome } from '../../src/git/run.js';
import { conflictPieces } from '../../src/merge/conflict-pieces.js';
import { statusHunks } from '../../src/merge/status-hunks.js';
import type { RewritePair } from '../../src/hook/rewrites.js';
import { STATUSES, type Status } from '../../src/status.js';
import type { ReferenceModel } from './sim-model.js';
import { addLocalConfig } from './temp-repo.js';
import { initialTexts, moveBlock, PLAN, PLANS, recomment, reorderBlocks, presentStatusesOf, statusesOf, type Texts, withStatus } from './sim-workplans.js';

/**
 * The git choreography of a simulation: a bare origin, real clones (one shallow), and what people
 * do in them — edit, pull (merge or rebase), push, squash, amend and force-push, move blocks
 * around — each step told to the reference model. Clones that are offline cannot reach the origin.
 */
export const CLONES = ['a', 'b', 'c', 'shallow'] as const;

/** Each clone is its own person: the merge driver tells rewrites from the author and time git keeps. */
const identity = (clone: string): [string, string][] => [
  ['user.name', clone],
  ['user.email', `${clone}@example.com`],
  ['commit.gpgsign', 'false'],
  ['gc.auto', '0'],
  ['maintenance.auto', 'false'],
  ['pull.rebase', 'false'],
];

/** How a status line is touched without its value changing. */
export type Touch = 'move' | 'reorder' | 'comment';

/** What the post-rewrite hook is told after a rewrite (amend, rebase, squash): how, and which commit replaced which. */
export type OnRewrite = (clone: string, pairs: RewritePair[], how: 'amend' | 'rebase') => Promise<void>;

export class Choreography {
  readonly origin: string;
  /** Clones that cannot reach the origin now. */
  readonly offline = new Set<string>();
  /** The product's merge driver, as install configures it, and how it reaches the hub; null: git merges as text. */
  mergeDriver: { command: string; env: Record<string, string> } | null = null;
  /** Pulls that merged; that the driver settled a status line in; that it left a status line in conflict; other conflicts. */
  readonly mergeStats = { merges: 0, settled: 0, leftInStatusLines: 0, otherConflicts: 0 };
  /** Why the driver left a status line in conflict, as it said it, counted. */
  readonly leftBecause = new Map<string, number>();

  constructor(
    readonly root: string,
    private readonly model: ReferenceModel,
    private readonly log: string[],
    private readonly onRewrite: OnRewrite,
  ) {
    this.origin = path.join(root, 'acme.git');
  }

  dir(clone: string) {
    return path.join(this.root, clone);
  }

  async setup(): Promise<void> {
    await git(this.root, ['init', '-q', '--bare', '-b', 'main', this.origin]);
    // No `gc --auto` after every push it receives.
    await appendFile(path.join(this.origin, 'config'), '[receive]\n\tautogc = false\n');
    const seed = this.dir('a');
    await git(this.root, ['clone', '-q', this.origin, seed]);
    await configure(seed, 'a');
    await this.writeTexts('a', initialTexts());
    await git(seed, ['add', ...PLANS]);
    await git(seed, ['commit', '-q', '-m', 'plan']);
    await git(seed, ['push', '-q', 'origin', 'main']);
    this.model.root(await this.head('a'));
    for (const clone of CLONES.slice(1)) await this.clone(clone);
  }

  /** A new clone; the shallow one holds only the origin's newest commit, as CI checks out. */
  async clone(clone: string): Promise<void> {
    const dir = this.dir(clone);
    await git(this.root, ['clone', '-q', ...(clone === 'shallow' ? ['--depth', '1', `file://${this.origin}`] : [this.origin]), dir]);
    await configure(dir, clone);
  }

  /** The shallow clone made again at the origin's newest commit: what it had not pushed is gone. */
  async recloneShallow(): Promise<void> {
    await rm(this.dir('shallow'), { recursive: true, force: true });
    this.offline.delete('shallow');
    await this.clone('shallow');
    this.log.push(`shallow re-cloned at depth 1`);
  }

  // head and texts ask the run's own object reader (one git process a clone, not one a question):
  // a schedule asks them after nearly every step, and a process costs more than the answer.
  async head(clone: string): Promise<string> {
    const commit = await readObject(this.dir(clone), 'HEAD^{commit}');
    assert.ok(commit, `harness: ${clone} has no HEAD`);
    return commit.oid;
  }

  /** The workplans' texts at `rev`, found through its trees as the product finds paths. */
  async texts(clone: string, rev = 'HEAD'): Promise<Texts> {
    const dir = this.dir(clone);
    const entries = await blobsAtPaths(dir, rev, PLANS);
    const blobs = await Promise.all(
      PLANS.map((file) => {
        const entry = entries.get(file);
        return entry ? readObject(dir, entry.oid) : null;
      }),
    );
    const texts: Texts = {};
    PLANS.forEach((file, at) => {
      const blob = blobs[at];
      assert.ok(blob?.type === 'blob', `harness: ${rev}:${file} in ${clone}: ${blob ? blob.type : 'missing'}`);
      texts[file] = blob.bytes.toString();
    });
    return texts;
  }

  private workingTexts(clone: string): Promise<Texts> {
    return textsIn(this.dir(clone));
  }

  private async writeTexts(clone: string, texts: Texts): Promise<void> {
    for (const f of PLANS) await writeFile(path.join(this.dir(clone), f), texts[f]!);
  }

  async fileStatuses(clone: string, rev = 'HEAD'): Promise<Record<string, Status>> {
    return statusesOf(await this.texts(clone, rev));
  }

  async dirty(clone: string): Promise<boolean> {
    return (await git(this.dir(clone), ['status', '--porcelain', '--untracked-files=no'])).trim() !== '';
  }

  /** Learns every commit HEAD (or `ref`, a revision or a commit id) reaches. */
  async learn(clone: string, ref = 'HEAD'): Promise<void> {
    const tip = await readObject(this.dir(clone), `${ref}^{commit}`);
    if (tip && this.model.knowsHistoryOf(tip.oid)) return;
    // A shallow clone lists its boundary commits without parents: they have some, which it lacks.
    this.model.learn(await git(this.dir(clone), ['rev-list', '--parents', ref]), await this.shallowBoundary(clone));
  }

  /** The commits a shallow clone's history is cut at, which git reads as having no parents. */
  private async shallowBoundary(clone: string): Promise<Set<string>> {
    const text = await readFile(path.join(this.dir(clone), '.git', 'shallow'), 'utf8').catch(() => '');
    return new Set(text.split('\n').filter(Boolean));
  }

  /** A status picked among the others than the task's current one. */
  async otherStatus(clone: string, task: string, pick: number): Promise<Status> {
    const current = (await this.fileStatuses(clone))[task]!;
    const others = STATUSES.filter((s) => s !== current);
    return others[pick % others.length]!;
  }

  async edit(clone: string, task: string, pick: number): Promise<void> {
    const dir = this.dir(clone);
    if (await this.dirty(clone)) return;
    const head = await this.head(clone);
    const status = await this.otherStatus(clone, task, pick);
    await this.writeTexts(clone, withStatus(await this.texts(clone), task, status));
    const intent = this.model.intent();
    await git(dir, ['commit', '-q', '-am', `edit ${task} → ${status} #${intent}`]);
    const commit = await this.head(clone);
    this.model.commit(commit, [head]);
    this.model.setValue(commit, task, { status, by: intent });
    this.log.push(`${clone} edit ${task}→${status}#${intent}`);
  }

  /** A commit that touches the task's status line (or its neighbour's) without changing a value. */
  async touch(clone: string, how: Touch, task: string, pick: number): Promise<void> {
    const dir = this.dir(clone);
    if (await this.dirty(clone)) return;
    const head = await this.head(clone);
    const texts = await this.texts(clone);
    const touched = how === 'move' ? moveBlock(texts, task, pick) : how === 'reorder' ? reorderBlocks(texts, task) : recomment(texts, task, pick);
    if (PLANS.every((f) => touched[f] === texts[f])) return;
    let parent = head;
    if (how === 'move' && pick >= 2) {
      // Cut in one commit and pasted in the next: for a commit the task is in no workplan.
      const from = PLANS.find((f) => texts[f]?.includes(`## Task ${task}\n`))!;
      await this.writeTexts(clone, { ...texts, [from]: touched[from]! });
      await git(dir, ['commit', '-q', '-am', `cut ${task}`]);
      parent = await this.head(clone);
      this.model.commit(parent, [head]);
    }
    await this.writeTexts(clone, touched);
    await git(dir, ['commit', '-q', '-am', `${how} ${task}`]);
    this.model.commit(await this.head(clone), [parent]);
    this.log.push(`${clone} ${how} ${task}${parent === head ? '' : ' (in two commits)'}`);
  }

  /** Fetches the origin; false when the clone is offline. */
  private async fetch(clone: string): Promise<boolean> {
    if (this.offline.has(clone)) {
      // What git does offline: the fetch fails, the tracking ref stays where it was.
      const failed = await git(this.dir(clone), ['fetch', '-q', 'origin']).then(
        () => false,
        () => true,
      );
      assert.ok(failed, `harness: ${clone} is offline yet fetched`);
      return false;
    }
    await git(this.dir(clone), ['fetch', '-q', 'origin']);
    return true;
  }

  /**
   * The upstream fetched, and ours and theirs when a merge is due (neither holds the other), a
   * shallow clone deepened where its boundary hides their common ancestor, as people do first.
   */
  private async mergeDue(clone: string, what: string): Promise<{ ours: string; theirs: string } | null> {
    const dir = this.dir(clone);
    if (await this.dirty(clone)) return null;
    if (!(await this.fetch(clone))) {
      this.log.push(`${clone} ${what} (offline)`);
      return null;
    }
    const ours = await this.head(clone);
    const theirs = (await readObject(dir, 'refs/remotes/origin/main^{commit}'))!.oid;
    await this.learn(clone, theirs);
    if (this.model.ancestors(ours).has(theirs)) return null;
    this.log.push(`${clone} ${what}`);
    if (this.model.ancestors(theirs).has(ours)) {
      await git(dir, ['merge', '-q', '--ff-only', 'origin/main']);
      return null;
    }
    const related = await git(dir, ['merge-base', ours, theirs]).then(
      () => true,
      () => false,
    );
    if (!related) await git(dir, ['fetch', '-q', '--unshallow', 'origin']);
    return { ours, theirs };
  }

  /**
   * A merge of the upstream the person gives up on (`git merge --abort`), after the merge driver
   * settled what it could and told the hub: nothing of it stays in the clone.
   */
  async abortedPull(clone: string): Promise<void> {
    if (!(await this.mergeDue(clone, 'pull, then merge --abort'))) return;
    await this.merge(clone);
    await git(this.dir(clone), ['merge', '--abort']);
  }

  /** Merges or rebases the upstream in; conflicts are resolved as a careful person would: the higher rank. */
  async pull(clone: string, rebase: boolean): Promise<void> {
    const dir = this.dir(clone);
    const due = await this.mergeDue(clone, `pull${rebase ? ' --rebase' : ''}`);
    if (!due) return;
    const { ours, theirs } = due;
    if (rebase && (await this.tryRebase(clone, ours, theirs))) return;
    const resolved = this.model.resolveMerge(ours, theirs);
    const { clean, settled, fromHub } = await this.merge(clone);
    // A clean merge of moved blocks can still hold a task twice or lose it: resolved by hand too.
    const wellFormed =
      clean &&
      (await this.workingTexts(clone)
        .then(statusesOf)
        .then(
          () => true,
          () => false,
        ));
    if (!wellFormed) {
      // Rebuild the files from ours with every status as resolved, and conclude the merge.
      let texts = await this.texts(clone, ours);
      for (const [t, v] of resolved) texts = withStatus(texts, t, v.status);
      await this.writeTexts(clone, texts);
      await git(dir, ['add', ...PLANS]);
    }
    await git(dir, ['commit', '-q', '--no-edit']);
    const commit = await this.head(clone);
    this.model.commit(commit, [ours, theirs]);
    const actual = await this.fileStatuses(clone);
    for (const [t, v] of resolved) {
      if (wellFormed && settled.has(t)) {
        this.model.driverMerge(commit, t, actual[t]!, ours, theirs, `${clone} pull`, fromHub.has(t));
        continue;
      }
      assert.equal(actual[t], v.status, `harness: merge of ${t} in ${clone}`);
      this.model.setMerged(commit, t, v);
    }
  }

  /**
   * git merge of the upstream, with the product's merge driver when the world gives it one: the
   * tasks whose status lines it settled, and whether git still found conflicts. A conflict it
   * left in a status line alone must say why (the hub down, facts missing, a tie of ranks).
   */
  private async merge(clone: string): Promise<{ clean: boolean; settled: Set<string>; fromHub: Set<string> }> {
    const dir = this.dir(clone);
    const driver = this.mergeDriver;
    const config = driver ? ['-c', `merge.custodian-hooks.driver=${driver.command}`] : [];
    const ran = await gitOutcome(dir, [...config, 'merge', '-q', '--no-edit', '--no-commit', 'origin/main'], driver?.env);
    const settled = new Set([...ran.stderr.matchAll(/task '(\w+)' \(ours \w+, theirs \w+\): merged as /g)].map((m) => m[1]!));
    // Where the driver took the hub's value it sent the hub a note of the merge, unless it says it could not.
    const sent = !ran.stderr.includes('could not send the hub a note');
    const fromHub = new Set(
      sent ? [...ran.stderr.matchAll(/task '(\w+)' \(ours \w+, theirs \w+\): merged as \w+: [^\n]*the hub's value/g)].map((m) => m[1]!) : [],
    );
    // What the driver decided goes into the log a failure prints.
    for (const line of ran.stderr.split('\n').filter((l) => l.startsWith('custodian-hooks: '))) this.log.push(`${clone} driver: ${line.slice(17, 160)}`);
    this.mergeStats.merges++;
    if (settled.size > 0) this.mergeStats.settled++;
    if (ran.exitCode === 0) return { clean: true, settled, fromHub };
    let statusOnly = 0;
    for (const file of PLANS) {
      const pieces = conflictPieces(await readFile(path.join(dir, file)), 7);
      if (pieces) statusOnly += statusHunks(pieces, file).hunks.length;
    }
    if (statusOnly > 0) {
      this.mergeStats.leftInStatusLines++;
      for (const [, why, readings] of ran.stderr.matchAll(
        /(?:left as a conflict: (?:ours: |theirs: )?|status conflicts left for you: )([^(\n]*)(\([\w-]+, [\w-]+\))?/g,
      )) {
        // Two readings of one value: which two, so a soak shows which pairs are left.
        const key = `${why!.trim()}${why!.includes('differently') && readings ? ` ${readings}` : ''}`;
        this.leftBecause.set(key, (this.leftBecause.get(key) ?? 0) + 1);
      }
      if (driver)
        assert.match(ran.stderr, /left as a conflict: |status conflicts left for you: /, `the merge driver left a status conflict in ${clone} without a word`);
    } else this.mergeStats.otherConflicts++;
    return { clean: false, settled, fromHub };
  }

  /** The clone's commits since `base`, oldest first, each with its parents; null when one is a merge or git cannot tell. */
  private async localCommits(clone: string, base: string, ours: string): Promise<string[][] | null> {
    // A shallow clone may not hold the base: then there is nothing it can rebase.
    const listed = await git(this.dir(clone), ['rev-list', '--reverse', '--parents', `${base}..${ours}`]).catch(() => null);
    if (listed === null) return null;
    const lines = listed.trim().split('\n').filter(Boolean);
    const local = lines.map((l) => l.split(' '));
    return local.some((l) => l.length > 2) ? null : local;
  }

  /** A clean rebase of local non-merge commits; false (and nothing changed) when it would not be clean. */
  private async tryRebase(clone: string, ours: string, theirs: string): Promise<boolean> {
    const dir = this.dir(clone);
    const local = await this.localCommits(clone, this.model.mergeBase(ours, theirs), ours);
    if (!local) return false;
    const ok = await git(dir, ['rebase', '-q', 'origin/main']).then(
      () => true,
      () => false,
    );
    if (!ok) {
      await git(dir, ['rebase', '--abort']).catch(() => undefined);
      return false;
    }
    const rewritten = (await git(dir, ['rev-list', '--reverse', `${theirs}..HEAD`])).trim().split('\n').filter(Boolean);
    const wellFormed = await this.fileStatuses(clone).then(
      () => true,
      () => false,
    );
    if (rewritten.length !== local.length || !wellFormed) {
      await git(dir, ['reset', '-q', '--hard', ours]);
      return false;
    }
    const pairs = local.map(([old], i) => ({ old: old!, new: rewritten[i]! }));
    this.rebased(theirs, pairs);
    const actual = await this.fileStatuses(clone);
    for (const [t, status] of Object.entries(actual))
      assert.equal(status, this.model.valueAt(rewritten.at(-1)!, t).status, `harness: rebase of ${t} in ${clone}`);
    // What the post-rewrite hook reports after a rebase.
    await this.onRewrite(clone, pairs, 'rebase');
    return true;
  }

  /** Tells the model a rebase onto `theirs` replaced each old commit, in order, by its new one. */
  rebased(theirs: string, pairs: readonly RewritePair[]): void {
    let parent = theirs;
    for (const pair of pairs) {
      // A commit whose change the upstream already had is dropped, and git reports it rewritten to
      // the commit it would have gone on (found by the soak: SIM_SEED=20262002 SIM_PATH=136).
      if (pair.new === parent) continue;
      this.model.commit(pair.new, [parent]);
      this.model.carryOver(pair.new, pair.old, this.model.parentsOf(pair.old)![0]!);
      parent = pair.new;
    }
  }

  /** A push of HEAD to the origin's main; a rejected push pulls (merging) and pushes again. */
  async push(clone: string): Promise<void> {
    const dir = this.dir(clone);
    if (this.offline.has(clone)) {
      this.log.push(`${clone} push (offline)`);
      return;
    }
    this.log.push(`${clone} push`);
    const pushed = await git(dir, ['push', '-q', 'origin', 'HEAD:main']).then(
      () => true,
      () => false,
    );
    if (!pushed) {
      await this.pull(clone, false);
      await git(dir, ['push', '-q', 'origin', 'HEAD:main']).catch(() => undefined);
    }
  }

  /** A push of HEAD to the clone's fork, a second remote beside the origin. */
  async pushToFork(clone: string): Promise<void> {
    const dir = this.dir(clone);
    const fork = path.join(this.root, 'fork.git');
    await git(this.root, ['init', '-q', '--bare', '-b', 'main', fork]).catch(() => undefined);
    await git(dir, ['remote', 'add', 'fork', fork]).catch(() => undefined);
    // A fork refuses a shallow clone's history: that push fails, as it does for people.
    const pushed = await git(dir, ['push', '-q', '--force', 'fork', 'HEAD:main']).then(
      () => true,
      () => false,
    );
    this.log.push(`${clone} push fork${pushed ? '' : ' (refused)'}`);
  }

  /** Squashes the clone's unpushed commits into one, as people tidy up before pushing. */
  async squash(clone: string): Promise<void> {
    const dir = this.dir(clone);
    const head = await this.head(clone);
    const upstream = (await git(dir, ['rev-parse', 'origin/main'])).trim();
    const local = (await git(dir, ['rev-list', `${upstream}..HEAD`])).trim().split('\n').filter(Boolean);
    if (local.length < 2 || !this.model.ancestors(head).has(upstream)) return;
    if (await this.dirty(clone)) return;
    await git(dir, ['reset', '-q', '--soft', upstream]);
    if (
      await git(dir, ['diff', '--cached', '--quiet']).then(
        () => true,
        () => false,
      )
    ) {
      // The local commits cancel out: there is nothing to squash them into.
      await git(dir, ['reset', '-q', '--soft', head]);
      return;
    }
    await git(dir, ['commit', '-q', '-m', `squash of ${local.length}`]);
    const commit = await this.head(clone);
    this.model.commit(commit, [upstream]);
    this.model.carryOver(commit, head, upstream);
    // As `git rebase -i` reports a squash to post-rewrite: every squashed commit → the new one.
    await this.onRewrite(
      clone,
      local.map((old) => ({ old, new: commit })),
      'rebase',
    );
    this.log.push(`${clone} squash ${local.length}`);
  }

  /**
   * Amends the clone's unpushed tip with a status set again and a line saying why, as people fix
   * up their last commit. Every other time it takes back a status change the tip made (a
   * writeback found wrong), setting the status its parent holds; else it sets another.
   */
  async amend(clone: string, task: string, pick: number): Promise<void> {
    const dir = this.dir(clone);
    const head = await this.head(clone);
    const upstream = (await git(dir, ['rev-parse', 'origin/main'])).trim();
    const parents = this.model.parentsOf(head);
    if (head === upstream || parents?.length !== 1 || (await this.dirty(clone))) return;
    // A depth-1 clone's boundary has no parent as git sees it: amending it would make a root commit.
    if ((await this.shallowBoundary(clone)).has(head)) return;
    const [now, before] = [statusesOf(await this.texts(clone)), presentStatusesOf(await this.texts(clone, parents[0]))];
    const changed = Object.keys(now).filter((t) => before[t] && before[t] !== now[t]);
    const takenBack = pick % 2 === 0 ? changed[0] : undefined;
    if (takenBack) task = takenBack;
    const status = takenBack ? before[takenBack]! : await this.otherStatus(clone, task, pick);
    const texts = withStatus(await this.texts(clone), task, status);
    const intent = this.model.intent();
    await this.writeTexts(clone, { ...texts, [PLAN]: `${texts[PLAN]}\nWhy ${task} is ${status}: #${intent}.\n` });
    await git(dir, ['commit', '-q', '-a', '--amend', '-m', `amended: ${task} → ${status} #${intent}`]);
    const commit = await this.head(clone);
    this.model.commit(commit, parents);
    this.model.carryOwn(commit, head);
    this.model.setValue(commit, task, { status, by: intent });
    await this.onRewrite(clone, [{ old: head, new: commit }], 'amend');
    this.log.push(`${clone} amend ${task}→${status}#${intent}`);
  }

  /** Rewrites the pushed tip (amend) and force-pushes it: history others have is rewritten. */
  async amendAndForcePush(clone: string): Promise<void> {
    const dir = this.dir(clone);
    if (this.offline.has(clone)) return;
    const head = await this.head(clone);
    const upstream = (await git(dir, ['rev-parse', 'origin/main'])).trim();
    const parent = this.model.parentsOf(head)?.[0];
    if (head !== upstream || !parent || (this.model.parentsOf(head)?.length ?? 0) !== 1) return;
    if (await this.dirty(clone)) return;
    await git(dir, ['commit', '-q', '--amend', '-m', `${(await git(dir, ['log', '-1', '--format=%s'])).trim()} (amended)`]);
    const commit = await this.head(clone);
    this.model.commit(commit, [parent]);
    this.model.carryOwn(commit, head);
    await this.onRewrite(clone, [{ old: head, new: commit }], 'amend');
    await git(dir, ['push', '-q', '--force', 'origin', 'HEAD:main']);
    this.log.push(`${clone} amend + force-push`);
  }

  /**
   * `git pull --rebase --autostash` over an uncommitted status edit, with git running the hooks
   * `during` installs. Once the pull is done and the edit back, it is committed. Played only when
   * the same pull without hooks re-applies the edit cleanly (tried first on a copy of the clone);
   * returns whether it left conflict markers with the hooks.
   */
  async autostashPull(clone: string, task: string, pick: number, during: (pull: () => Promise<void>) => Promise<void>): Promise<boolean> {
    const dir = this.dir(clone);
    if ((await this.dirty(clone)) || this.offline.has(clone)) return false;
    const ours = await this.head(clone);
    await git(dir, ['fetch', '-q', 'origin']);
    const theirs = (await readObject(dir, 'refs/remotes/origin/main^{commit}'))!.oid;
    await this.learn(clone, theirs);
    const local = await this.localCommits(clone, this.model.mergeBase(ours, theirs), ours);
    // Only a rebase of the clone's own commits runs post-rewrite; the rest is what `pull` does.
    if (!local || local.length === 0 || this.model.ancestors(ours).has(theirs)) return false;
    const status = await this.otherStatus(clone, task, pick);
    await this.writeTexts(clone, withStatus(await this.texts(clone), task, status));
    const pull = (at: string, hooks: boolean) =>
      git(at, [...(hooks ? [] : ['-c', 'core.hooksPath=/dev/null']), 'pull', '-q', '--rebase', '--autostash', 'origin', 'main']).then(
        () => undefined,
        () =>
          git(at, ['rebase', '--abort']).then(
            () => undefined,
            () => undefined,
          ),
      );
    const copy = `${dir}-without-hooks`;
    await cp(dir, copy, { recursive: true });
    await pull(copy, false);
    // A rebase can leave a task in two blocks (a block moved over a reordering): the model has no such state.
    const cleanWithout = !(await hasMarkers(copy)) && (await wellFormed(copy));
    await rm(copy, { recursive: true, force: true });
    if (!cleanWithout) {
      await git(dir, ['checkout', '--', ...PLANS]);
      return false;
    }
    this.log.push(`${clone} pull --rebase --autostash (dirty ${task}→${status})`);
    await during(() => pull(dir, true));
    await this.learn(clone);
    if (await hasMarkers(dir)) return true;
    const texts = await this.workingTexts(clone);
    const head = await this.head(clone);
    if (statusesOf(texts)[task] !== status || !(await this.dirty(clone))) {
      await git(dir, ['checkout', '--', ...PLANS]);
      return false;
    }
    const intent = this.model.intent();
    await git(dir, ['commit', '-q', '-am', `edit ${task} → ${status} #${intent}`]);
    const commit = await this.head(clone);
    this.model.commit(commit, [head]);
    this.model.setValue(commit, task, { status, by: intent });
    this.log.push(`${clone} edit ${task}→${status}#${intent} (after the pull)`);
    return false;
  }
}

/** The workplans as they are in `dir`'s working tree. */
async function textsIn(dir: string): Promise<Texts> {
  return Object.fromEntries(await Promise.all(PLANS.map(async (f) => [f, await readFile(path.join(dir, f), 'utf8')] as const)));
}

async function hasMarkers(dir: string): Promise<boolean> {
  return Object.values(await textsIn(dir)).some((t) => t.includes('<<<<<<<'));
}

/** Whether every task is in exactly one block of the working files. */
async function wellFormed(dir: string): Promise<boolean> {
  try {
    statusesOf(await textsIn(dir));
    return true;
  } catch {
    return false;
  }
}

async function configure(dir: string, clone: string): Promise<void> {
  await addLocalConfig(dir, identity(clone));
  // Marked as install marks them; the driver itself is given to the merges that use it.
  await writeFile(path.join(dir, '.git', 'info', 'attributes'), '*.md merge=custodian-hooks\n');
}
