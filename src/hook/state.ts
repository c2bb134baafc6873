import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeJsonFile } from '../clone/json-file.js';
import { CONFIG_FILE, DEFAULT_WORKPLAN_GLOBS } from '../config-names.js';

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

export function readHookState(gitDir: string): HookState | null {
  try {
    return JSON.parse(readFileSync(file(gitDir), 'utf8')) as HookState;
  } catch {
    return null;
  }
}

export function writeHookState(gitDir: string, state: HookState | null): void {
  writeJsonFile(file(gitDir), state);
}

/** The pathspecs that cover a repo's workplans, from `.custodian.yml` globs or every Markdown file. */
export function workplanPathspec(globs: readonly string[] | undefined): string[] {
  return [...(globs ?? DEFAULT_WORKPLAN_GLOBS).map((g) => `:(glob)${g}`), CONFIG_FILE];
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
