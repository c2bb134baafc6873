import { chmod, lstat, mkdir, readdir, readlink, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { readIfExists } from '../read-if-exists.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { git, GitError, noRepositoryAt } from '../git/run.js';
import { execa } from 'execa';
import { callsFrom, detectManager, type HookManager, managerCommand, managerOfHookFile, snippet, withCalls, withoutCalls } from './managers.js';
import { writeJsonFile } from '../clone/json-file.js';
import { packageFile } from '../package-files.js';
import { loadConfig } from '../config.js';
import { installMergeDriver, uninstallMergeDriver } from './merge-setup.js';
import { shimText, shimValue } from './shim-text.js';

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
const NEWLINE_NOTE = '# (custodian-hooks ended the line above; uninstall takes the newline back)';

export interface HookPlace {
  top: string;
  commonDir: string;
  /** Where git runs hooks from (core.hooksPath respected). */
  hooksDir: string;
  /** `.husky` when husky v9 owns core.hooksPath. */
  huskyDir: string | null;
  /**
   * core.hooksPath when it is a folder of the working tree that git does not ignore (`.githooks`,
   * husky before v9's `.husky`): the team's hooks, committed. Install writes nothing there.
   */
  teamDir: string | null;
}

export async function locateHooks(cwd: string): Promise<HookPlace> {
  let out: string;
  try {
    out = await git(cwd, ['rev-parse', '--is-bare-repository', '--path-format=absolute', '--git-common-dir', '--git-path', 'hooks']);
  } catch (error) {
    if (error instanceof GitError) throw new UserError(noRepositoryAt(cwd), 2, { cause: error });
    throw error;
  }
  const [bare, commonDir, hooksDir] = out.trimEnd().split('\n') as [string, string, string];
  if (bare === 'true') throw new UserError(`${cwd} is a bare repository: hooks run in working trees, so install them in a clone`);
  const top = (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
  const huskyDir = existsSync(path.join(hooksDir, 'h')) && path.basename(hooksDir) === '_' ? path.dirname(hooksDir) : null;
  const teamDir = !huskyDir && within(top, hooksDir) && !within(commonDir, hooksDir) && !(await ignored(top, hooksDir)) ? hooksDir : null;
  return { top, commonDir, hooksDir, huskyDir, teamDir };
}

const within = (dir: string, file: string) => {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
};

/** Whether git ignores a file in `dir`: a folder of the working tree that is this clone's own. */
const ignored = (top: string, dir: string) =>
  git(top, ['check-ignore', '-q', '--no-index', '--', path.relative(top, path.join(dir, HOOKS[0]))]).then(
    () => true,
    () => false,
  );

/** The CLI a hook should call: the repo's own dependency when there is one, else this package's. */
export function cliPath(top: string): string {
  const local = path.join(top, 'node_modules', 'custodian-hooks', 'dist', 'bundle', 'cli.cjs');
  return existsSync(local) ? local : packageFile('dist/bundle/cli.cjs');
}

const isShim = (text: string | null) => !!text?.includes(SHIM_MARK);

async function writeExecutable(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  await chmod(file, 0o755);
}

/** Where the real shims live when husky or a hook manager owns the hooks folder: inside the git dir, out of the tracked tree. */
const ownDir = (place: HookPlace) => path.join(place.commonDir, 'custodian-hooks');
const delegatedShim = (place: HookPlace, hook: HookName) => path.join(ownDir(place), hook);
/** The shims in the git dir, for a hooks folder that is not ours to write: another tool's config or the team's hooks call them. */
async function writeDelegatedShims(place: HookPlace, node: string, cli: string): Promise<void> {
  for (const hook of HOOKS) await writeExecutable(delegatedShim(place, hook), await shimText('hooks/shim.sh', { HOOK: hook, NODE: node, CLI: cli }));
}

/** What install changed in a hook manager's config, to put back byte for byte on uninstall. */
const managerRecord = (place: HookPlace) => path.join(ownDir(place), 'manager.json');
interface ManagerRecord {
  file: string;
  before: string | null;
  after: string;
  /** The line install added to .git/info/exclude for a local config it created, if any. */
  excluded: string | null;
  /** Hooks that had no file until the manager wrote one for our calls: uninstall takes those files away again. */
  createdHooks: HookName[];
}

/** The line a hook another tool or the team owns runs ours with: nothing in it names this machine, and a clone without the shim goes on. */
const callLine = (hook: HookName) => `shim="$(git rev-parse --git-common-dir)/custodian-hooks/${hook}"; [ -x "$shim" ] && "$shim" "$@" || true`;

function huskyBlock(hook: HookName, created: boolean, newlineAdded: boolean): string {
  return [BLOCK_START, ...(created ? [CREATED_NOTE] : []), ...(newlineAdded ? [NEWLINE_NOTE] : []), callLine(hook), BLOCK_END, ''].join('\n');
}

/**
 * With core.hooksPath at a folder of the working tree, the shims go in the git dir and the
 * team's hooks, committed, are left as they are: a shim there would name this machine's paths in
 * a tracked file, and git would refuse the next pull that changes it. Each hook that does not
 * call ours yet gets a line saying what to add.
 */
async function installBesideTeamHooks(place: HookPlace, teamDir: string, node: string, cli: string): Promise<string[]> {
  await writeDelegatedShims(place, node, cli);
  const said = await removePlainShims(place);
  const relative = path.relative(place.top, teamDir);
  const missing: HookName[] = [];
  for (const hook of HOOKS) {
    if (callsOurs(await readIfExists(path.join(teamDir, hook)), hook)) said.push(`${hook}: called from ${path.join(relative, hook)}`);
    else missing.push(hook);
  }
  if (missing.length > 0)
    said.push(
      `core.hooksPath is ${relative}, a folder of the working tree: install writes nothing there. ` +
        `To run custodian-hooks, add its line to each of these hooks there (and commit them for the team):\n` +
        missing.map((hook) => `  ${path.join(relative, hook)}:  ${callLine(hook)}`).join('\n'),
    );
  return said;
}

/**
 * A hook that is a symbolic link into the hooks folder (`post-commit -> pre-push`, one script for
 * two hooks) would be written through: our shim for one hook would land on the other's file. A
 * relative link would point elsewhere once chained. Both are refused before anything is written,
 * with the links named; an absolute link to a script elsewhere is chained as any hook is.
 */
async function refuseLinkedHooks(place: HookPlace): Promise<void> {
  const links: string[] = [];
  for (const hook of HOOKS) {
    const file = path.join(place.hooksDir, hook);
    if (!(await lstat(file).catch(() => null))?.isSymbolicLink()) continue;
    const target = await readlink(file);
    if (!path.isAbsolute(target) || path.dirname(path.resolve(target)) === path.resolve(place.hooksDir)) links.push(`${hook} -> ${target}`);
  }
  if (links.length > 0)
    throw new UserError(
      `${links.join(', ')} in ${place.hooksDir}: a hook that is a symbolic link cannot be chained; make it a copy of its script (or a script that calls it) and install again. Nothing was installed`,
    );
}

/** Whether a hook file runs our shim for `hook`. */
const callsOurs = (text: string | null, hook: HookName) => !!text?.includes(`custodian-hooks/${hook}"`);

export interface InstallOptions {
  node?: string;
  cli?: string;
}

/** Puts the hooks and the merge driver in place; returns one line per step saying what it did. */
export async function install(cwd: string, options: InstallOptions = {}): Promise<string[]> {
  const place = await locateHooks(cwd);
  const node = options.node ?? process.execPath;
  const cli = options.cli ?? cliPath(place.top);
  const hooks = await installHooks(place, node, cli);
  return [...hooks, ...(await installMergeDriver(place, node, cli, await loadConfig(place.top)))];
}

async function installHooks(place: HookPlace, node: string, cli: string): Promise<string[]> {
  const manager = place.huskyDir ? null : await detectManager(place.top);
  if (manager) return installThroughManager(place, manager, node, cli);
  if (place.teamDir) return installBesideTeamHooks(place, place.teamDir, node, cli);
  await refuseLinkedHooks(place);
  const said: string[] = [];
  for (const hook of HOOKS) {
    const shim = await shimText('hooks/shim.sh', { HOOK: hook, NODE: node, CLI: cli });
    if (place.huskyDir) {
      await writeExecutable(delegatedShim(place, hook), shim);
      const userHook = path.join(place.huskyDir, hook);
      const existing = await readIfExists(userHook);
      if (existing?.includes(BLOCK_START)) {
        said.push(`${hook}: already called from ${path.relative(place.top, userHook)}`);
      } else {
        const newlineAdded = existing !== null && existing !== '' && !existing.endsWith('\n');
        await writeFile(userHook, (existing ?? '') + (newlineAdded ? '\n' : '') + huskyBlock(hook, existing === null, newlineAdded));
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

const readRecord = async (place: HookPlace): Promise<ManagerRecord | null> => {
  const text = await readIfExists(managerRecord(place));
  return text === null ? null : (JSON.parse(text) as ManagerRecord);
};

/** Keeps a local config install created out of `git status`, unless the repo ignores it already; returns the line added. */
async function excludeLocally(place: HookPlace, file: string): Promise<string | null> {
  const relative = path.relative(place.top, file);
  const ignored = await git(place.top, ['check-ignore', '-q', '--no-index', '--', relative]).then(
    () => true,
    () => false,
  );
  if (ignored) return null;
  const exclude = path.join(place.commonDir, 'info', 'exclude');
  const text = (await readIfExists(exclude)) ?? '';
  const line = `${text === '' || text.endsWith('\n') ? '' : '\n'}/${relative.split(path.sep).join('/')}\n`;
  await mkdir(path.dirname(exclude), { recursive: true });
  await writeFile(exclude, text + line);
  return line;
}

/** Runs the manager's own install, which writes the hooks from its config; a manager not found is a line saying what to run. */
async function applyManager(top: string, manager: HookManager): Promise<string> {
  const { file, args } = managerCommand(top, manager.name);
  const result = await execa(file, args, { cwd: top, reject: false, stdin: 'ignore', env: { SKIP_INSTALL_SIMPLE_GIT_HOOKS: undefined } });
  if (result.exitCode === 0) return `${manager.name}: hooks written from its config`;
  const reason = (result.stderr || result.stdout || (result as { shortMessage?: string }).shortMessage || '').toString().split('\n')[0];
  return `${manager.name} could not be run (${reason}): run npx ${[manager.name, ...args].join(' ')} to write the hooks`;
}

/**
 * With lefthook or simple-git-hooks, the shims go in the git dir and the manager's own config
 * calls them, so its next reinstall keeps them. Shims of an earlier plain install (or the
 * `.old` lefthook made of them) go.
 */
async function installThroughManager(place: HookPlace, manager: HookManager, node: string, cli: string): Promise<string[]> {
  await writeDelegatedShims(place, node, cli);
  const said = await removePlainShims(place);
  const relative = path.relative(place.top, manager.file);
  if (!manager.editable) {
    said.push(`${manager.name} owns the hooks here and ${relative} is code: add these hooks to it, then run npx ${manager.name}:\n${snippet(manager, HOOKS)}`);
    return said;
  }
  const before = await readIfExists(manager.file);
  const after = withCalls(manager, before, HOOKS);
  const previous = await readRecord(place);
  // A record of an earlier install still describes the original file while the file is as that install left it.
  const original = previous && previous.file === manager.file && previous.after === before ? previous : null;
  if (after !== before || !original) {
    const excluded = original ? original.excluded : before === null ? await excludeLocally(place, manager.file) : null;
    const createdHooks = original?.createdHooks ?? HOOKS.filter((hook) => !existsSync(path.join(place.hooksDir, hook)));
    await writeFile(manager.file, after);
    writeJsonFile(managerRecord(place), {
      file: manager.file,
      before: original ? original.before : before,
      after,
      excluded,
      createdHooks,
    } satisfies ManagerRecord);
  }
  said.push(`${HOOKS.join(', ')}: called from ${manager.name}'s ${relative}`, await applyManager(place.top, manager));
  return said;
}

/** Takes our shims out of the hooks folders, and the `.old` copies lefthook made of them; a chained hook goes back where it was. */
async function removePlainShims(place: HookPlace): Promise<string[]> {
  const said: string[] = [];
  const dirs = [...new Set([place.hooksDir, path.join(place.commonDir, 'hooks')])];
  for (const hook of HOOKS) {
    for (const dir of dirs) {
      const target = path.join(dir, hook);
      if (isShim(await readIfExists(`${target}.old`))) await rm(`${target}.old`);
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
  }
  return said;
}

/** Whether the manager's config (ours taken out) still has anything for `hook`. */
async function managerRunsHook(top: string, manager: HookManager | null, hook: HookName): Promise<boolean> {
  if (!manager) return false;
  if (manager.name === 'simple-git-hooks') return true; // it rewrites its own hooks from its config just below
  const { file, args } = { file: managerCommand(top, 'lefthook').file, args: ['dump', '--format', 'json'] };
  const dump = await execa(file, args, { cwd: top, reject: false, stdin: 'ignore' });
  if (dump.exitCode !== 0) return true;
  return Object.hasOwn(JSON.parse(String(dump.stdout)) as object, hook);
}

/** Takes our calls out of a manager's config: byte for byte as it was when the file is as install left it. */
async function removeFromManager(place: HookPlace): Promise<string[]> {
  const manager = await detectManager(place.top);
  const record = await readRecord(place);
  if (!manager?.editable && !record) return [];
  const file = record?.file ?? manager!.file;
  const current = await readIfExists(file);
  let next: string | null = current;
  if (record && current === record.after) next = record.before;
  else if (current !== null && manager && manager.file === file) next = withoutCalls(manager, current, HOOKS) ?? (record?.before === null ? null : '');
  if (next === current) return [];
  if (next === null) await rm(file, { force: true });
  else await writeFile(file, next);
  if (record?.excluded) {
    const exclude = path.join(place.commonDir, 'info', 'exclude');
    const text = await readIfExists(exclude);
    if (text?.endsWith(record.excluded)) await writeFile(exclude, text.slice(0, -record.excluded.length));
  }
  const said = [`calls removed from ${path.relative(place.top, file)}`];
  // Hook files the manager wrote only to call us: left alone only if its config now runs something there itself.
  for (const hook of record?.createdHooks ?? []) {
    const hookFile = path.join(place.hooksDir, hook);
    if (managerOfHookFile(await readIfExists(hookFile)) && !(await managerRunsHook(place.top, manager, hook))) await rm(hookFile);
  }
  // simple-git-hooks rewrites its hooks from the config as it is now; lefthook's hooks call lefthook, which no longer runs us.
  if (manager?.name === 'simple-git-hooks') said.push(await applyManager(place.top, manager));
  return said;
}

/** Removes what install added, and only that: hooks, calls in another tool's config, and this clone's own records. */
export async function uninstall(cwd: string): Promise<string[]> {
  const place = await locateHooks(cwd);
  const said = [...(await removePlainShims(place)), ...(await removeFromManager(place)), ...(await uninstallMergeDriver(place))];
  for (const hook of HOOKS) {
    if (!place.huskyDir) continue;
    const userHook = path.join(place.huskyDir, hook);
    const text = await readIfExists(userHook);
    const start = text?.indexOf(BLOCK_START) ?? -1;
    if (text && start !== -1) {
      const end = text.indexOf(BLOCK_END, start) + BLOCK_END.length + 1;
      const block = text.slice(start, end);
      const before = block.includes(NEWLINE_NOTE) ? text.slice(0, start).replace(/\n$/, '') : text.slice(0, start);
      if (block.includes(CREATED_NOTE) && text.slice(0, start).trim() === '' && text.slice(end).trim() === '') await rm(userHook);
      else await writeFile(userHook, before + text.slice(end));
      said.push(`${hook}: removed from ${path.relative(place.top, userHook)}`);
    }
  }
  if (existsSync(ownDir(place))) {
    await rm(ownDir(place), { recursive: true, force: true });
    said.push(`${path.relative(place.top, ownDir(place))}: this clone's shims and records removed`);
  }
  // Each linked worktree keeps its own run state and records in its own git dir.
  const worktrees = path.join(place.commonDir, 'worktrees');
  for (const worktree of await readdir(worktrees).catch(() => [])) {
    const own = path.join(worktrees, worktree, 'custodian-hooks');
    if (!existsSync(own)) continue;
    await rm(own, { recursive: true, force: true });
    said.push(`${path.relative(place.top, own)}: worktree ${worktree}'s records removed`);
  }
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

async function executable(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => (s.mode & 0o111) !== 0,
    () => false,
  );
}

/** Whether each hook would fire, and what it would call. */
export async function hookStatus(cwd: string): Promise<{ place: HookPlace; manager: HookManager | null; hooks: HookStatus[] }> {
  const place = await locateHooks(cwd);
  const manager = place.huskyDir ? null : await detectManager(place.top);
  const hooks: HookStatus[] = [];
  for (const hook of HOOKS) {
    let shimFile = path.join(place.hooksDir, hook);
    let problem: string | null = null;
    const inHooksDir = await readIfExists(shimFile);
    if (manager) {
      shimFile = delegatedShim(place, hook);
      const relative = path.relative(place.top, manager.file);
      if (!callsFrom(manager, await readIfExists(manager.file), hook))
        problem = `${manager.name} owns the hooks here, and ${relative} does not call custodian-hooks from ${hook}: run custodian-hooks install`;
      else if (managerOfHookFile(inHooksDir) !== manager.name)
        problem = `${relative} calls custodian-hooks, but ${manager.name} has not written ${hook} into ${place.hooksDir}: run npx ${manager.name}${manager.name === 'lefthook' ? ' install' : ''}`;
    } else if (place.huskyDir) {
      const userHook = await readIfExists(path.join(place.huskyDir, hook));
      shimFile = delegatedShim(place, hook);
      if (!userHook?.includes(BLOCK_START))
        problem = `husky runs hooks from ${path.relative(place.top, place.hooksDir)}, and .husky/${hook} does not call custodian-hooks: run custodian-hooks install`;
    } else if (place.teamDir) {
      shimFile = delegatedShim(place, hook);
      const teamHook = path.relative(place.top, path.join(place.teamDir, hook));
      if (!callsOurs(inHooksDir, hook))
        problem = `core.hooksPath is a folder of the working tree, and ${teamHook} does not call custodian-hooks: add ${callLine(hook)}`;
    }
    const text = await readIfExists(shimFile);
    if (!isShim(text)) {
      const elsewhere = isShim(await readIfExists(path.join(place.commonDir, 'hooks', hook)));
      const takenBy = manager ? null : managerOfHookFile(inHooksDir);
      const renamed = isShim(await readIfExists(path.join(place.hooksDir, `${hook}.old`)));
      problem ??= takenBy
        ? `${takenBy} took this hook over${renamed ? ` and renamed ours to ${hook}.old, which it never runs` : ''}: run custodian-hooks install to be called from its config`
        : elsewhere
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
  return { place, manager, hooks };
}

export async function listChained(place: HookPlace): Promise<string[]> {
  return readdir(path.join(place.hooksDir, CHAINED)).catch(() => []);
}
