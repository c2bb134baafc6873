import os from 'node:os';
import { messageOf } from '../errors.js';
import { readTreeState, trackedBranches, type TreeState } from '../git/facts.js';
import { refuseAnotherHub } from '../clone/hub.js';
import { refuseRenamedSlug } from '../clone/slug.js';
import { chooseHub } from '../hub/location.js';
import { openHub } from '../hub/open.js';
import { machineName } from '../machine.js';
import type { Rewrite } from '../hub/types.js';
import { describeRewrites, parseRewrites, recordRewrites } from './rewrites.js';
import { reconcileRepo } from '../sync/reconcile-repo.js';
import type { ReconcileOptions } from '../sync/options.js';
import type { Scope } from './scope.js';
import { registerRepo } from '../registry.js';
import { keepInOutbox } from '../clone/outbox.js';
import { printable } from '../output/printable.js';
import { pushedRefs } from '../git/pushed-refs.js';
import { openRepo, type KnownOfRepo } from '../repo.js';
import { actionKind, findingKind, formatAction, formatFinding, summarised, type Report } from '../output/report.js';
import { rememberSettled } from '../commands/settled.js';

/**
 * The commits a push sends to tracked branches of the tracked remote. git names the remote as
 * the hook's first argument; a push to a fork, or to a URL typed out, sends nothing to the hub.
 */
function pushedCommits(stdin: string, remote: string | undefined, state: TreeState, tracked: readonly string[]): string[] {
  if (remote !== (state.remote ?? 'origin')) return [];
  const commits = pushedRefs(stdin).filter((ref) => tracked.includes(ref.remoteRef.replace(/^refs\/heads\//, '')));
  return [...new Set(commits.map((ref) => ref.commit))];
}

/** What a hook prints: what it did and what went wrong, a line each; nothing when all is quiet. */
function hookLines(report: Report, debug: boolean): string[] {
  const shown = report.findings.filter((f) => debug || (f.severity !== 'INFO' && f.code !== 'C-24'));
  return [...summarised(report.actions, actionKind, formatAction, debug), ...summarised(shown, findingKind, formatFinding, debug)];
}

/** What a hook is run with, and what its fast path found out. */
export interface HookContext {
  cwd: string;
  stdin: string;
  say: (line: string) => void;
  /** What the fast path asked git of the working tree already. */
  known?: KnownOfRepo;
  /** What the fast path found the run must reconcile. */
  scope: Scope;
}

/**
 * `run --hook NAME`, as the shims call it. It never fails the git operation: every problem is
 * one line on stderr and the exit code is 0.
 */
export async function runHook(hook: string, args: readonly string[], { cwd, stdin, say, known, scope }: HookContext): Promise<number> {
  const debug = process.env.CUSTODIAN_DEBUG === '1';
  try {
    if (!['post-merge', 'post-rewrite', 'pre-push', 'post-commit'].includes(hook)) {
      say(`custodian-hooks - unknown hook '${hook}'; nothing done`);
      return 0;
    }
    const repo = await openRepo(cwd, known);
    await registerRepo(repo.slug, repo.top).catch(() => undefined);
    const common: ReconcileOptions = { mode: 'fix', writeback: repo.config.writeback !== false, pull: false, fetch: false };
    let runs: ReconcileOptions[];
    let rewrites: Rewrite[] = [];
    if (hook === 'pre-push') {
      // The push itself is the network call: the gate uses the tracking ref as it stands.
      const state = await readTreeState(repo);
      // After the first pushed commit's batch the hub has moved, and the next run reads everything.
      runs = pushedCommits(stdin, args[0], state, trackedBranches(repo, state)).map((at) => ({ ...common, at, scope, state }));
    } else if (hook === 'post-rewrite') {
      // Amend and rebase both report what replaced what; a rebase (a pull --rebase) brings news to
      // reconcile. An amend that changed a status tells the hub at once, writing nothing: the
      // commit it replaced may be in this clone alone, and only here can the rules see that the
      // amend set the value (a writeback's change taken back), not carried it over.
      rewrites = await describeRewrites(repo, parseRewrites(stdin));
      const amendedStatus = args[0] === 'amend' && rewrites.some((r) => r.changed.length > 0);
      runs = args[0] === 'rebase' ? [{ ...common, rebaseFinishing: true }] : amendedStatus ? [{ ...common, writeback: false }] : [];
    } else {
      runs = [{ ...common, scope }];
    }
    if (runs.length === 0 && rewrites.length === 0) return 0;
    // Kept before the hub is even chosen: a hub that is down, refused or not reached in time must
    // not lose it. It leaves the outbox once the hub has it (here, or with the next run's batch).
    keepInOutbox(repo.gitDir, rewrites);
    const choice = chooseHub(process.env, repo.config.hub, repo.top);
    refuseAnotherHub(repo, choice);
    refuseRenamedSlug(repo);
    const hub = await openHub(choice, { http: { timeoutMs: 3000, connectTimeoutMs: 1000, readRetries: 0 } });
    try {
      await recordRewrites(hub, repo, machineName(), rewrites).catch((error: unknown) =>
        say(`custodian-hooks - post-rewrite: rewrite record kept for the next run: ${printable(messageOf(error).split('\n')[0]!)}`),
      );
      for (const options of runs) {
        const report = await reconcileRepo(repo, options, { hub, hostname: os.hostname(), machine: machineName() });
        rememberSettled(repo, choice, report);
        for (const line of hookLines(report, debug)) say(`custodian-hooks: ${line}`);
      }
    } finally {
      await hub.close();
    }
  } catch (error) {
    say(`custodian-hooks - ${hook}: ${printable(messageOf(error).split('\n')[0]!)} (the git operation is not affected)`);
    if (debug) say((error as Error)?.stack ?? '');
  }
  return 0;
}
