import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { runHook } from '../../src/hook/full.js';
import { rememberSettled } from '../../src/commands/settled.js';
import { git } from '../../src/git/run.js';
import { hookWork } from '../../src/hook/fast-path.js';
import type { RepoState } from '../../src/hub/types.js';
import { keepInOutbox } from '../../src/clone/outbox.js';
import { describeRewrites, recordRewrites, type RewritePair } from '../../src/hook/rewrites.js';
import type { ReconcileOptions } from '../../src/sync/options.js';
import { reconcileRepo } from '../../src/sync/reconcile-repo.js';
import { openRepo, type Repo } from '../../src/repo.js';
import type { Report } from '../../src/output/report.js';
import { STATUSES, type Status } from '../../src/status.js';
import { breakBlame, depsWith, type Fault, goOffline, goOnline, leaveStaleLock, mendBlame } from './sim-faults.js';
import { Choreography, CLONES, type Touch } from './sim-git.js';
import { type HookCall, HookRelay } from './sim-hooks.js';
import { type Retention, SimHub } from './sim-hub.js';
import * as invariants from './sim-invariants.js';
import { ReferenceModel, type Value } from './sim-model.js';
import { EVERYTHING } from '../../src/hook/scope.js';
import { CLI } from './paths.js';

export type { Fault } from './sim-faults.js';
export { CLONES } from './sim-git.js';
export { TASKS } from './sim-workplans.js';

/** Retention small enough that a schedule sees the hub drop points and run records. */
export const SMALL_RETENTION: Retention = { points: 2, runs: 3, maxAgeMs: 0 };

export interface WorldOptions {
  overHttp: boolean;
  retention?: Retention | null;
}

export type Hook = 'post-merge' | 'post-rewrite' | 'pre-push';

/**
 * The world a simulation schedule runs in: the git choreography (a bare origin and real clones),
 * a real hub, the faults injected into both, and the reference model of who knows what, checked
 * against the invariants after every step.
 */
export class SimWorld {
  readonly log: string[] = [];
  private readonly model = new ReferenceModel(this.log);
  private readonly git: Choreography;
  private readonly hub: SimHub;
  private readonly relay: HookRelay;
  private readonly repos = new Map<string, Repo>();
  private hubTaskCount = 0;
  /** The hub is down while post-rewrite runs. */
  private outage = false;
  private readonly brokenBlame = new Set<string>();
  private snapshot: { hubValue: Map<string, Value>; tasks: number } | null = null;
  /** Each undecided task's C-27 message, by the clone whose last run gave it: what a person reading the output is told. */
  readonly undecided = new Map<string, Map<string, string>>();
  /** Tasks a person settled at the converge by following C-27 (SIM_PERSON=1). */
  personAnswered = 0;

  constructor(
    readonly root: string,
    { overHttp, retention = null }: WorldOptions,
  ) {
    this.git = new Choreography(root, this.model, this.log, (clone, pairs, how) => this.postRewrite(clone, pairs, how));
    this.hub = new SimHub(root, overHttp, retention);
    this.relay = new HookRelay(root);
  }

  dir(clone: string) {
    return this.git.dir(clone);
  }

  async setup(): Promise<void> {
    await this.git.setup();
    for (const clone of CLONES) this.repos.set(clone, await openRepo(this.dir(clone)));
    await this.hub.open();
    // The merge driver as install configures it (SIM_DRIVER=0: git's text merge, for comparison).
    if (process.env.SIM_DRIVER !== '0')
      this.git.mergeDriver = { command: `'${process.execPath}' '${CLI}' merge-driver %O %A %B %L %P`, env: this.hub.clientEnv() };
  }

  /** How the schedule's merges went (see Choreography.mergeStats and leftBecause). */
  get mergeStats(): Readonly<Choreography['mergeStats']> {
    return this.git.mergeStats;
  }

  get leftBecause(): ReadonlyMap<string, number> {
    return this.git.leftBecause;
  }

  async close(): Promise<void> {
    await this.relay.close();
    await this.hub.close();
  }

  head(clone: string): Promise<string> {
    return this.git.head(clone);
  }

  // --- people's steps ----------------------------------------------------------------------
  edit(clone: string, task: string, pick: number): Promise<void> {
    return this.git.edit(clone, task, pick);
  }

