import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireCompiled } from './code-cache.js';
import { criticalSectionsEnded, LANDING_GRACE_MS } from '../critical-section.js';
import { pushIsDryRun } from './dry-run.js';
import { CONFIG_FILE } from '../config-names.js';
import { etagProbe } from '../hub/etag-probe.js';
import { defaultDatabase, inRepo } from '../hub/location.js';
import { configDigest, readHookState, writeHookState, type HookState } from './state.js';
import { pushedRefs } from '../git/pushed-refs.js';
import { gitAnswer } from '../git/run.js';
import { syncRemoteUrl } from '../git/sync-remote.js';
import { EVERYTHING as ALL_WORKPLANS, type TouchedScope } from './scope.js';
import type { RepoPlace } from '../repo.js';

/**
 * `run --hook NAME [-C DIR] [-- ARGS]`, as the shims call it. First the fast path: when no commit
 * since the last settled run's touched a workplan and the hub still has the same ETag, there is
 * nothing to do and nothing more is loaded. When a pull or push touched a few workplans, only those are
 * reconciled. Otherwise the full hook runs. It never fails the git operation.
 */
export async function hookMain(args: string[]): Promise<number> {
  const hook = args[args.indexOf('--hook') + 1] ?? '';
  const cwdAt = args.indexOf('-C');
  const cwd = cwdAt === -1 ? process.cwd() : path.resolve(args[cwdAt + 1] ?? '.');
  const rest = args.includes('--') ? args.slice(args.indexOf('--') + 1) : [];
  const stdin = hook === 'pre-push' || hook === 'post-rewrite' ? readStdin() : '';
  const deadline = hookDeadline(process.env);
  if (deadline.problem) process.stderr.write(`custodian-hooks - ${hook}: ${deadline.problem}\n`);
  giveUpAfter(deadline.ms, hook);
  // git runs pre-push for `git push --dry-run` too: a push that sends nothing tells the hub nothing.
  if (hook === 'pre-push' && pushIsDryRun()) return 0;
  let work: HookWork = EVERYTHING;
  try {
    if (process.env.CUSTODIAN_DEBUG !== '1') work = await hookWork(hook, cwd, stdin, process.env);
  } catch {
    // Any doubt: take the full path, which says what is wrong.
  }
  if (work.kind === 'nothing') return 0;
  // git answers this while the full hook loads.
  const known = work.place && {
    place: work.place,
    remoteUrl: syncRemoteUrl(work.place.top, work.place.gitDir),
  };
  const { runHook } = await hookCommand();
  const scope = work.kind === 'touched' ? work.scope : ALL_WORKPLANS;
  return runHook(hook, rest, { cwd, stdin, say: (line) => process.stderr.write(`${line}\n`), known, scope });
}

/** The longest a hook may hold up git: a day (past 2^31 ms, node's timers fire at once). */
const MAX_HOOK_SECONDS = 86_400;

/**
 * How long a hook (or the merge driver) may hold up git: `CUSTODIAN_HOOK_TIMEOUT` seconds, 30 by
 * default, a day at most; `problem` says what was wrong with a value that could not be used as given.
 */
export function hookDeadline(env: NodeJS.ProcessEnv): { ms: number; problem: string | null } {
  const given = env.CUSTODIAN_HOOK_TIMEOUT;
  if (given === undefined || given.trim() === '') return { ms: 30_000, problem: null };
  const seconds = Number(given);
  if (!Number.isFinite(seconds) || seconds <= 0)
    return { ms: 30_000, problem: `CUSTODIAN_HOOK_TIMEOUT=${JSON.stringify(given)} is not a number of seconds above 0: 30 s used` };
  if (seconds > MAX_HOOK_SECONDS) return { ms: MAX_HOOK_SECONDS * 1000, problem: `CUSTODIAN_HOOK_TIMEOUT=${given} is more than a day: a day used` };
  return { ms: seconds * 1000, problem: null };
}

/**
 * Whatever hangs (a hub that trickles its answer, a database that never replies), git goes on:
 * past the deadline the hook says so in one line and exits 0. What it left half done is what any
 * killed run leaves: the next run starts over. A landing under way (git's index lock held, the
 * branch moving with its index and files) is let finish first, for up to LANDING_GRACE_MS more:
 * cut off inside, it would leave the lock, or a branch moved without its index.
 */
function giveUpAfter(ms: number, hook: string): void {
  setTimeout(() => {
    process.stderr.write(`custodian-hooks - ${hook}: gave up after ${ms / 1000} s (CUSTODIAN_HOOK_TIMEOUT); the git operation is not affected\n`);
    const grace = setTimeout(() => process.exit(0), LANDING_GRACE_MS);
    void criticalSectionsEnded().then(() => {
      clearTimeout(grace);
      process.exit(0);
    });
  }, ms).unref();
}

