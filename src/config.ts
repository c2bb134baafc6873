import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RepoConfig } from './config-schema.js';
import { CONFIG_FILE } from './config-names.js';
import { UserError } from './errors.js';

export type { RepoConfig };

/** `.custodian.yml` at the top of the repo, checked; a repo without one has every default. */
export async function loadConfig(top: string): Promise<RepoConfig> {
  const file = path.join(top, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UserError(`${CONFIG_FILE}: cannot read: ${(error as Error).message}`);
  }
  // The validator loads only for a repo that has a config: hooks run in many that do not.
  const { parseConfig } = await import('./config-schema.js');
  return parseConfig(text);
}
