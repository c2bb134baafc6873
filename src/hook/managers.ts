import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, parseDocument, type YAMLMap } from 'yaml';
import { UserError } from '../errors.js';
import { yamlReason } from '../yaml-reason.js';

/**
 * Hook managers that rewrite the hooks folder from their own configuration: lefthook renames a
 * hook it does not own to `<hook>.old` (and never runs it), simple-git-hooks deletes every hook
 * not in its config. Chaining beside them cannot last, so custodian-hooks joins their
 * configuration instead: a call to its shim, kept in the git dir, from each of the three hooks.
 */
export type ManagerName = 'lefthook' | 'simple-git-hooks';

export interface HookManager {
  name: ManagerName;
  /** The file that gets the calls: lefthook's per-clone local config, or simple-git-hooks' JSON config. */
  file: string;
  /** simple-git-hooks' config as a key of package.json rather than a file of its own. */
  inPackageJson: boolean;
  /** A JavaScript config cannot be edited safely: the calls are printed for the user to add. */
  editable: boolean;
}

const LEFTHOOK_CONFIGS = [
  'lefthook.yml',
  '.lefthook.yml',
  'lefthook.yaml',
  '.lefthook.yaml',
  '.config/lefthook.yml',
  '.config/lefthook.yaml',
  'lefthook.toml',
  '.lefthook.toml',
  'lefthook.json',
  '.lefthook.json',
];
const LEFTHOOK_LOCALS = [
  'lefthook-local.yml',
  '.lefthook-local.yml',
  'lefthook-local.yaml',
  '.lefthook-local.yaml',
  '.config/lefthook-local.yml',
  '.config/lefthook-local.yaml',
];
const SGH_JSON = ['.simple-git-hooks.json', 'simple-git-hooks.json'];
const SGH_JS = [
  '.simple-git-hooks.cjs',
  'simple-git-hooks.cjs',
  '.simple-git-hooks.js',
  'simple-git-hooks.js',
  '.simple-git-hooks.mjs',
  'simple-git-hooks.mjs',
];

/** The job's name in lefthook's config, and the mark on simple-git-hooks' line. */
export const JOB = 'custodian-hooks';
/** Where the real shim lives when a manager (or husky) owns the hooks folder: in the git dir, out of the tree. */
const shimPath = (hook: string) => `"$(git rev-parse --git-common-dir)/custodian-hooks/${hook}"`;

/**
 * lefthook runs `run` with `sh -c` and puts git's arguments where `{0}` is; the shim never fails,
 * and a clone whose shim is gone (uninstalled, not yet installed) does nothing.
 */
const lefthookRun = (hook: string) => `shim=${shimPath(hook)}; [ -x "$shim" ] && "$shim" {0} || true`;

/**
 * simple-git-hooks writes the command as the hook's body: `"$@"` and stdin are git's. Appended
 * after a team's own command, it keeps that command's exit code, which decides a push.
 */
const sghLine = (hook: string) => `status=$?; shim=${shimPath(hook)}; [ -x "$shim" ] && "$shim" "$@"; exit $status # ${JOB}`;

const firstExisting = (top: string, names: readonly string[]) => names.map((n) => path.join(top, n)).find((f) => existsSync(f));

async function packageJsonHasSgh(top: string): Promise<boolean> {
  const text = await readFile(path.join(top, 'package.json'), 'utf8').catch(() => null);
  if (text === null) return false;
  try {
    return Object.hasOwn(JSON.parse(text) as object, 'simple-git-hooks');
  } catch {
    return false;
  }
}

/** The manager this repo is configured for, if any; lefthook first, as its reinstall is the one that runs on every `npm install`. */
export async function detectManager(top: string): Promise<HookManager | null> {
  if (firstExisting(top, LEFTHOOK_CONFIGS)) {
    const file = firstExisting(top, LEFTHOOK_LOCALS) ?? path.join(top, 'lefthook-local.yml');
    return { name: 'lefthook', file, inPackageJson: false, editable: true };
  }
  if (await packageJsonHasSgh(top)) return { name: 'simple-git-hooks', file: path.join(top, 'package.json'), inPackageJson: true, editable: true };
  const json = firstExisting(top, SGH_JSON);
  if (json) return { name: 'simple-git-hooks', file: json, inPackageJson: false, editable: true };
  const js = firstExisting(top, SGH_JS);
  if (js) return { name: 'simple-git-hooks', file: js, inPackageJson: false, editable: false };
  return null;
}

/** What to add by hand where the config cannot be edited. */
export function snippet(manager: HookManager, hooks: readonly string[]): string {
  if (manager.name === 'lefthook') return hooks.map((h) => `${h}:\n  commands:\n    ${JOB}:\n      run: '${lefthookRun(h)}'\n`).join('');
  return hooks.map((h) => `  '${h}': ${JSON.stringify(sghLine(h))},`).join('\n');
}

