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

/** Query parameters that carry a secret (`?password=`, `sslpassword`, `token`, …). */
const SECRET_PARAM = /([?&][^=&#]*(?:pass|secret|token|key)[^=&#]*=)[^&#]*/gi;

/**
 * A hub location as it may be printed: the user and password of a URL and secret query
 * parameters replaced by `…`. Every message that names a hub goes through this.
 */
export function redactLocation(location: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(location);
  if (!scheme) return location;
  const rest = location.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?#]|$/);
  const at = rest.lastIndexOf('@', authorityEnd - 1);
  const redacted = at === -1 ? rest : `…${rest.slice(at)}`;
  return scheme[0] + redacted.replace(SECRET_PARAM, '$1…');
}
