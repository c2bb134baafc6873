import { execa } from 'execa';

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
// by cwd instead, so those must not leak in.
const GIT_ENV_TO_DROP = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_PREFIX', 'GIT_OBJECT_DIRECTORY'];
function cleanEnv(extra: Record<string, string> | undefined): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', ...extra };
  for (const name of GIT_ENV_TO_DROP) if (!extra?.[name]) env[name] = undefined;
  return env;
}

async function spawn(cwd: string, args: readonly string[], options: GitOptions, encoding: 'utf8' | 'buffer') {
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
