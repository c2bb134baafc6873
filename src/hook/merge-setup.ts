import { chmod, mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { readIfExists } from '../read-if-exists.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_WORKPLAN_GLOBS } from '../config-names.js';
import type { RepoConfig } from '../config.js';
import { git, GitError } from '../git/run.js';
import { attributePatterns } from './attribute-patterns.js';
import { shimText, shimValue } from './shim-text.js';

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

/**
 * The attributes block for the workplan globs (see attributePatterns); `unsaid`, the globs
 * gitattributes cannot say. What the config excludes the driver merges as text: a `!merge` here
 * would outrank the team's own attribute for those files.
 */
export function attributesBlock(config: Pick<RepoConfig, 'workplans' | 'exclude'>, created = false): { text: string; unsaid: string[] } {
  const unsaid: string[] = [];
  const lines = (globs: readonly string[], attribute: string) =>
    globs.flatMap((glob) => {
      const patterns = attributePatterns(glob);
      if (!patterns) unsaid.push(glob);
      return (patterns ?? []).map((p) => `${p} ${attribute}`);
    });
  const text = [BLOCK_START, ...(created ? [CREATED_NOTE] : []), ...lines(config.workplans ?? DEFAULT_WORKPLAN_GLOBS, `merge=${DRIVER}`), BLOCK_END, ''].join(
    '\n',
  );
  return { text, unsaid };
}

/**
 * `text` with the block in place of an older one (its note kept), or put first: a later line of
 * the file wins in git, so the team's and the user's own lines for the same files keep their say.
 * Null when it already holds this block.
 */
export function withAttributesBlock(text: string | null, block: string): string | null {
  const existing = text === null ? -1 : text.indexOf(BLOCK_START);
  if (text === null || existing === -1) return block + (text ?? '');
  const end = text.indexOf(BLOCK_END, existing) + BLOCK_END.length + 1;
  const kept = text.slice(existing, end).includes(CREATED_NOTE) ? block.replace(`${BLOCK_START}\n`, `${BLOCK_START}\n${CREATED_NOTE}\n`) : block;
  return text.slice(existing, end) === kept ? null : text.slice(0, existing) + kept + text.slice(end);
}

/** `text` without the block, as it was before; `removeFile` when the block was all and its file ours. */
function withoutAttributesBlock(text: string): { text: string; removeFile: boolean } | null {
  const start = text.indexOf(BLOCK_START);
  if (start === -1) return null;
  const end = text.indexOf(BLOCK_END, start) + BLOCK_END.length + 1;
  const rest = text.slice(0, start) + text.slice(end);
  return { text: rest, removeFile: text.slice(start, end).includes(CREATED_NOTE) && rest === '' };
}

const infoAttributes = (commonDir: string) => path.join(commonDir, 'info', 'attributes');
const committedAttributes = (top: string) => path.join(top, '.gitattributes');

/** What install says of a glob gitattributes cannot say. */
export const unsaidLine = (glob: string) =>
  `merge driver: workplans matching ${glob} are not marked (gitattributes has no such pattern): git merges them as text`;

/**
 * What git runs: the clone's own script, found from the repository git merges in, so that a clone
 * moved or copied elsewhere still finds its driver. git leaves a file it could not run a driver on
 * as ours alone, without markers; without the script (a clone whose shims were removed), the
 * merge is git's own text merge instead.
 */
const DRIVER_COMMAND =
  'driver="$(git rev-parse --git-common-dir)/custodian-hooks/merge-driver"; ' +
  'if [ -f "$driver" ]; then exec sh "$driver" %O %A %B %L %P %S %X %Y; ' +
  'else exec git merge-file --marker-size=%L -L HEAD -L base -L theirs %A %O %B; fi';

/** What install sets in the clone's config, and all that uninstall takes away. */
const DRIVER_CONFIG: Readonly<Record<string, string>> = {
  name: 'custodian-hooks: status lines of workplans, as the hub would settle them',
  driver: DRIVER_COMMAND,
  recursive: 'text',
};

/** The script git runs, in the clone's own folder: it calls node and the CLI by their install-time paths, and falls back. */
const shimFile = (commonDir: string) => path.join(commonDir, 'custodian-hooks', 'merge-driver');

/**
 * Configures the driver and marks the workplans; one line a step saying what it did. The inner
 * merges of a criss-cross history (git merging merge bases into a virtual one) stay git's text
 * merge: the driver's sides there are no commits, and a status it settled in the virtual base
 * would decide the outer merge without it.
 */
export async function installMergeDriver(place: { top: string; commonDir: string }, node: string, cli: string, config: RepoConfig): Promise<string[]> {
  const shim = shimFile(place.commonDir);
  await mkdir(path.dirname(shim), { recursive: true });
  await writeFile(shim, await shimText('hooks/merge-driver.sh', { NODE: node, CLI: cli }));
  await chmod(shim, 0o755);
  for (const [key, value] of Object.entries(DRIVER_CONFIG)) await git(place.top, ['config', '--local', `${SECTION}.${key}`, value]);
  const said = ['merge driver: configured for status-line conflicts in workplans'];
  if ((await readIfExists(committedAttributes(place.top)))?.includes(BLOCK_START))
    return [...said, 'merge driver: workplans marked in the committed .gitattributes'];
  const file = infoAttributes(place.commonDir);
  const before = await readIfExists(file);
  const block = attributesBlock(config, before === null);
  const after = withAttributesBlock(before, block.text);
  if (after !== null) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, after);
  }
  return [...said, `merge driver: workplans marked in ${path.relative(place.top, file)}`, ...block.unsaid.map(unsaidLine)];
}

