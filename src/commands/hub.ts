import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { originIdentity } from '../repo-slug.js';
import { InvalidRequestError } from '../hub/types.js';
import { defaultDatabase } from '../hub/location.js';
import { openStore } from '../hub/open.js';
import { DAY_MS, type Retention } from '../hub/retention.js';
import { startHub } from '../hub/serve.js';
import type { SqlStore } from '../hub/sql-store.js';

export interface HubServeOptions {
  host: string;
  port: string;
  db?: string;
  keepPoints: string;
  keepRuns: string;
  keepDays: string;
}

/** A whole number of at least 1, as a flag gives it. */
function count(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UserError(`${flag} must be a whole number of at least 1, not '${value}'`);
  return n;
}

const MAX_KEEP_DAYS = 36_500;

function retentionOf(options: HubServeOptions): Partial<Retention> {
  const days = Number(options.keepDays);
  // Past a hundred years no date is far enough back to compare with.
  if (options.keepDays.trim() === '' || !Number.isFinite(days) || days < 0 || days > MAX_KEEP_DAYS) {
    throw new UserError(`--keep-days must be a number of days from 0 to ${MAX_KEEP_DAYS}, not '${options.keepDays}'`);
  }
  return { points: count('--keep-points', options.keepPoints), runs: count('--keep-runs', options.keepRuns), maxAgeMs: days * DAY_MS };
}

export async function hubServe(options: HubServeOptions, write: (text: string) => void): Promise<void> {
  // Digits only: Number() also reads '0x1B5E', '1e3' and '' (as 0, any free port).
  const port = Number(options.port);
  if (!/^\d{1,5}$/.test(options.port.trim()) || port > 65535) throw new UserError(`--port must be a number from 0 to 65535, not '${options.port}'`);
  const store = await openStore(options.db ?? defaultDatabase(), { retention: retentionOf(options) });
  const hub = await startHub(store, { host: options.host, port, log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`) }).catch(
    async (error: NodeJS.ErrnoException) => {
      await store.close();
      const where = `${options.host ?? '127.0.0.1'}:${port}`;
      if (error.code === 'EADDRINUSE') throw new UserError(`cannot listen on ${where}: another process has that port (choose another with --port)`, 1);
      if (error.code === 'EACCES') throw new UserError(`cannot listen on ${where}: not allowed (a port below 1024 needs privileges)`, 1);
      if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' || error.code === 'EADDRNOTAVAIL')
        throw new UserError(`cannot listen on ${where}: --host names no address of this machine (${error.code})`, 1);
      throw error;
    },
  );
  write(`custodian-hooks hub listening on ${hub.url} (store: ${store.location})\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`${signal}: finishing in-flight requests and stopping\n`);
      hub.close().then(resolve, (error: unknown) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/** Runs `work` on the store the token commands name, and closes it. */
async function withStore<T>(options: { db?: string }, work: (store: SqlStore) => Promise<T>): Promise<T> {
  const store = await openStore(options.db ?? defaultDatabase());
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

const checkTokenName = (name: string) => {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) throw new UserError(`a token name uses letters, digits, ".", "_" and "-": '${name}'`);
};

export async function tokenCreate(name: string, options: { db?: string }, write: (text: string) => void): Promise<void> {
  checkTokenName(name);
  await withStore(options, async (store) => {
    // A name taken is the user's to fix; a database fault stays what it is.
    const token = await store.createToken(name).catch((error: unknown) => {
      throw error instanceof InvalidRequestError ? new UserError(error.message, 2, { cause: error }) : error;
    });
    write(`${token}\n`);
    process.stderr.write(`token for '${name}' created in ${store.location}; it is shown only this once — set it as CUSTODIAN_HUB_TOKEN\n`);
  });
}

/** One line a token: its name and when it was issued. The token itself was shown once, at creation. */
export async function tokenList(options: { db?: string }, write: (text: string) => void): Promise<void> {
  await withStore(options, async (store) => {
    const tokens = await store.listTokens();
    if (tokens.length === 0) process.stderr.write(`no tokens in ${store.location}\n`);
    const width = Math.max(0, ...tokens.map((t) => t.name.length));
    for (const token of tokens) write(`${token.name.padEnd(width)}  created ${token.createdAt}\n`);
  });
}

export async function tokenRevoke(name: string, options: { db?: string }, write: (text: string) => void): Promise<void> {
  checkTokenName(name);
  await withStore(options, async (store) => {
    if (!(await store.revokeToken(name))) throw new UserError(`no token named '${name}' in ${store.location}`, 1);
    write(`token '${name}' revoked in ${store.location}; its next request is refused\n`);
  });
}

/**
 * A repository's address as `--to` may give it: a URL or scp-like address as `git remote` takes
 * it, a folder on this machine, or the `host/owner/name` a refusal prints. A name that is none of
 * these (a path that is not there) would hand the repo to an address no clone has: refused.
 */
function newAddress(to: string): string {
  const hostLike = /^(localhost|[a-z0-9-]+(\.[a-z0-9-]+)+)(:\d+)?\//i.test(to);
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(to) || /^[^@/]+@[^/:]+:/.test(to);
  const place = !url && existsSync(to) ? to : null;
  const identity = url || place ? originIdentity(process.cwd(), place ?? to) : hostLike ? originIdentity(process.cwd(), `https://${to}`) : null;
  if (!identity) {
    throw new UserError(`--to '${to}' is not an address: give the repository's URL as git remote shows it, its folder on this machine, or host/owner/name`);
  }
  return identity;
}

/**
 * A repo whose repository moved: given to its new address (`to`), so that clones still at the old
 * one are refused; without `to`, the hub forgets the old address and the next clone to sync claims it.
 */
export async function repoRelease(slug: string, options: { db?: string; to?: string }, write: (text: string) => void): Promise<void> {
  const origin = options.to === undefined ? null : newAddress(options.to);
  await withStore(options, async (store) => {
    if (!(await store.releaseRepo(slug, origin))) throw new UserError(`no repo '${slug}' in ${store.location}`, 1);
    write(
      origin
        ? `repo '${slug}' now belongs to ${origin} in ${store.location}; clones of another address are refused\n`
        : `repo '${slug}' released in ${store.location}; the next clone to sync claims it for its repository\n`,
    );
  });
}