  touch(clone: string, how: Touch, task: string, pick: number): Promise<void> {
    return this.git.touch(clone, how, task, pick);
  }

  async agent(task: string, pick: number): Promise<void> {
    const current = this.model.hubValue.get(task);
    if (!current) return;
    const others = STATUSES.filter((s) => s !== current.status);
    const status = others[pick % others.length]!;
    await this.hub.store.setStatus({ repo: 'acme', id: task, status, by: 'agent' });
    this.log.push(`agent ${task}→${status}#${this.model.agent(task, status)}`);
  }

  /**
   * A person answers C-27 the way its message says: runs the `task set` it names, for every task
   * still undecided in some clone. A C-27 naming no such command in any clone fails the schedule:
   * a remedy no one can follow leaves the task stuck. Returns how many tasks were answered.
   */
  async followUndecidedRemedy(): Promise<number> {
    const hub = new Map((await this.hubState()).tasks.map((t) => [t.id, t.status]));
    let answered = 0;
    for (const [task, byClone] of this.undecided) {
      if (byClone.size === 0) continue;
      const named = [...byClone.values()].map((m) => /`custodian-hooks task set (\S+) (\S+)`/.exec(m)).find((m) => m !== null);
      if (!named) throw new Error(`C-27 on ${task} names no command a person can follow: ${[...byClone.values()].join(' | ')}`);
      const [, id, status] = named as unknown as [string, string, Status];
      if (hub.get(id) === status) continue;
      await this.hub.store.setStatus({ repo: 'acme', id, status, by: 'person' });
      this.log.push(`person (following C-27) ${id}→${status}#${this.model.agent(id, status)}`);
      answered++;
    }
    return answered;
  }

  pull(clone: string, rebase: boolean): Promise<void> {
    return this.git.pull(clone, rebase);
  }

  abortedPull(clone: string): Promise<void> {
    return this.git.abortedPull(clone);
  }

  /** A pull --rebase during which the hub is down: post-rewrite cannot deliver its record. */
  async pullDuringOutage(clone: string): Promise<void> {
    this.outage = true;
    try {
      await this.git.pull(clone, true);
    } finally {
      this.outage = false;
    }
  }

  push(clone: string): Promise<void> {
    return this.git.push(clone);
  }

  offline(clone: string): boolean {
    return this.git.offline.has(clone);
  }

  squash(clone: string): Promise<void> {
    return this.git.squash(clone);
  }

  amend(clone: string, task: string, pick: number): Promise<void> {
    return this.git.amend(clone, task, pick);
  }

  amendAndForcePush(clone: string): Promise<void> {
    return this.git.amendAndForcePush(clone);
  }

  /** CI checks out a fresh depth-1 clone, at whatever the origin holds now. */
  async recloneShallow(): Promise<void> {
    await this.git.recloneShallow();
    this.brokenBlame.delete('shallow');
    this.repos.set('shallow', await openRepo(this.dir('shallow')));
  }

  /** The clone goes offline, or back online. */
  async toggleNetwork(clone: string, withoutUpstream: boolean): Promise<void> {
    if (this.git.offline.delete(clone)) {
      await goOnline(this.dir(clone));
      this.log.push(`${clone} online`);
    } else {
      await goOffline(this.dir(clone), withoutUpstream);
      this.git.offline.add(clone);
      this.log.push(`${clone} offline${withoutUpstream ? ' (no upstream)' : ''}`);
    }
  }

  /** The clone's blame breaks by configuration, or is mended. */
  async toggleBlame(clone: string): Promise<void> {
    if (this.brokenBlame.delete(clone)) {
      await mendBlame(this.dir(clone));
      this.log.push(`${clone} blame mended`);
    } else {
      await breakBlame(this.dir(clone));
      this.brokenBlame.add(clone);
      this.log.push(`${clone} blame broken (blame.ignoreRevsFile)`);
    }
  }

  /** An operator backs the hub's file up. */
  async backUpHub(): Promise<void> {
    await this.hub.snapshot();
    this.snapshot = { hubValue: copyValues(this.model.hubValue), tasks: this.hubTaskCount };
    this.log.push('hub backed up');
  }

  /** An operator restores the hub from the backup: what it heard since is gone from it. */
  async restoreHub(): Promise<void> {
    if (!this.snapshot || !(await this.hub.restore())) return;
    this.model.hubValue = copyValues(this.snapshot.hubValue);
    this.hubTaskCount = this.snapshot.tasks;
    this.log.push('hub restored from the backup');
  }