/** Takes the driver's config and attributes away again, and nothing else. */
export async function uninstallMergeDriver(place: { top: string; commonDir: string }): Promise<string[]> {
  const said: string[] = [];
  const removed = await removeDriverConfig(place.top);
  if (removed.length > 0) said.push('merge driver: removed from the clone config');
  const kept = await driverConfig(place.top);
  if (kept.size > 0) said.push(`merge driver: ${[...kept.keys()].map((k) => `${SECTION}.${k}`).join(', ')} left in the clone config, as written by hand`);
  const file = infoAttributes(place.commonDir);
  const text = await readIfExists(file);
  const without = text === null ? null : withoutAttributesBlock(text);
  if (without) {
    if (without.removeFile) {
      await rm(file);
      // The folder too, where install made it and nothing else is in it.
      await rmdir(path.dirname(file)).catch(() => undefined);
    } else await writeFile(file, without.text);
    said.push(`merge driver: workplans unmarked in ${path.relative(place.top, file)}`);
  }
  return said;
}

/** The clone's own `merge.custodian-hooks.*` settings, by key (the last of a key's values). */
async function driverConfig(top: string): Promise<Map<string, string>> {
  const listed = await git(top, ['config', '--local', '-z', '--get-regexp', `^${SECTION.replace('.', '\\.')}\\.`]).catch((error: unknown) =>
    error instanceof GitError ? '' : Promise.reject(error),
  );
  const entries = listed
    .split('\0')
    .filter(Boolean)
    .map((entry): [string, string] => {
      const [key, ...value] = entry.split('\n');
      return [key!.slice(SECTION.length + 1), value.join('\n')];
    });
  return new Map(entries);
}

/**
 * Unsets the settings install wrote, where they still hold its values, and the section once it is
 * empty: a section the user wrote or added to by hand keeps what is theirs.
 */
async function removeDriverConfig(top: string): Promise<string[]> {
  const ours = [...(await driverConfig(top))].filter(([key, value]) => DRIVER_CONFIG[key] === value).map(([key]) => key);
  for (const key of ours) await git(top, ['config', '--local', '--unset-all', `${SECTION}.${key}`]);
  if (ours.length > 0 && (await driverConfig(top)).size === 0) {
    await git(top, ['config', '--local', '--remove-section', SECTION]).catch((error: unknown) =>
      error instanceof GitError ? undefined : Promise.reject(error),
    );
  }
  return ours;
}

/**
 * What `doctor` says of the driver: what git would run (null: not configured), where the
 * workplans are marked (null: nowhere), and what is wrong with the call (null: nothing).
 */
export async function mergeDriverStatus(place: {
  top: string;
  commonDir: string;
}): Promise<{ command: string | null; marked: string | null; problem: string | null }> {
  const configured = await git(place.top, ['config', '--local', '--get', `${SECTION}.driver`]).then(
    (out) => out.trim(),
    () => null,
  );
  const shim = await readIfExists(shimFile(place.commonDir));
  const node = shim && shimValue(shim, 'node');
  const cli = shim && shimValue(shim, 'cli');
  const problem = !configured
    ? null
    : !shim || configured !== DRIVER_COMMAND
      ? `git calls ${configured}, not this clone's driver: run custodian-hooks install`
      : node && !existsSync(node)
        ? `node ${node} is gone; the driver falls back to the node on PATH, else to git's text merge`
        : cli && !existsSync(cli)
          ? `${cli} is gone; the driver falls back to custodian-hooks on PATH, else to git's text merge`
          : null;
  const command = node && cli ? `${node} ${cli}` : configured;
  const marked = [committedAttributes(place.top), infoAttributes(place.commonDir)];
  for (const file of marked) if ((await readIfExists(file))?.includes(BLOCK_START)) return { command, marked: path.relative(place.top, file), problem };
  return { command, marked: null, problem };
}
