import { createHash } from 'node:crypto';
import path from 'node:path';

/**
 * A repo's name on a hub: `name`, or `owner/name` as the origin's host knows it. The same pattern
 * checks `repo:` in `.custodian.yml`, the API's paths and the client's reading of answers.
 */
export const SLUG_PATTERN = '^(?=.{1,200}$)[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)?$';
const SLUG = new RegExp(SLUG_PATTERN);

export function isSlug(text: string): boolean {
  return SLUG.test(text) && !text.split('/').some((part) => part === '.' || part === '..');
}

/** A remote on a host: `scheme://host/…` or scp-like `user@host:…`; not a path on this machine. */
function hostedPath(url: string): string | null {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(url);
  if (scheme) return /^file:/i.test(url) ? null : (scheme[1] ?? '');
  const scp = /^(?:[^@/]+@)?[^/:\\]{2,}:(?!\/\/)(.*)$/.exec(url);
  return scp ? scp[1]! : null;
}

/**
 * The default slug: `owner/name` from a hosted origin (`git@host:acme/app.git` → `acme/app`), so
 * two teams' `app` do not meet on one hub; the name alone for an origin that is a path on this
 * machine (its parent folder is no owner) and the folder's name without an origin. Characters a
 * slug cannot hold become `-`.
 */
export function defaultSlug(top: string, originUrl: string): string {
  const url = originUrl
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  const hosted = hostedPath(url);
  const parts = (hosted ?? url)
    .split(/[/\\]/)
    .filter((p) => p !== '' && p !== '.' && p !== '..')
    .map((p) => p.replace(/[^A-Za-z0-9._-]/g, '-'));
  const wanted = hosted === null ? parts.slice(-1) : parts.slice(-2);
  const slug = wanted.join('/');
  return isSlug(slug) ? slug : path.basename(top).replace(/[^A-Za-z0-9._-]/g, '-') || 'repo';
}

/**
 * Which repository an origin URL names, as one string whatever the spelling: `https://` and
 * `git@host:` forms of one repo agree, credentials and `.git` are dropped, the host is lowercased;
 * a path on this machine stands for itself. Null without an origin.
 */
export function originIdentity(top: string, originUrl: string): string | null {
  const url = originUrl
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  if (!url) return null;
  return withinHubLimit(spelledOnce(top, url));
}

function spelledOnce(top: string, url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/]*)(\/.*)?$/i.exec(url);
  if (scheme && !/^file:/i.test(url)) return `${scheme[1]!.toLowerCase().replace(/:\d+$/, '')}${scheme[2] ?? ''}`;
  const scp = /^(?:[^@/]+@)?([^/:\\]{2,}):(?!\/\/)(.*)$/.exec(url);
  if (scp) return `${scp[1]!.toLowerCase()}/${scp[2]!.replace(/^\/+/, '')}`;
  return path.resolve(top, url.replace(/^file:\/\//i, ''));
}

/** The longest origin a hub stores (see the hub's batch check). */
export const ORIGIN_MAX_LENGTH = 1000;

/**
 * An identity past the hub's limit, shortened the same way on every clone: its start, to be read
 * in a message, and a digest of the whole, so two long origins that share a start stay two. Sent
 * whole, the hub refused every batch of the clone.
 */
function withinHubLimit(identity: string): string {
  if (identity.length <= ORIGIN_MAX_LENGTH) return identity;
  const digest = createHash('sha256').update(identity).digest('hex');
  return `${identity.slice(0, 200)}… (sha256 ${digest})`;
}
