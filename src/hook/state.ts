import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeJsonFile } from '../clone/json-file.js';
import { CONFIG_FILE, DEFAULT_WORKPLAN_GLOBS } from '../config-names.js';
import { enclosingGlob, gitGlobs } from './attribute-patterns.js';

/**
 * What the last settled run left in a clone: at `head`, every task in the files agreed with the
 * hub at `etag`. While no workplan changes and the hub keeps that ETag, a hook has nothing to do.
 * Only node:fs here: the hooks' fast path loads this and little else.
 */
export interface HookState {
  head: string;
  etag: string;
  hub: string;
  /** Where `hub` came from; with `config`, how the fast path knows the hub without reading YAML. */
  hubSource: 'CUSTODIAN_HUB' | '.custodian.yml' | 'embedded';
  /** configDigest of `.custodian.yml` as it was. */
  config: string;
  slug: string;
  /** git pathspecs covering every workplan and the config. */
  pathspec: string[];
}

const file = (gitDir: string) => path.join(gitDir, 'custodian-hooks', 'state.json');

/**
 * The state's form: one an older version left (its pathspec may hide workplans, see
 * workplanPathspec) is not read, and the next settled run writes it anew.
 */
const FORM = 2;

export function readHookState(gitDir: string): HookState | null {
  try {
    const { form, ...state } = JSON.parse(readFileSync(file(gitDir), 'utf8')) as HookState & { form?: number };
    return form === FORM ? state : null;
  } catch {
    return null;
  }
}

export function writeHookState(gitDir: string, state: HookState | null): void {
  writeJsonFile(file(gitDir), state && { form: FORM, ...state });
}

/**
 * The pathspecs that cover a repo's workplans, from `.custodian.yml` globs or every Markdown file:
 * git's glob magic has no braces (expanded here) and no extglobs, so a glob it cannot say as
 * picomatch reads it is covered by the folders it stays within. More than the workplans is only
 * more to read; fewer would hide a change from the hooks.
 */
export function workplanPathspec(globs: readonly string[] | undefined): string[] {
  const covering = (glob: string) => gitGlobs(glob) ?? [enclosingGlob(glob)];
  return [...new Set((globs ?? DEFAULT_WORKPLAN_GLOBS).flatMap(covering)).values()].map((g) => `:(glob)${g}`).concat(CONFIG_FILE);
}

/** A digest of the repo's `.custodian.yml` bytes ('' without one): same digest, same `hub:`. */
export function configDigest(top: string): string {
  try {
    return createHash('sha256')
      .update(readFileSync(path.join(top, CONFIG_FILE)))
      .digest('hex');
  } catch {
    return '';
  }
}
