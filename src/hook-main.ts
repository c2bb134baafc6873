import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { repoEtag } from './hub/etag.js';
import { hubLocation } from './hub/location.js';
import { readHookState, writeHookState, type HookState } from './hook-state.js';
import { pushedRefs } from './pushed-refs.js';

/**
 * `run --hook NAME [-C DIR] [-- ARGS]`, as the shims call it. First the fast path: when no commit
 * since the last settled run's touched a workplan and the hub still has the same ETag, there is
 * nothing to do and nothing more is loaded. Otherwise the full hook runs.
 * It never fails the git operation.
 */
export async function hookMain(args: string[]): Promise<number> {
  const hook = args[args.indexOf('--hook') + 1] ?? '';
  const cwdAt = args.indexOf('-C');
  const cwd = cwdAt === -1 ? process.cwd() : path.resolve(args[cwdAt + 1] ?? '.');
  const rest = args.includes('--') ? args.slice(args.indexOf('--') + 1) : [];
  const stdin = hook === 'pre-push' || hook === 'post-rewrite' ? readStdin() : '';
  try {
    if (process.env.CUSTODIAN_DEBUG !== '1' && (await nothingToDo(hook, cwd, stdin, hubLocation()))) return 0;
  } catch {
    // Any doubt: take the full path, which says what is wrong.
  }
  const { runHook } = await import('./commands/hook.js');
  return runHook(hook, rest, cwd, stdin, (line) => process.stderr.write(`${line}\n`));
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

/** True when the last settled run against `hub` still holds for what this hook would reconcile. */
export async function nothingToDo(hook: string, cwd: string, stdin: string, hub: string): Promise<boolean> {
  if (hook !== 'post-merge' && hook !== 'pre-push') return false;
  const located = gitSays(cwd, ['rev-parse', '--absolute-git-dir', 'HEAD']);
  // While git answers, load what reading this hub takes.
  const hubUnchanged = hubCheck(hub);
  const { ok, stdout } = await located;
  const [gitDir, head] = stdout.trim().split('\n') as [string, string];
  const state = ok ? readHookState(gitDir) : null;
  if (!state || state.hub !== hub || !hubUnchanged) return false;
  // pre-push reconciles the commits being pushed, post-merge HEAD. The git checks run while
  // this process reads the hub.
  const commits = hook === 'pre-push' ? pushedRefs(stdin).map((ref) => ref.commit) : [head];
  const untouched = Promise.all(commits.map((commit) => workplansUntouchedSince(cwd, state, commit)));
  const hubSame = await hubUnchanged(state);
  if (!(await untouched).every(Boolean) || !hubSame) return false;
  if (hook === 'post-merge' && head !== state.head) writeHookState(gitDir, { ...state, head });
  return true;
}

/**
 * True when `commit` descends from the settled head and no commit in between changed a workplan,
 * not even to change it back: the lines at `commit` then all come from the settled history the
 * hub has heard of. Equal files at both ends are not enough; a status set and set back in between
 * is a line the hub never saw, and a later hub change must not be taken for older than it.
 */
async function workplansUntouchedSince(cwd: string, state: HookState, commit: string): Promise<boolean> {
  if (commit === state.head) return true;
  const [descends, touching] = await Promise.all([
    gitSays(cwd, ['merge-base', '--is-ancestor', state.head, commit]),
    // --full-history lists every commit that differs from any of its parents, merges included.
    gitSays(cwd, ['rev-list', '--full-history', '-n1', commit, `^${state.head}`, '--', ...state.pathspec]),
  ]);
  return descends.ok && touching.ok && touching.stdout.trim() === '';
}

function gitSays(cwd: string, args: string[]): Promise<{ ok: boolean; stdout: string }> {
  return new Promise((resolve) => execFile('git', args, { cwd, encoding: 'utf8' }, (error, stdout) => resolve({ ok: !error, stdout })));
}

/** How to tell whether the hub still has the settled ETag, or null for a hub the fast path cannot ask. */
function hubCheck(hub: string): ((state: HookState) => Promise<boolean>) | null {
  if (/^https?:\/\//.test(hub)) return httpNotModified;
  if (/^[a-z]+:\/\//.test(hub)) return null;
  // The native module costs a few milliseconds; the store and the rest of the CLI far more.
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3');
  return async (state) => {
    const db = new Database(state.hub, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT revision, created_at FROM repos WHERE slug = ?').get(state.slug) as { revision: number; created_at: string } | undefined;
      return repoEtag(row) === state.etag;
    } finally {
      db.close();
    }
  };
}

/** A conditional GET: 304 means the hub has not changed since the settled run. */
async function httpNotModified(state: HookState): Promise<boolean> {
  const url = new URL(`${state.hub.replace(/\/+$/, '')}/v1/repos/${encodeURIComponent(state.slug)}/tasks`);
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', headers: { 'if-none-match': state.etag }, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 304);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
