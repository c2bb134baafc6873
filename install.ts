import { chmod, mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from './src/errors.js';
import { git, GitError } from './src/git.js';
import { packageFile } from './src/package-files.js';

/**
 * `install`, `uninstall` and `doctor`: the hooks' place in a repo. Another tool's hook is never
 * overwritten or deleted: it moves into `.custodian-chained/` beside ours and keeps running
 * first (its exit code still decides a push); uninstall moves it back byte for byte. With
 * husky (core.hooksPath at `.husky/_`), a marked block goes into `.husky/<hook>` instead.
 */
export const HOOKS = ['post-merge', 'post-rewrite', 'pre-push', 'post-commit'] as const;
export type HookName = (typeof HOOKS)[number];

const SHIM_MARK = '# custodian-hooks shim:';
const CHAINED = '.custodian-chained';
const BLOCK_START = '# >>> custodian-hooks >>>';
const BLOCK_END = '# <<< custodian-hooks <<<';
const CREATED_NOTE = '# (custodian-hooks created this file; uninstall removes it)';

export interface HookPlace {
  top: string;
  commonDir: string;
  /** Where git runs hooks from (core.hooksPath respected). */
  hooksDir: string;
  /** `.husky` when husky v9 owns core.hooksPath. */
  huskyDir: string | null;
}

export async function locateHooks(cwd: string): Promise<HookPlace> {
  let out: string;
  try {
    out = await git(cwd, ['rev-parse', '--is-bare-repository', '--path-format=absolute', '--git-common-dir', '--git-path', 'hooks']);
  } catch (error) {
    if (error instanceof GitError) throw new UserError(`not inside a git repository: ${cwd}`, 2, { cause: error });
    throw error;
  }
  const [bare, commonDir, hooksDir] = out.trimEnd().split('\n') as [string, string, string];
  if (bare === 'true') throw new UserError(`${cwd} is a bare repository: hooks run in working trees, so install them in a clone`);
  const top = (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
  const huskyDir = existsSync(path.join(hooksDir, 'h')) && path.basename(hooksDir) === '_' ? path.dirname(hooksDir) : null;
  return { top, commonDir, hooksDir, huskyDir };
}

/** The CLI a hook should call: the repo's own dependency when there is one, else this package's. */
export function cliPath(top: string): string {
  const local = path.join(top, 'node_modules', 'custodian-hooks', 'dist', 'bundle', 'cli.cjs');
  return existsSync(local) ? local : packageFile('dist/bundle/cli.cjs');
}

async function shimText(hook: HookName, node: string, cli: string): Promise<string> {
  const template = await readFile(packageFile('hooks/shim.sh'), 'utf8');
  const quoted = (s: string) => s.replace(/["\\$`]/g, '\\$&');
  return template.replaceAll('@HOOK@', hook).replaceAll('@NODE@', quoted(node)).replaceAll('@CLI@', quoted(cli));
}

const readIfExists = (file: string) => readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : Promise.reject(error)));
const isShim = (text: string | null) => !!text?.includes(SHIM_MARK);

async function writeExecutable(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  await chmod(file, 0o755);
}

/** Where husky mode keeps the real shims: inside the git dir, out of the tracked tree. */
const huskyShim = (place: HookPlace, hook: HookName) => path.join(place.commonDir, 'custodian-hooks', hook);

function huskyBlock(hook: HookName, created: boolean): string {
  return [
    BLOCK_START,
    ...(created ? [CREATED_NOTE] : []),
    `shim="$(git rev-parse --git-common-dir)/custodian-hooks/${hook}"; [ -x "$shim" ] && "$shim" "$@" || true`,
    BLOCK_END,
    '',
  ].join('\n');
}

export interface InstallOptions {
  node?: string;
  cli?: string;
}

/** Puts the hooks in place; returns one line per hook saying what it did. */
export async function install(cwd: string, options: InstallOptions = {}): Promise<string[]> {
  const place = await locateHooks(cwd);
  const node = options.node ?? process.execPath;
  const cli = options.cli ?? cliPath(place.top);
  const said: string[] = [];
  for (const hook of HOOKS) {
    const shim = await shimText(hook, node, cli);
    if (place.huskyDir) {
      await writeExecutable(huskyShim(place, hook), shim);
      const userHook = path.join(place.huskyDir, hook);
      const existing = await readIfExists(userHook);
      if (existing?.includes(BLOCK_START)) {
        said.push(`${hook}: already called from ${path.relative(place.top, userHook)}`);
      } else {
        const prefix = existing === null ? '' : existing.endsWith('\n') || existing === '' ? existing : `${existing}\n`;
        await writeFile(userHook, prefix + huskyBlock(hook, existing === null));
        said.push(`${hook}: called from husky's ${path.relative(place.top, userHook)}`);
      }
      continue;
    }
    const target = path.join(place.hooksDir, hook);
    const existing = await readIfExists(target);
    if (existing !== null && !isShim(existing)) {
      const chained = path.join(place.hooksDir, CHAINED, hook);
      if (existsSync(chained)) throw new UserError(`${target} is another tool's hook, and ${chained} is taken already; move one of them and install again`);
      await mkdir(path.dirname(chained), { recursive: true });
      await rename(target, chained);
      said.push(`${hook}: installed; the hook that was there still runs first`);
    } else {
      said.push(`${hook}: ${existing === null ? 'installed' : 'updated'}`);
    }
    await writeExecutable(target, shim);
  }
  return said;
}

/** Removes what install added, and only that; a chained hook goes back where it was. */
export async function uninstall(cwd: string): Promise<string[]> {
  const place = await locateHooks(cwd);
  const said: string[] = [];
  const dirs = [...new Set([place.hooksDir, path.join(place.commonDir, 'hooks')])];
  for (const hook of HOOKS) {
    for (const dir of dirs) {
      const target = path.join(dir, hook);
      if (!isShim(await readIfExists(target))) continue;
      const chained = path.join(dir, CHAINED, hook);
      if (existsSync(chained)) {
        await rename(chained, target);
        said.push(`${hook}: removed; the earlier hook is back`);
      } else {
        await rm(target);
        said.push(`${hook}: removed`);
      }
      await rmdir(path.join(dir, CHAINED)).catch(() => undefined);
    }
    if (place.huskyDir) {
      const userHook = path.join(place.huskyDir, hook);
      const text = await readIfExists(userHook);
      const start = text?.indexOf(BLOCK_START) ?? -1;
      if (text && start !== -1) {
        const end = text.indexOf(BLOCK_END, start) + BLOCK_END.length + 1;
        const block = text.slice(start, end);
        if (block.includes(CREATED_NOTE) && text.slice(0, start).trim() === '' && text.slice(end).trim() === '') await rm(userHook);
        else await writeFile(userHook, text.slice(0, start) + text.slice(end));
        said.push(`${hook}: removed from ${path.relative(place.top, userHook)}`);
      }
    }
    await rm(huskyShim(place, hook), { force: true });
  }
  await rmdir(path.join(place.commonDir, 'custodian-hooks')).catch(() => undefined);
  if (said.length === 0) said.push('no custodian-hooks hooks were installed here');
  return said;
}

export interface HookStatus {
  hook: HookName;
  fires: boolean;
  where: string | null;
  node: string | null;
  cli: string | null;
  problem: string | null;
}

const shimValue = (text: string, name: string) => new RegExp(`^${name}="(.*)"$`, 'm').exec(text)?.[1]?.replace(/\\(.)/g, '$1') ?? null;

async function executable(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => (s.mode & 0o111) !== 0,
    () => false,
  );
}

/** Whether each hook would fire, and what it would call. */
export async function hookStatus(cwd: string): Promise<{ place: HookPlace; hooks: HookStatus[] }> {
  const place = await locateHooks(cwd);
  const hooks: HookStatus[] = [];
  for (const hook of HOOKS) {
    let shimFile = path.join(place.hooksDir, hook);
    let problem: string | null = null;
    if (place.huskyDir) {
      const userHook = await readIfExists(path.join(place.huskyDir, hook));
      shimFile = huskyShim(place, hook);
      if (!userHook?.includes(BLOCK_START))
        problem = `husky runs hooks from ${path.relative(place.top, place.hooksDir)}, and .husky/${hook} does not call custodian-hooks: run custodian-hooks install`;
    }
    const text = await readIfExists(shimFile);
    if (!isShim(text)) {
      const elsewhere = isShim(await readIfExists(path.join(place.commonDir, 'hooks', hook)));
      problem ??= elsewhere
        ? `installed in .git/hooks, but core.hooksPath makes git run hooks from ${place.hooksDir}: run custodian-hooks install again`
        : 'not installed: run custodian-hooks install';
      hooks.push({ hook, fires: false, where: null, node: null, cli: null, problem });
      continue;
    }
    const node = shimValue(text!, 'node');
    const cli = shimValue(text!, 'cli');
    if (!problem && !(await executable(shimFile))) problem = `${shimFile} is not executable`;
    if (!problem && node && !existsSync(node)) problem = `node ${node} is gone; the hook falls back to the node on PATH`;
    if (!problem && cli && !existsSync(cli)) problem = `${cli} is gone; the hook falls back to custodian-hooks on PATH`;
    const fatal = problem !== null && !/falls back/.test(problem);
    hooks.push({ hook, fires: !fatal, where: shimFile, node, cli, problem });
  }
  return { place, hooks };
}

export async function listChained(place: HookPlace): Promise<string[]> {
  return readdir(path.join(place.hooksDir, CHAINED)).catch(() => []);
}