/** Set by the bundle: the content hash of `hook.cjs`, the full hook as one CommonJS file. */
declare const HOOK_BUNDLE_DIGEST: string | undefined;

/** The full hook: in the package, read through V8's code cache; from the sources, imported. */
async function hookCommand(): Promise<typeof import('./full.js')> {
  if (typeof HOOK_BUNDLE_DIGEST === 'undefined') return import('./full.js');
  return requireCompiled(fileURLToPath(new URL('hook.cjs', import.meta.url)), HOOK_BUNDLE_DIGEST).exports as typeof import('./full.js');
}

/** What a hook has to do: nothing, reconcile the few workplans a pull or push touched, or everything; and where. */
export type HookWork = { kind: 'nothing' } | { kind: 'touched'; scope: TouchedScope; place: RepoPlace } | { kind: 'everything'; place?: RepoPlace };
const EVERYTHING: HookWork = { kind: 'everything' };
/** Past this many touched files, the full run with its parse cache is as quick. */
const TOUCHED_MAX = 100;

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

/** How much of the last settled run, against the hub `env` and the repo choose, still holds for what this hook would reconcile. */
export async function hookWork(hook: string, cwd: string, stdin: string, env: NodeJS.ProcessEnv): Promise<HookWork> {
  if (hook !== 'post-merge' && hook !== 'post-commit' && hook !== 'pre-push') return EVERYTHING;
  // Fails in a bare repo (no top) and before the first commit: the full path says what is wrong.
  const { ok, stdout } = await gitAnswer(cwd, ['rev-parse', '--show-toplevel', '--absolute-git-dir', 'HEAD']);
  if (!ok) return EVERYTHING;
  const [top, gitDir, head] = stdout.trim().split('\n') as [string, string, string];
  const place = { top, gitDir };
  const everything: HookWork = { kind: 'everything', place };
  const state = readHookState(gitDir);
  const hub = state && hubNow(env, top, state);
  if (!state || state.hub !== hub) return everything;
  const hubSide = etagProbe(hub);
  try {
    if (!hubSide) return everything;
    // pre-push reconciles the commits being pushed, post-merge HEAD. The git checks run while
    // this process reads the hub.
    const commits = hook === 'pre-push' ? pushedRefs(stdin).map((ref) => ref.commit) : [head];
    const touching = Promise.all(commits.map((commit) => workplansTouchedSince(cwd, state, commit)));
    const hubSame = await hubSide.unchanged(state.slug, state.etag);
    const touched = await touching;
    if (!hubSame || touched.some((files) => files === null)) return everything;
    const files = [...new Set(touched.flat() as string[])];
    if (files.length === 0) {
      if (hook !== 'pre-push' && head !== state.head) writeHookState(gitDir, { ...state, head });
      return { kind: 'nothing' };
    }
    // pre-push: the files any pushed commit touched, a superset of what each one did.
    if (files.length <= TOUCHED_MAX && !files.includes(CONFIG_FILE))
      return { kind: 'touched', scope: { kind: 'touched', since: state.head, etag: state.etag, files }, place };
    return everything;
  } finally {
    hubSide?.close();
  }
}

/**
 * The hub the full path would choose (see chooseHub), as far as the fast path can tell without
 * reading YAML: `.custodian.yml` unchanged since the settled run has the same `hub:`. Null when
 * it cannot tell; the full path then chooses.
 */
function hubNow(env: NodeJS.ProcessEnv, top: string, state: HookState): string | null {
  const fromEnv = env.CUSTODIAN_HUB?.trim();
  if (fromEnv) return inRepo(fromEnv, top);
  if (configDigest(top) !== state.config) return null;
  if (state.hubSource === '.custodian.yml') return state.hub;
  return state.hubSource === 'embedded' ? defaultDatabase(env) : null;
}

/**
 * The workplans some commit between the settled head and `commit` changed, even to change them
 * back; null when `commit` does not descend from the settled head. Every other workplan is the
 * same at both ends and its lines come from the settled history the hub has heard of. A file
 * equal at both ends is not enough: a status set and set back in between is a line the hub never
 * saw, and a later hub change must not be taken for older than it.
 */
async function workplansTouchedSince(cwd: string, state: HookState, commit: string): Promise<string[] | null> {
  if (commit === state.head) return [];
  const [descends, touching] = await Promise.all([
    gitAnswer(cwd, ['merge-base', '--is-ancestor', state.head, commit]),
    // Every commit that differs from any of its parents (-m: a merge against each), renames as delete and add.
    gitAnswer(cwd, ['log', '--full-history', '-m', '--no-renames', '--format=', '--name-only', '-z', commit, `^${state.head}`, '--', ...state.pathspec]),
  ]);
  return descends.ok && touching.ok ? [...new Set(touching.stdout.split('\0').filter((name) => name.trim() !== ''))] : null;
}
