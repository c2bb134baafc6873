import os from 'node:os';
import path from 'node:path';

/**
 * Where the hub and custodian-hooks' own files are. Kept apart from the store so the hooks'
 * fast path can tell which hub is configured without loading it.
 */

/** `$XDG_STATE_HOME/custodian-hooks`, else `~/.local/state/custodian-hooks`. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'custodian-hooks');
}

export function defaultDatabase(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), 'hub.sqlite');
}

/** `CUSTODIAN_HUB` (an http(s) URL, a postgres URL or a SQLite file), else the embedded store. */
export function hubLocation(env: NodeJS.ProcessEnv = process.env): string {
  return env.CUSTODIAN_HUB?.trim() || defaultDatabase(env);
}