function lefthookDoc(text: string | null, file: string) {
  const doc = parseDocument(text ?? '');
  if (doc.errors.length > 0) throw new UserError(`${file}: not valid YAML (${yamlReason(doc.errors[0]!.message, true)}); fix it, then install again`);
  if (doc.contents !== null && !isMap(doc.contents)) throw new UserError(`${file}: not a mapping of hooks; fix it, then install again`);
  return doc;
}

const STDIN_HOOKS = new Set(['pre-push', 'post-rewrite']);

function withLefthookCalls(text: string | null, file: string, hooks: readonly string[]): string {
  const doc = lefthookDoc(text, file);
  for (const hook of hooks) {
    if (doc.getIn([hook, 'commands', JOB, 'run']) === lefthookRun(hook)) continue;
    doc.setIn([hook, 'commands', JOB], doc.createNode({ run: lefthookRun(hook), ...(STDIN_HOOKS.has(hook) ? { use_stdin: true } : {}) }));
  }
  // One line per command, as a person writes it: no folding of the long shell line.
  return doc.toString({ lineWidth: 0 });
}

function withoutLefthookCalls(text: string, file: string, hooks: readonly string[]): string | null {
  const doc = lefthookDoc(text, file);
  for (const hook of hooks) {
    doc.deleteIn([hook, 'commands', JOB]);
    if ((doc.getIn([hook, 'commands']) as YAMLMap | undefined)?.items.length === 0) doc.deleteIn([hook, 'commands']);
    if ((doc.get(hook) as YAMLMap | undefined)?.items.length === 0) doc.delete(hook);
  }
  return (doc.contents as YAMLMap | null)?.items.length ? doc.toString({ lineWidth: 0 }) : null;
}

/** The JSON text with `edit` applied to the simple-git-hooks object, in the file's own indentation. */
function editSgh(text: string | null, manager: HookManager, edit: (config: Record<string, unknown>) => void): string {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text ?? '{}') as Record<string, unknown>;
  } catch (error) {
    throw new UserError(`${manager.file}: not valid JSON (${(error as Error).message}); fix it, then install again`);
  }
  if (manager.inPackageJson) json['simple-git-hooks'] ??= {};
  edit((manager.inPackageJson ? json['simple-git-hooks'] : json) as Record<string, unknown>);
  const indent = /^[ \t]+(?=")/m.exec(text ?? '')?.[0] ?? '  ';
  return `${JSON.stringify(json, null, indent)}${text === null || text.endsWith('\n') ? '\n' : ''}`;
}

/** The config with a call to the shim from each hook; calls already there are left alone. */
export function withCalls(manager: HookManager, text: string | null, hooks: readonly string[]): string {
  if (manager.name === 'lefthook') return withLefthookCalls(text, manager.file, hooks);
  return editSgh(text, manager, (config) => {
    for (const hook of hooks) {
      const line = sghLine(hook);
      const current = config[hook];
      if (typeof current === 'string' && current.includes(line)) continue;
      config[hook] = typeof current === 'string' && current.trim() !== '' ? `${current}\n${line}` : line;
    }
  });
}

/** The config without our calls; null when nothing else is left in a file install created. */
export function withoutCalls(manager: HookManager, text: string, hooks: readonly string[]): string | null {
  if (manager.name === 'lefthook') return withoutLefthookCalls(text, manager.file, hooks);
  return editSgh(text, manager, (config) => {
    for (const hook of hooks) {
      const current = config[hook];
      if (typeof current !== 'string') continue;
      const line = sghLine(hook);
      if (current === line) delete config[hook];
      else config[hook] = current.replace(`\n${line}`, '');
    }
  });
}

/** Whether the config calls the shim from `hook`. */
export function callsFrom(manager: HookManager, text: string | null, hook: string): boolean {
  if (text === null) return false;
  return manager.name === 'lefthook'
    ? text.includes(`${JOB}:`) && text.includes(`custodian-hooks/${hook}"`)
    : text.includes(JSON.stringify(sghLine(hook)).slice(1, -1));
}

/** A hook file a manager wrote, by the marks its templates carry. */
export function managerOfHookFile(text: string | null): ManagerName | null {
  if (!text) return null;
  if (text.includes('call_lefthook') || /\blefthook\b.*\brun\b/.test(text)) return 'lefthook';
  if (text.includes('SKIP_SIMPLE_GIT_HOOKS')) return 'simple-git-hooks';
  return null;
}

/** The manager's own command, from the repo's dependencies or the PATH: it writes the hooks from its config. */
export function managerCommand(top: string, name: ManagerName): { file: string; args: string[] } {
  const local = path.join(top, 'node_modules', '.bin', name);
  return { file: existsSync(local) ? local : name, args: name === 'lefthook' ? ['install'] : [] };
}
