import { type ChildProcessByStdio, execFile, spawn as spawnProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** A git command that failed; `stderr` is git's own reason. */
export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed${exitCode === undefined ? '' : ` (exit ${exitCode})`}: ${stderr.trim() || 'no output'}`);
    this.name = 'GitError';
  }
}

export interface GitOptions {
  input?: string | Uint8Array;
  timeoutMs?: number;
  env?: Record<string, string>;
}

// Hooks run with GIT_DIR and friends pointing at the calling repo; every call here names its repo
// by cwd instead, so those must not leak in. No optional locks: `git status` would otherwise write
// the index back whenever its stat data is stale, holding index.lock while the user's next git
// command (or the command a post-merge hook follows) may want it.
const GIT_ENV_TO_DROP = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_PREFIX', 'GIT_OBJECT_DIRECTORY'];
function cleanEnv(extra: Record<string, string> | undefined): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', ...extra };
  for (const name of GIT_ENV_TO_DROP) if (!extra?.[name]) env[name] = undefined;
  return env;
}

/**
 * Why git found no repository at `cwd`. git runs here without the caller's GIT_DIR and
 * GIT_WORK_TREE (see cleanEnv): where one is set, the message says so, as it is then the reason.
 */
export function noRepositoryAt(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const set = ['GIT_DIR', 'GIT_WORK_TREE'].filter((name) => env[name]);
  const why =
    set.length === 0
      ? ''
      : ` (${set.join(' and ')} set: custodian-hooks finds the repository from the folder it runs in, as git's hooks do, and does not follow ${set.join(' or ')}; run it in a working tree that holds its .git)`;
  return `not inside a git repository: ${cwd}${why}`;
}

/** The caller's environment as `cleanEnv` leaves it, whole: for a runner that does not extend it itself. */
function wholeEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const [name, value] of Object.entries(cleanEnv(undefined))) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/**
 * git's answer without loading execa, for the hooks' fast path, which runs on every pull and push
 * and loads nothing it can spare: `ok` is false on any failure, which there only ever means
 * "take the full path", where `git` says what is wrong.
 */
export function gitAnswer(cwd: string, args: readonly string[]): Promise<{ ok: boolean; stdout: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, encoding: 'utf8', env: wholeEnv(), maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => resolve({ ok: !error, stdout }));
  });
}

/**
 * A git process that stays to answer requests on its stdin (`cat-file --batch`), in the same clean
 * environment as every other call. The caller owns its lifetime.
 */
export function gitProcess(cwd: string, args: readonly string[]): ChildProcessByStdio<Writable, Readable, Readable> {
  return spawnProcess('git', args, { cwd, env: wholeEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** execa, loaded on the first full call: the fast path shares this module and must not pay for it. */
const loadExeca = async () => (await import('execa')).execa;

async function spawn(cwd: string, args: readonly string[], options: GitOptions, encoding: 'utf8' | 'buffer') {
  const execa = await loadExeca();
  return execa('git', args, {
    cwd,
    reject: false,
    stripFinalNewline: false,
    encoding,
    env: cleanEnv(options.env),
    extendEnv: true,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
    ...(options.timeoutMs ? { timeout: options.timeoutMs, forceKillAfterDelay: 200 } : {}),
  });
}

/** Runs git and returns stdout; throws GitError on a non-zero exit. */
export async function git(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<string> {
  const result = await spawn(cwd, args, options, 'utf8');
  if (result.exitCode !== 0) throw new GitError(args, result.exitCode, String(result.stderr || result.message || ''));
  return String(result.stdout);
}

/** Runs git for a yes/no answer: exit 0 is yes, 1 is no, anything else throws. */
export async function gitTest(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<boolean> {
  const result = await spawn(cwd, args, options, 'utf8');
  if (result.exitCode === 0) return true;
  if (result.exitCode === 1) return false;
  throw new GitError(args, result.exitCode, String(result.stderr || result.message || ''));
}

/**
 * git's exit code and output, without loading execa: for a command whose code is an answer
 * (merge-file counts conflicts) on a path that must start quickly, as the merge driver's.
 */
export function gitOutcome(
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ exitCode: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const options = { cwd, encoding: 'buffer' as const, env: { ...wholeEnv(), ...env }, maxBuffer: 1 << 30 };
    execFile('git', args, options, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : 255) : 0;
      resolve({ exitCode, stdout, stderr: stderr.toString() });
    });
  });
}

/** Runs git and returns raw stdout bytes, for object contents. */
export async function gitBytes(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<Buffer> {
  const result = await spawn(cwd, args, options, 'buffer');
  if (result.exitCode !== 0) throw new GitError(args, result.exitCode, Buffer.from(result.stderr as Uint8Array).toString());
  return Buffer.from(result.stdout as Uint8Array);
}

/**
 * Runs git and hands its stdout to `read` chunk by chunk, until `read` says it has all it needs:
 * then git is stopped, the rest of its walk unspent. Throws GitError when git fails on its own.
 */
export async function gitUntil(cwd: string, args: readonly string[], options: GitOptions, read: (chunk: string) => boolean): Promise<void> {
  const execa = await loadExeca();
  const child = execa('git', args, {
    cwd,
    reject: false,
    buffer: { stdout: false, stderr: true },
    env: cleanEnv(options.env),
    extendEnv: true,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
  });
  let enough = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    if (enough) return;
    enough = read(chunk);
    if (enough) child.kill();
  });
  const result = await child;
  if (!enough && result.exitCode !== 0) throw new GitError(args, result.exitCode, String(result.stderr || result.message || ''));
}