  /** A push to the clone's fork, with the product's own pre-push hook: the hub hears nothing of it. */
  async pushToFork(clone: string): Promise<void> {
    const before = (await this.hubState()).etag;
    const head = await this.head(clone);
    const state = path.join(this.root, 'state');
    await mkdir(state, { recursive: true });
    const env = { ...this.hub.clientEnv(), XDG_STATE_HOME: state };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      await runHook('pre-push', ['fork', path.join(this.root, 'fork.git')], {
        cwd: this.dir(clone),
        stdin: `refs/heads/main ${head} refs/heads/main ${'0'.repeat(40)}\n`,
        say: () => undefined,
        scope: EVERYTHING,
      });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    await this.git.pushToFork(clone);
    assert.equal((await this.hubState()).etag, before, `a push to ${clone}'s fork sends nothing to the hub`);
  }

  /**
   * `git pull --rebase --autostash` over an uncommitted edit, with a real post-rewrite hook that git
   * runs while the edit waits in the stash. The same pull without hooks re-applies it cleanly, so
   * conflict markers in the file are the hook's doing.
   */
  async autostashPull(clone: string, task: string, pick: number): Promise<void> {
    const conflicted = await this.git.autostashPull(clone, task, pick, (pull) =>
      this.relay.around(this.dir(clone), ['post-rewrite'], (call) => this.hookFromGit(clone, call), pull),
    );
    assert.ok(!conflicted, `the post-rewrite hook made re-applying the autostash conflict in ${clone}\n  last steps: ${this.log.slice(-25).join('; ')}`);
  }

