import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_WORKPLAN_GLOBS } from '../config-names.js';
import type { RepoConfig } from '../config.js';
import { git, GitError } from '../git/run.js';

/**
 * The merge driver's place in a clone (see merge/driver.ts): `merge.custodian-hooks.driver` in the
 * clone's config, calling the CLI by its install-time paths as the hooks do, and the workplans
 * marked `merge=custodian-hooks` in `.git/info/attributes` (or in a committed `.gitattributes`, when
 * the team chose it with `init --merge-attributes`). A clone without the driver configured merges
 * such files as text: git falls back to its own merge for a driver it does not know.
 */
export const DRIVER = 'custodian-hooks';
const SECTION = `merge.${DRIVER}`;
const BLOCK_START = '# >>> custodian-hooks merge driver >>>';
const BLOCK_END = '# <<< custodian-hooks merge driver <<<';
const CREATED_NOTE = '# (custodian-hooks created this file; uninstall removes it)';

const shellQuoted = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
// A pattern with a space, a quote or a backslash is written in C-style quotes, which gitattributes reads.
const patternText = (glob: string) => (/[\s"\\]/.test(glob) ? JSON.stringify(glob) : glob);

/** The attributes block for the workplan globs: the driver for them, none for what the config excludes. */
export function attributesBlock(config: Pick<RepoConfig, 'workplans' | 'exclude'>, created = false): string {
  return [
    BLOCK_START,
    ...(created ? [CREATED_NOTE] : []),
    ...(config.workplans ?? DEFAULT_WORKPLAN_GLOBS).map((glob) => `${patternText(glob)} merge=${DRIVER}`),
    ...(config.exclude ?? []).map((glob) => `${patternText(glob)} !merge`),
    BLOCK_END,
    '',
  ].join('\n');
}

/** `text` with the block in place of an older one, or appended; null when it already holds this block. */
export function withAttributesBlock(text: string | null, block: string): string | null {
  const existing = text === null ? -1 : text.indexOf(BLOCK_START);
  if (text !== null && existing !== -1) {
    const end = text.indexOf(BLOCK_END, existing) + BLOCK_END.length + 1;
    const kept = text.slice(existing, end).includes(CREATED_NOTE) ? block.replace(`${BLOCK_START}\n`, `${BLOCK_START}\n${CREATED_NOTE}\n`) : block;
    return text.slice(existing, end) === kept ? null : text.slice(0, existing) + kept + text.slice(end);
  }
  const base = text ?? '';
  return base + (base === '' || base.endsWith('\n') ? '' : '\n') + block;
}

/** `text` without the block; null when it held none. Empty, when the block was all and its file ours. */
function withoutAttributesBlock(text: string): { text: string; removeFile: boolean } | null {
  const start = text.indexOf(BLOCK_START);
  if (start === -1) return null;
  const end = text.indexOf(BLOCK_END, start) + BLOCK_END.length + 1;
  const rest = text.slice(0, start) + text.slice(end);
  return { text: rest, removeFile: text.slice(start, end).includes(CREATED_NOTE) && rest.trim() === '' };
}

const readIfExists = (file: string) => readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : Promise.reject(error)));
const infoAttributes = (commonDir: string) => path.join(commonDir, 'info', 'attributes');
const committedAttributes = (top: string) => path.join(top, '.gitattributes');

/** Configures the driver and marks the workplans; one line a step saying what it did. */
export async function installMergeDriver(place: { top: string; commonDir: string }, node: string, cli: string, config: RepoConfig): Promise<string[]> {
  const command = `${shellQuoted(node)} ${shellQuoted(cli)} merge-driver %O %A %B %L %P %S %X %Y`;
  await git(place.top, ['config', '--local', `${SECTION}.name`, 'custodian-hooks: status lines of workplans, as the hub would settle them']);
  await git(place.top, ['config', '--local', `${SECTION}.driver`, command]);
  const said = ['merge driver: configured for status-line conflicts in workplans'];
  if ((await readIfExists(committedAttributes(place.top)))?.includes(BLOCK_START))
    return [...said, 'merge driver: workplans marked in the committed .gitattributes'];
  const file = infoAttributes(place.commonDir);
  const before = await readIfExists(file);
  const after = withAttributesBlock(before, attributesBlock(config, before === null));
  if (after !== null) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, after);
  }
  return [...said, `merge driver: workplans marked in ${path.relative(place.top, file)}`];
}

/** Takes the driver's config and attributes away again, and nothing else. */
export async function uninstallMergeDriver(place: { top: string; commonDir: string }): Promise<string[]> {
  const said: string[] = [];
  const removed = await git(place.top, ['config', '--local', '--remove-section', SECTION]).then(
    () => true,
    (error: unknown) => (error instanceof GitError ? false : Promise.reject(error)),
  );
  if (removed) said.push('merge driver: removed from the clone config');
  const file = infoAttributes(place.commonDir);
  const text = await readIfExists(file);
  const without = text === null ? null : withoutAttributesBlock(text);
  if (without) {
    if (without.removeFile) await rm(file);
    else await writeFile(file, without.text);
    said.push(`merge driver: workplans unmarked in ${path.relative(place.top, file)}`);
  }
  return said;
}

/** What `doctor` says of the driver: the command git would run, and where the workplans are marked (null: nowhere). */
export async function mergeDriverStatus(place: { top: string; commonDir: string }): Promise<{ command: string | null; marked: string | null }> {
  const command = await git(place.top, ['config', '--local', '--get', `${SECTION}.driver`]).then(
    (out) => out.trim(),
    () => null,
  );
  const marked = [committedAttributes(place.top), infoAttributes(place.commonDir)];
  for (const file of marked) if ((await readIfExists(file))?.includes(BLOCK_START)) return { command, marked: path.relative(place.top, file) };
  return { command, marked: null };
}
