import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';

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

export type HubKind = 'http' | 'postgres' | 'sqlite';

/** Which hub a command reaches, and where that was said: shown by `doctor`, named in every refusal. */
export interface HubChoice {
  location: string;
  kind: HubKind;
  source: 'CUSTODIAN_HUB' | '.custodian.yml' | 'embedded';
}

/**
 * The hub: `CUSTODIAN_HUB`, else `hub:` in the repo's `.custodian.yml`, else the embedded store.
 * The environment wins so that one shell can point elsewhere without editing a committed file.
 * Inside a repo (`top`), a relative SQLite path is the repo's: from a subfolder it names the same file.
 */
export function chooseHub(env: NodeJS.ProcessEnv = process.env, configHub?: string, top?: string): HubChoice {
  const fromEnv = env.CUSTODIAN_HUB?.trim();
  if (fromEnv) return { location: inRepo(fromEnv, top), kind: hubKind(fromEnv, 'CUSTODIAN_HUB'), source: 'CUSTODIAN_HUB' };
  if (configHub) return { location: inRepo(configHub, top), kind: hubKind(configHub, '.custodian.yml hub'), source: '.custodian.yml' };
  return { location: defaultDatabase(env), kind: 'sqlite', source: 'embedded' };
}

/** A location as the repo at `top` reads it: a relative file path is taken from the top, a URL is left alone. */
export function inRepo(location: string, top: string | undefined): string {
  if (!top || /^[a-z][a-z0-9+.-]+:/i.test(location) || path.isAbsolute(location)) return location;
  return path.resolve(top, location);
}

/**
 * A hub location as two mentions of one hub compare: trailing slashes dropped, the scheme and the
 * host in lower case (`HTTP://Hub/` is `http://hub`), as URLs read them; a file's path with `//`,
 * `.` and `..` taken out (`/a//b/../hub.sqlite` was another hub than `/a/hub.sqlite`).
 */
export function hubKey(location: string): string {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(location)) return path.normalize(location).replace(/(.)\/+$/, '$1');
  return location.replace(/\/+$/, '').replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, (start) => start.toLowerCase());
}

/** Where a choice came from, as `doctor` says it. */
export function describeSource(choice: HubChoice): string {
  if (choice.source === 'embedded') return 'the embedded store: set hub in .custodian.yml or CUSTODIAN_HUB to share one';
  return `from ${choice.source === 'CUSTODIAN_HUB' ? 'CUSTODIAN_HUB' : 'hub in .custodian.yml'}`;
}

/**
 * What a hub location is, or a usage error naming it. A SQLite file must look like one (an
 * absolute path, or a name ending in .sqlite, .sqlite3 or .db): a mistyped URL such as
 * `https//host:7420` is a relative path to SQLite and would quietly become a new, empty hub.
 */
export function hubKind(location: string, named: string): HubKind {
  if (/^https?:\/\/[^/?#]/i.test(location) && URL.canParse(location)) {
    // The client puts the API's paths after the URL: after a query or a fragment they reach no API.
    const { search, hash } = new URL(location);
    if (search || hash)
      throw new UserError(
        `${named}: '${redactLocation(location)}' is a hub URL with a query or a fragment (?… #…), which the hub's API has no place for: give the URL without it`,
      );
    return 'http';
  }
  if (/^postgres(ql)?:\/\//i.test(location)) return 'postgres';
  const schemeLike = /^[a-z][a-z0-9+.-]+:/i.test(location) && !path.isAbsolute(location);
  if (!schemeLike && (path.isAbsolute(location) || /\.(sqlite3?|db)$/i.test(location))) return 'sqlite';
  throw new UserError(
    `${named}: '${redactLocation(location)}' is not a hub location: give an http(s):// URL, a postgres:// URL, ` +
      'or a SQLite file (an absolute path, or a name ending in .sqlite or .db)',
  );
}

/** Query parameters that carry a secret (`?password=`, `sslpassword`, `token`, …). */
const SECRET_PARAM = /([?&][^=&#]*(?:pass|secret|token|key)[^=&#]*=)[^&#]*/gi;

/**
 * A hub location as it may be printed: the user and password of a URL and secret query
 * parameters replaced by `…`. Every message that names a hub goes through this.
 */
export function redactLocation(location: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(location);
  // Not a URL (a mistyped one, say): whatever looks like `user:password@` goes.
  if (!scheme) return location.replace(/[^\s/@]*:[^\s/@]*@/g, '…@').replace(SECRET_PARAM, '$1…');
  const rest = location.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?#]|$/);
  const at = rest.lastIndexOf('@', authorityEnd - 1);
  const redacted = at === -1 ? rest : `…${rest.slice(at)}`;
  return scheme[0] + redacted.replace(SECRET_PARAM, '$1…');
}