  /** A hook git ran in `clone`: post-rewrite after a rebase, as the product's hook does it. */
  private async hookFromGit(clone: string, call: HookCall): Promise<void> {
    if (call.hook !== 'post-rewrite' || call.args[0] !== 'rebase') return;
    const pairs = call.stdin
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' '))
      .map(([old, next]) => ({ old: old!, new: next! }));
    const theirs = (await git(this.dir(clone), ['rev-parse', 'origin/main'])).trim();
    this.git.rebased(theirs, pairs);
    await this.postRewrite(clone, pairs, 'rebase');
    await this.run(clone, { writeback: true, fault: 'none', hook: 'post-rewrite', rebaseFinishing: true });
  }

  /** What the product's post-rewrite hook does with the record: kept in the outbox until the hub has it. */
  private async postRewrite(clone: string, pairs: RewritePair[], how: 'amend' | 'rebase'): Promise<void> {
    const repo = this.repos.get(clone)!;
    const rewrites = await describeRewrites(repo, pairs);
    keepInOutbox(repo.gitDir, rewrites);
    if (this.outage) {
      this.log.push(`${clone} post-rewrite: hub down, record kept`);
      return;
    }
    await recordRewrites(this.hub.hub, repo, 'sim', rewrites);
    // As the product's hook: an amend that changed a status tells the hub, writing nothing.
    if (how === 'amend' && rewrites.some((r) => r.changed.length > 0)) await this.run(clone, { writeback: false, fault: 'none', hook: 'post-rewrite' });
  }

  // --- runs --------------------------------------------------------------------------------
  /** `run --fix` (or a hook's run), then every invariant the model checks. */
  async run(clone: string, options: { writeback: boolean; fault: Fault; hook?: Hook; pull?: boolean; rebaseFinishing?: boolean }): Promise<void> {
    const dir = this.dir(clone);
    const repo = this.repos.get(clone)!;
    // `run --fix --pull`: online, the pull is the world's own (a merge), so the product's finds nothing to do.
    if (options.pull && !this.offline(clone)) await this.git.pull(clone, false);
    const head = await this.head(clone);
    const before = await this.hubState();
    let opts: ReconcileOptions = {
      mode: 'fix',
      writeback: options.writeback,
      pull: options.pull === true,
      fetch: !options.hook,
      ...(options.hook === 'pre-push' ? { at: head } : {}),
      ...(options.rebaseFinishing ? { rebaseFinishing: true } : {}),
    };
    this.log.push(
      `${clone} ${options.hook ?? `run --fix${options.pull ? ' --pull' : ''}`}${options.writeback ? '' : ' --no-writeback'}${options.fault === 'none' ? '' : ` [${options.fault}]`}`,
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
      opts = { ...opts, scope: work.scope };
      this.log.push(`${clone} (hook: only ${work.scope.files.join(', ')} touched)`);
    }
    const deps = depsWith(this.hub.hub, options.fault);
    const reports: Report[] = skipped
      ? [{ repo: 'acme', mode: 'fix', workplans: [], findings: [], actions: [] }]
      : options.fault === 'race'
        ? await Promise.all([reconcileRepo(repo, opts, deps), reconcileRepo(repo, opts, deps)])
        : [await reconcileRepo(repo, opts, deps)];
    if (skipped) this.log.push(`${clone} (hook fast path: nothing to do)`);
    else for (const report of reports) rememberSettled(repo, { location: this.hub.location, kind: 'sqlite', source: 'CUSTODIAN_HUB' }, report);
    if (options.fault === 'killed') await leaveStaleLock(dir);
    await this.git.learn(clone);
    const after = await this.hubState();
    if (process.env.SIM_DEBUG) {
      for (const r of reports)
        console.error(
          `  [${clone} @${head.slice(0, 7)}] ${r.actions.map((a) => `${a.type}:${'taskId' in a ? a.taskId : a.commit.slice(0, 7)}`).join(' ')} | ${r.findings.map((f) => `${f.code}:${f.taskId ?? ''}${f.code === 'C-27' ? ` (${f.message})` : ''}`).join(' ')}`,
        );
    }
    for (const byClone of this.undecided.values()) byClone.delete(clone);
    for (const f of reports.flatMap((r) => r.findings)) {
      if (f.code === 'C-27' && f.taskId) this.undecided.set(f.taskId, (this.undecided.get(f.taskId) ?? new Map()).set(clone, f.message));
    }
    for (const report of reports) {
      this.model.account({ clone, head, before, report });
      const commit = report.actions.find((a) => a.type === 'commit');
      if (commit) await invariants.writebackChangesOnlyStatuses(this.git, clone, head, commit.commit);
    }
    if (skipped) await invariants.fastPathWasRight(this.git, clone, after, this.log);
    await this.checkHub(after);
  }

  private async hubState(): Promise<RepoState> {
    return (await this.hub.store.readRepo('acme')) as RepoState;
  }

  private async checkHub(state: RepoState): Promise<void> {
    invariants.hubAgreesWithModel(state, this.model, this.hubTaskCount, this.log);
    this.hubTaskCount = state.tasks.length;
    await invariants.everyTaskOnce(this.git, CLONES);
  }

  /** Three rounds of every clone pulling, running and pushing, and a last pull. */
  private async convergeRounds(): Promise<void> {
    for (let round = 0; round < 3; round++) {
      for (const clone of CLONES) {
        await this.pull(clone, false);
        await this.run(clone, { writeback: true, fault: 'none' });
        await this.push(clone);
      }
    }
    for (const clone of CLONES) await this.pull(clone, false);
  }

  /** Everyone goes online, pulls, runs and pushes until quiet; then files equal the hub and a second run changes nothing. */
  async converge(): Promise<void> {
    this.log.push('— converge —');
    for (const clone of CLONES) {
      if (this.offline(clone)) await this.toggleNetwork(clone, false);
      await rm(path.join(this.dir(clone), '.git', 'custodian-hooks.lock'), { force: true }).catch(() => undefined);
    }
    await this.convergeRounds();
    try {
      await invariants.converged(this.git, CLONES, await this.hubState(), this.log);
    } catch (error) {
      // SIM_PERSON=1 (a soak's count): a person follows what C-27 says, and then everything must settle.
      if (process.env.SIM_PERSON !== '1') throw error;
      const answered = await this.followUndecidedRemedy();
      if (answered === 0) throw error;
      this.personAnswered += answered;
      await this.convergeRounds();
      await invariants.converged(this.git, CLONES, await this.hubState(), this.log);
    }
    for (const clone of CLONES) await invariants.secondRunIsNoOp(this.git, clone, this.repos.get(clone)!, depsWith(this.hub.hub, 'none'));
  }
}

function copyValues(values: ReadonlyMap<string, Value>): Map<string, Value> {
  return new Map([...values].map(([t, v]) => [t, { ...v, hist: new Set(v.hist) }]));
}
