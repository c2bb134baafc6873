import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { git } from '../../src/git.js';
import { openStore } from '../../src/hub/open.js';
import { HttpHub } from '../../src/hub/http-hub.js';
import { startHub, type RunningHub } from '../../src/hub/serve.js';
import type { SqlStore } from '../../src/hub/sql-store.js';
import type { Hub, RepoState } from '../../src/hub/types.js';
import { rememberSettled } from '../../src/commands/settled.js';
import { hookWork } from '../../src/hook-main.js';
import { describeRewrites, recordRewrites, type RewritePair } from '../../src/reconcile/rewrites.js';
import { reconcileRepo } from '../../src/sync/reconcile-repo.js';
import type { ReconcileDeps, ReconcileOptions } from '../../src/sync/options.js';
import { openRepo, type Repo } from '../../src/repo.js';
import type { Report } from '../../src/report.js';
import { rank, STATUSES, type Status } from '../../src/status.js';
import { parseWorkplan } from '../../src/workplan/parse.js';
import { editStatusInText } from '../../src/workplan/set-status.js';

/**
 * The world a simulation schedule runs in: a bare origin, real clones (one shallow), a real hub,
 * and beside them a reference model of who knows what. Every status value carries the intent
 * (an edit in a file or an agent's update) that chose it and every intent it knows of; a value
 * replaced by one that does not know it, while it knows the replacement, is a lost update.
 */
export interface Value {
  status: Status;
  by: number;
  hist: Set<number>;
}

export type Fault = 'none' | 'hubDown' | 'commitFails' | 'killed' | 'race';

export const PLAN = 'plan.md';
export const TASKS = ['A', 'B', 'C'] as const;
export const CLONES = ['a', 'b', 'c', 'shallow'] as const;

const IDENTITY = [
  ['user.name', 'sim'],
  ['user.email', 'sim@example.com'],
  ['commit.gpgsign', 'false'],
  ['gc.auto', '0'],
  ['pull.rebase', 'false'],
];

function template(): string {
  // Tasks far apart, so concurrent edits of different tasks merge without conflicts.
  const blocks = TASKS.map(
    (t) => `## Task ${t}\n\n\`\`\`task\nid: ${t}\nstatus: todo\npriority: medium\n\`\`\`\n\nProse about ${t}.\nMore prose.\nEven more prose.\n`,
  );
  return `---\ntype: workplan\nid: SIM\n---\n\n# Simulation\n\n${blocks.join('\n')}`;
}
const mask = (text: string) => text.replace(/^status: \w+$/gm, 'status: •');

export class SimWorld {
  readonly log: string[] = [];
  private readonly parents = new Map<string, string[]>();
  /** Each commit's value of each task, as the reference model sees it. */
  private readonly values = new Map<string, Map<string, { status: Status; by: number }>>();
  /** Knowledge a commit adds beyond its ancestors (a writeback knows the hub's history). */
  private readonly extra = new Map<string, Map<string, Set<number>>>();
  private readonly hubValue = new Map<string, Value>();
  private nextIntent = 1;
  private hubTaskCount = 0;
  private running: RunningHub | null = null;
  hub!: Hub;
  store!: SqlStore;
  private repos = new Map<string, Repo>();
  readonly masked = mask(template());

  constructor(
    readonly root: string,
    private readonly overHttp: boolean,
  ) {}

  dir(clone: string) {
    return path.join(this.root, clone);
  }

  async setup(): Promise<void> {
    const origin = path.join(this.root, 'acme.git');
    await git(this.root, ['init', '-q', '--bare', '-b', 'main', origin]);
    const seed = this.dir('a');
    await git(this.root, ['clone', '-q', origin, seed]);
    for (const [k, v] of IDENTITY) await git(seed, ['config', k!, v!]);
    await writeFile(path.join(seed, PLAN), template());
    await git(seed, ['add', PLAN]);
    await git(seed, ['commit', '-q', '-m', 'plan']);
    await git(seed, ['push', '-q', 'origin', 'main']);
    const root = (await git(seed, ['rev-parse', 'HEAD'])).trim();
    this.parents.set(root, []);
    this.values.set(root, new Map(TASKS.map((t) => [t, { status: 'todo' as Status, by: 0 }])));
    for (const clone of CLONES.slice(1)) {
      const dir = this.dir(clone);
      await git(this.root, ['clone', '-q', ...(clone === 'shallow' ? ['--depth', '1', `file://${origin}`] : [origin]), dir]);
      for (const [k, v] of IDENTITY) await git(dir, ['config', k!, v!]);
    }
    for (const clone of CLONES) this.repos.set(clone, await openRepo(this.dir(clone)));
    const db = path.join(this.root, 'hub.sqlite');
    this.store = await openStore(db);
    if (this.overHttp) {
      const token = await this.store.createToken('sim');
      this.running = await startHub(this.store);
      this.hub = new HttpHub(this.running.url, token);
    } else {
      this.hub = this.store;
    }
  }

