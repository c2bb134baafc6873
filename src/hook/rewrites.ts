import { COMMIT_ID } from '../git/commit-id.js';
import { presentCommits } from '../git/facts.js';
import { git } from '../git/run.js';
import { workplanPathspec } from './state.js';
import { acquireRunLock } from '../clone/lock.js';
import { deliveredFromOutbox } from '../clone/outbox.js';
import { keepOwnRecords, ownScope, readOwnRecords } from '../clone/own-records.js';
import type { Hub, Rewrite, SyncBatch } from '../hub/types.js';
import { readBlobs, type Repo, workplanPaths } from '../repo.js';
import { parseBlob } from '../workplan/parse-blob.js';

const NO_BLOB = /^0+$/;

export interface RewritePair {
  old: string;
  new: string;
}

/** The pairs git's post-rewrite hook gives on stdin: `<old> <new> [<extra>]` a line. */
export function parseRewrites(stdin: string): RewritePair[] {
  const pairs: RewritePair[] = [];
  for (const line of stdin.split('\n')) {
    const [old, next] = line.trim().split(/\s+/);
    if (old && next && COMMIT_ID.test(old) && COMMIT_ID.test(next) && old !== next) pairs.push({ old, new: next });
  }
  return pairs;
}

/**
 * Each pair with the tasks whose status the rewrite changed, by task id wherever the task's block
 * sits. A squash maps every squashed commit to one new commit, and an amend may edit a status: the
 * new commit carries over only the lines it did not change, and only those are news the hub may
 * already have heard.
 * A pair git cannot compare (an old commit already gone) is left out: nothing is carried over.
 * One `git diff-tree` for all pairs and one read of the blobs, however long the rebase.
 */
export async function describeRewrites(repo: Repo, pairs: readonly RewritePair[]): Promise<Rewrite[]> {
  const present = await presentCommits(
    repo,
    pairs.flatMap((p) => [p.old, p.new]),
  );
  const comparable = pairs.filter((p) => present.has(p.old) && present.has(p.new));
  if (comparable.length === 0) return [];
  // Each stdin line "<new> <old>" diffs old → new; --always gives every line its header, in order.
  const input = comparable.map((p) => `${p.new} ${p.old}\n`).join('');
  const out = await git(repo.top, ['diff-tree', '--stdin', '--always', '-r', '-z', '--no-renames', '--', ...workplanPathspec(repo.config.workplans)], {
    input,
  });
  // -z: "<new>\0" per pair, then ":<mode> <mode> <old blob> <new blob> <status>\0<path>\0" per file.
  const files: { path: string; before: string; after: string }[][] = [];
  // The pathspec may cover more than the workplans (see workplanPathspec).
  const isWorkplan = workplanPaths(repo);
  const fields = out.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (!field.startsWith(':')) {
      if (field) files.push([]);
      continue;
    }
    const [, , before, after] = field.split(' ');
    const path = fields[++i]!;
    if (isWorkplan(path)) files.at(-1)!.push({ path, before: before!, after: after! });
  }
  const texts = await readBlobs(
    repo,
    files
      .flat()
      .flatMap((f) => [f.before, f.after])
      .filter((oid) => !NO_BLOB.test(oid)),
  );
  // Statuses by task id across every workplan the pair's diff touched: a block moved from one file
  // to another is the same task at the same status (found by the soak, seed 59 path 24: a squash of
  // a writeback and a move of its block was recorded as changing the status it carried over).
  const statuses = (pairFiles: readonly { path: string; before: string; after: string }[], side: 'before' | 'after') => {
    const byId = new Map<string, string[]>();
    for (const file of pairFiles) {
      const oid = file[side];
      if (NO_BLOB.test(oid)) continue;
      for (const t of parseBlob(oid, texts.get(oid)!, file.path).tasks) byId.set(t.id, [...(byId.get(t.id) ?? []), t.status]);
    }
    return new Map([...byId].map(([id, list]) => [id, list.sort().join(' ')]));
  };
  return comparable.map((pair, n) => {
    const before = statuses(files[n] ?? [], 'before');
    const after = statuses(files[n] ?? [], 'after');
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((id) => before.get(id) !== after.get(id));
    return { ...pair, changed: changed.sort() };
  });
}

/**
 * Tells the hub which commits replaced which, so a status line an amend or rebase carried over
 * is still recognised as one the hub has seen (DESIGN.md, "The rules", step 2). Once the hub has
 * them they join this clone's own records, which a restore of the hub cannot take (found by the
 * soak, seed 107 path 0: an amend's record the restore lost left its reopen read as the value it
 * replaced, and the hub's older status was written over it), and leave the outbox. Where a run
 * holds the records (its lock), they stay in the outbox: that run's batch or the next sends them
 * again and keeps them.
 */
export async function recordRewrites(hub: Hub, repo: Repo, machine: string, rewrites: readonly Rewrite[]): Promise<void> {
  if (rewrites.length === 0) return;
  const batch: SyncBatch = { repo: repo.slug, by: machine, why: 'post-rewrite', changes: [], rewrites: [...rewrites] };
  const result = await hub.sync(batch);
  if (!result.ok) throw new Error('the hub refused the rewrite record');
  const release = await acquireRunLock(repo.gitDir);
  if (!release) return;
  try {
    keepOwnRecords(repo.gitDir, readOwnRecords(repo.gitDir, ownScope(repo, hub.location)), batch, [], new Date().toISOString());
    deliveredFromOutbox(repo.gitDir, rewrites);
  } finally {
    await release();
  }
}
