import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { git } from '../../src/git/run.js';
import type { Hub } from '../../src/hub/types.js';
import type { ReconcileDeps } from '../../src/sync/options.js';

/**
 * The faults a simulation injects: into a run (a hub that does not answer, a commit that fails, a
 * run killed mid-way, two runs at once), and into a clone (no network, a blame that fails).
 */
export type Fault = 'none' | 'hubDown' | 'commitFails' | 'killed' | 'race';

/** A hub every call of which fails as an unreachable one does. */
export function hubThatIsDown(): Hub {
  const down = () => Promise.reject(Object.assign(new Error('hub did not answer: ETIMEDOUT'), { name: 'HubUnavailableError' }));
  return { location: 'down', readRepo: down, sync: down, setStatus: down, history: down, listRepos: down, close: async () => {} };
}

/** What a run is given, with `fault` in it. */
export function depsWith(hub: Hub, fault: Fault): ReconcileDeps {
  const deps: ReconcileDeps = { hub, hostname: 'sim', machine: 'sim@sim' };
  if (fault === 'hubDown') deps.hub = hubThatIsDown();
  if (fault === 'commitFails' || fault === 'killed') deps.landCommit = () => Promise.reject(new Error(fault === 'killed' ? 'killed' : 'commit failed'));
  return deps;
}

/** A run killed mid-way leaves its lock behind, held by a process that no longer exists. */
export async function leaveStaleLock(dir: string): Promise<void> {
  await writeFile(path.join(dir, '.git', 'custodian-hooks.lock'), '2147483646');
}

/**
 * The clone loses the network: git reaches its origin nowhere (the origin it names stays the
 * same), so fetch, pull and push fail and its tracking ref goes stale. `withoutUpstream`: its
 * branch tracks nothing either (a plain clone made without one), so no run can tell it is behind.
 */
export async function goOffline(dir: string, withoutUpstream: boolean): Promise<void> {
  // The URL as this clone names it (a depth-1 clone names its origin by a file:// URL).
  const origin = (await git(dir, ['config', '--get', 'remote.origin.url'])).trim();
  await git(dir, ['config', `url.${unreachable(dir)}.insteadOf`, origin]);
  if (withoutUpstream) await git(dir, ['branch', '--unset-upstream']);
}

export async function goOnline(dir: string): Promise<void> {
  await git(dir, ['config', '--unset', `url.${unreachable(dir)}.insteadOf`]);
  await git(dir, ['branch', '--set-upstream-to=origin/main']);
}

const unreachable = (dir: string) => path.join(dir, '..', 'unreachable.git');

/** A configuration that makes every `git blame` in the clone fail, as a global one does in every repo. */
export async function breakBlame(dir: string): Promise<void> {
  await git(dir, ['config', 'blame.ignoreRevsFile', 'missing-file']);
}

export async function mendBlame(dir: string): Promise<void> {
  await git(dir, ['config', '--unset', 'blame.ignoreRevsFile']).catch(() => undefined);
}