  async close(): Promise<void> {
    await this.running?.close();
    await this.store?.close();
  }

  // --- the reference model's view of commits ----------------------------------------------
  private async learn(clone: string): Promise<void> {
    const out = await git(this.dir(clone), ['rev-list', '--parents', 'HEAD']);
    for (const line of out.trim().split('\n')) {
      const [sha, ...ps] = line.split(' ');
      if (!this.parents.has(sha!)) this.parents.set(sha!, ps);
    }
  }

  private ancestors(commit: string): Set<string> {
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

  private mergeBase(a: string, b: string): string {
    const A = this.ancestors(a);
    // The newest common ancestor: one none of whose descendants among the common ones is also common.
    const common = [...this.ancestors(b)].filter((c) => A.has(c));
    return common.find((c) => !common.some((d) => d !== c && this.ancestors(d).has(c)))!;
  }

  /** A commit's value for a task; commits without their own value take their first parent's. */
  private valueAt(commit: string, task: string): { status: Status; by: number } {
    for (let c: string | undefined = commit; c; c = this.parents.get(c)?.[0]) {
      const v = this.values.get(c)?.get(task);
      if (v) return v;
    }
    throw new Error(`no model value for ${task} at ${commit}`);
  }

  value(commit: string, task: string): Value {
    const hist = new Set<number>();
    for (const c of this.ancestors(commit)) {
      const v = this.values.get(c)?.get(task);
      if (v) hist.add(v.by);
      for (const i of this.extra.get(c)?.get(task) ?? []) hist.add(i);
    }
    const v = this.valueAt(commit, task);
    return { status: v.status, by: v.by, hist };
  }

  private setValue(commit: string, task: string, value: { status: Status; by: number }, extra?: Set<number>) {
    if (!this.values.has(commit)) this.values.set(commit, new Map());
    this.values.get(commit)!.set(task, value);
    if (extra) {
      if (!this.extra.has(commit)) this.extra.set(commit, new Map());
      this.extra.get(commit)!.set(task, extra);
    }
  }

  private mustNotLose(where: string, old: Value, replacement: Value): void {
    if (old.status !== replacement.status && !replacement.hist.has(old.by) && old.hist.has(replacement.by)) {
      assert.fail(
        `${where}: older ${replacement.status}(#${replacement.by}) replaced newer ${old.status}(#${old.by})\n  last steps: ${this.log.slice(-25).join('; ')}`,
      );
    }
  }

  // --- steps -------------------------------------------------------------------------------
  async head(clone: string): Promise<string> {
    return (await git(this.dir(clone), ['rev-parse', 'HEAD'])).trim();
  }

  private async fileStatuses(clone: string, rev = 'HEAD'): Promise<Record<string, Status>> {
    const text = await git(this.dir(clone), ['show', `${rev}:${PLAN}`]);
    return Object.fromEntries(parseWorkplan(text, PLAN).tasks.map((t) => [t.id, t.status]));
  }

  async edit(clone: string, task: string, pick: number): Promise<void> {
    const dir = this.dir(clone);
    if ((await git(dir, ['status', '--porcelain', '--untracked-files=no'])).trim()) return;
    const head = await this.head(clone);
    const current = (await this.fileStatuses(clone))[task]!;
    const others = STATUSES.filter((s) => s !== current);
    const status = others[pick % others.length]!;
    const text = await git(dir, ['show', `HEAD:${PLAN}`]);
    const edited = editStatusInText(text, task, status);
    assert.ok(edited.ok);
    await writeFile(path.join(dir, PLAN), edited.text);
    const intent = this.nextIntent++;
    await git(dir, ['commit', '-q', '-am', `edit ${task} → ${status} #${intent}`]);
    const commit = await this.head(clone);
    this.parents.set(commit, [head]);
    this.setValue(commit, task, { status, by: intent });
    this.log.push(`${clone} edit ${task}→${status}#${intent}`);
  }

  async agent(task: string, pick: number): Promise<void> {
    const current = this.hubValue.get(task);
    if (!current) return;
    const others = STATUSES.filter((s) => s !== current.status);
    const status = others[pick % others.length]!;
    const intent = this.nextIntent++;
    await this.store.setStatus({ repo: 'acme', id: task, status, by: 'agent' });
    this.hubValue.set(task, { status, by: intent, hist: new Set([...current.hist, intent]) });
    this.log.push(`agent ${task}→${status}#${intent}`);
  }

  /** Merges or rebases the upstream in; conflicts are resolved as a careful person would: the higher rank. */
  async pull(clone: string, rebase: boolean): Promise<void> {
    const dir = this.dir(clone);
    if ((await git(dir, ['status', '--porcelain', '--untracked-files=no'])).trim()) return;
    await git(dir, ['fetch', '-q', 'origin']);
    const ours = await this.head(clone);
    const theirs = (await git(dir, ['rev-parse', 'origin/main'])).trim();
    await this.learnRef(clone, 'origin/main');
    if (this.ancestors(ours).has(theirs)) return;
    this.log.push(`${clone} pull${rebase ? ' --rebase' : ''}`);
    if (this.ancestors(theirs).has(ours)) {
      await git(dir, ['merge', '-q', '--ff-only', 'origin/main']);
      return;
    }
    if (rebase && (await this.tryRebase(clone, ours, theirs))) return;
    const base = this.mergeBase(ours, theirs);
    const resolved = new Map<string, { status: Status; by: number }>();
    for (const t of TASKS) {
      const o = this.valueAt(ours, t),
        th = this.valueAt(theirs, t),
        b = this.valueAt(base, t);
      resolved.set(t, o.status === th.status ? o : o.status === b.status ? th : th.status === b.status ? o : rank(o.status) >= rank(th.status) ? o : th);
    }
    const merged = await git(dir, ['merge', '-q', '--no-edit', 'origin/main']).then(
      () => true,
      () => false,
    );
    if (!merged) {
      // Rebuild the file from ours with every status as resolved, and conclude the merge.
      let text = await git(dir, ['show', `${ours}:${PLAN}`]);
      for (const [t, v] of resolved) {
        const r = editStatusInText(text, t, v.status);
        assert.ok(r.ok);
        text = r.text;
      }
      await writeFile(path.join(dir, PLAN), text);
      await git(dir, ['add', PLAN]);
      await git(dir, ['commit', '-q', '--no-edit']);
    }
    const commit = await this.head(clone);
    this.parents.set(commit, [ours, theirs]);
    const actual = await this.fileStatuses(clone);
    for (const [t, v] of resolved) {
      assert.equal(actual[t], v.status, `harness: merge of ${t} in ${clone}`);
      this.setValue(commit, t, v);
    }
  }

  private async learnRef(clone: string, ref: string): Promise<void> {
    const out = await git(this.dir(clone), ['rev-list', '--parents', ref]);
    for (const line of out.trim().split('\n')) {
      const [sha, ...ps] = line.split(' ');
      if (!this.parents.has(sha!)) this.parents.set(sha!, ps);
    }
  }

  /** A clean rebase of local non-merge commits; false (and nothing changed) when it would not be clean. */
  private async tryRebase(clone: string, ours: string, theirs: string): Promise<boolean> {
    const dir = this.dir(clone);
    const base = this.mergeBase(ours, theirs);
    const local = (await git(dir, ['rev-list', '--reverse', '--parents', `${base}..${ours}`])).trim().split('\n').filter(Boolean);
    if (local.some((l) => l.split(' ').length > 2)) return false;
    const ok = await git(dir, ['rebase', '-q', 'origin/main']).then(
      () => true,
      () => false,
    );
    if (!ok) {
      await git(dir, ['rebase', '--abort']).catch(() => undefined);
      return false;
    }
    const rewritten = (await git(dir, ['rev-list', '--reverse', `${theirs}..HEAD`])).trim().split('\n').filter(Boolean);
    if (rewritten.length !== local.length) {
      await git(dir, ['reset', '-q', '--hard', ours]);
      return false;
    }
    let parent = theirs;
    for (const [i, line] of local.entries()) {
      const original = line.split(' ')[0]!;
      const originalParent = line.split(' ')[1]!;
      const commit = rewritten[i]!;
      this.parents.set(commit, [parent]);
      for (const t of TASKS) {
        const o = this.valueAt(original, t);
        if (o.by !== this.valueAt(originalParent, t).by) this.setValue(commit, t, o, this.value(original, t).hist);
      }
      parent = commit;
    }
    const actual = await this.fileStatuses(clone);
    for (const t of TASKS) assert.equal(actual[t], this.valueAt(parent, t).status, `harness: rebase of ${t} in ${clone}`);
    // What the post-rewrite hook reports after a rebase.
    await this.recordRewrites(
      clone,
      local.map((line, i) => ({ old: line.split(' ')[0]!, new: rewritten[i]! })),
    );
    return true;
  }

  async push(clone: string): Promise<void> {
    const dir = this.dir(clone);
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

  /** Squashes the clone's unpushed commits into one, as people tidy up before pushing. */
  async squash(clone: string): Promise<void> {
    const dir = this.dir(clone);
    const head = await this.head(clone);
    const upstream = (await git(dir, ['rev-parse', 'origin/main'])).trim();
    const local = (await git(dir, ['rev-list', `${upstream}..HEAD`])).trim().split('\n').filter(Boolean);
    if (local.length < 2 || !this.ancestors(head).has(upstream)) return;
    if ((await git(dir, ['status', '--porcelain', '--untracked-files=no'])).trim()) return;
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
    this.parents.set(commit, [upstream]);
    for (const t of TASKS) {
      const v = this.valueAt(head, t);
      if (v.by !== this.valueAt(upstream, t).by) this.setValue(commit, t, v, this.value(head, t).hist);
    }
    // As `git rebase -i` reports a squash to post-rewrite: every squashed commit → the new one.
    await this.recordRewrites(
      clone,
      local.map((old) => ({ old, new: commit })),
    );
    this.log.push(`${clone} squash ${local.length}`);
  }

  /** Rewrites the pushed tip (amend) and force-pushes it: history others have is rewritten. */
  async amendAndForcePush(clone: string): Promise<void> {
    const dir = this.dir(clone);
    const head = await this.head(clone);
    const upstream = (await git(dir, ['rev-parse', 'origin/main'])).trim();
    const parent = this.parents.get(head)?.[0];
    if (head !== upstream || !parent || (this.parents.get(head)?.length ?? 0) !== 1) return;
    if ((await git(dir, ['status', '--porcelain', '--untracked-files=no'])).trim()) return;
    await git(dir, ['commit', '-q', '--amend', '-m', `${(await git(dir, ['log', '-1', '--format=%s'])).trim()} (amended)`]);
    const commit = await this.head(clone);
    this.parents.set(commit, [parent]);
    for (const t of TASKS) {
      const v = this.values.get(head)?.get(t);
      if (v) this.setValue(commit, t, v, this.value(head, t).hist);
    }
    await this.recordRewrites(clone, [{ old: head, new: commit }]);
    await git(dir, ['push', '-q', '--force', 'origin', 'HEAD:main']);
    this.log.push(`${clone} amend + force-push`);
  }

  /** What the post-rewrite hook tells the hub. */
  private async recordRewrites(clone: string, pairs: RewritePair[]): Promise<void> {
    await recordRewrites(this.hub, 'acme', 'sim', await describeRewrites(this.repos.get(clone)!, pairs));
  }

  // --- runs --------------------------------------------------------------------------------
  private deps(fault: Fault): ReconcileDeps {
    const deps: ReconcileDeps = { hub: this.hub, hostname: 'sim', machine: 'sim@sim' };
    if (fault === 'hubDown') {
      const down = () => Promise.reject(Object.assign(new Error('hub did not answer: ETIMEDOUT'), { name: 'HubUnavailableError' }));
      deps.hub = { location: 'down', readRepo: down, sync: down, setStatus: down, history: down, listRepos: down, close: async () => {} };
    }
    if (fault === 'commitFails' || fault === 'killed') deps.landCommit = () => Promise.reject(new Error(fault === 'killed' ? 'killed' : 'commit failed'));
    return deps;
  }

  /** `run --fix` (or a hook's run), then every invariant the model checks. */
  async run(clone: string, options: { writeback: boolean; fault: Fault; hook?: 'post-merge' | 'post-rewrite' | 'pre-push' }): Promise<void> {
    const dir = this.dir(clone);
    const repo = this.repos.get(clone)!;
    const head = await this.head(clone);
    const before = await this.hubState();
    let opts: ReconcileOptions = {
      mode: 'fix',
      writeback: options.writeback,
      pull: false,
      fetch: !options.hook,
      ...(options.hook === 'pre-push' ? { at: head } : {}),
    };
    this.log.push(
      `${clone} ${options.hook ?? 'run --fix'}${options.writeback ? '' : ' --no-writeback'}${options.fault === 'none' ? '' : ` [${options.fault}]`}`,
    );
    // A hook first takes the product's fast path; when it finds nothing to do, that must be as
    // good as a run that changed nothing, and the model counts it as one. When it finds a few
    // touched workplans, the run reads only those, and the model checks it like any other.
    const pushLine = `refs/heads/main ${head} refs/heads/main ${'0'.repeat(40)}\n`;
    const work =
      options.hook && options.fault === 'none'
        ? await hookWork(options.hook, dir, options.hook === 'pre-push' ? pushLine : '', { CUSTODIAN_HUB: this.hub.location })
        : null;
    const skipped = work?.kind === 'nothing';
    if (work?.kind === 'touched') {
      opts = { ...opts, touched: work.touched };
      this.log.push(`${clone} (hook: only ${work.touched.files.join(', ')} touched)`);
    }
    const reports: Report[] = skipped
      ? [{ repo: 'acme', mode: 'fix', workplans: [], findings: [], actions: [] }]
      : options.fault === 'race'
        ? await Promise.all([reconcileRepo(repo, opts, this.deps('none')), reconcileRepo(repo, opts, this.deps('none'))])
        : [await reconcileRepo(repo, opts, this.deps(options.fault))];
    if (skipped) this.log.push(`${clone} (hook fast path: nothing to do)`);
    else for (const report of reports) rememberSettled(repo, { location: this.hub.location, kind: 'sqlite', source: 'CUSTODIAN_HUB' }, report);
    if (options.fault === 'killed') {
      // A run killed mid-way leaves its lock behind, held by a process that no longer exists.
      await writeFile(path.join(dir, '.git', 'custodian-hooks.lock'), '2147483646');
    }
    await this.learn(clone);
    const after = await this.hubState();
    if (process.env.SIM_DEBUG) {
      for (const r of reports)
        console.error(
          `  [${clone} @${head.slice(0, 7)}] ${r.actions.map((a) => `${a.type}:${'taskId' in a ? a.taskId : a.commit.slice(0, 7)}`).join(' ')} | ${r.findings.map((f) => `${f.code}:${f.taskId ?? ''}`).join(' ')}`,
        );
    }
    for (const report of reports) await this.account(clone, head, before, report);
    await this.checkHub(after);
  }

  private async hubState(): Promise<RepoState> {
    return (await this.store.readRepo('acme')) as RepoState;
  }

  /** Checks one run's effects against the model and moves the model along. */
  private async account(clone: string, head: string, before: RepoState, report: Report): Promise<void> {
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

  private async checkHub(state: RepoState): Promise<void> {
    assert.ok(state.tasks.length >= this.hubTaskCount, 'no hub task is ever deleted');
    this.hubTaskCount = state.tasks.length;
    for (const task of state.tasks) {
      assert.equal(task.status, this.hubValue.get(task.id)?.status, `harness and hub agree on ${task.id}\n  last steps: ${this.log.slice(-25).join('; ')}`);
    }
    for (const clone of CLONES) {
      const text = await git(this.dir(clone), ['show', `HEAD:${PLAN}`]);
      assert.equal(mask(text), this.masked, `no byte outside status values changed in ${clone}`);
    }
  }

  /** Everyone pulls, runs and pushes until quiet; then files equal the hub and a second run changes nothing. */
  async converge(): Promise<void> {
    this.log.push('— converge —');
    for (const clone of CLONES) await rm(path.join(this.dir(clone), '.git', 'custodian-hooks.lock'), { force: true }).catch(() => undefined);
    for (let round = 0; round < 3; round++) {
      for (const clone of CLONES) {
        await this.pull(clone, false);
        await this.run(clone, { writeback: true, fault: 'none' });
        await this.push(clone);
      }
    }
    for (const clone of CLONES) await this.pull(clone, false);
    const hub = Object.fromEntries((await this.hubState()).tasks.map((t) => [t.id, t.status]));
    for (const clone of CLONES) {
      assert.deepEqual(await this.fileStatuses(clone), hub, `${clone} converged on the hub\n  last steps: ${this.log.slice(-30).join('; ')}`);
      const head = await this.head(clone);
      const report = await reconcileRepo(this.repos.get(clone)!, { mode: 'fix', writeback: true, pull: false }, this.deps('none'));
      assert.deepEqual(report.actions, [], `a second run in ${clone} changes nothing`);
      assert.equal(await this.head(clone), head, `and makes no commit in ${clone}`);
    }
  }
}
