import { git } from '../git.js';
import { workplanPathspec } from '../hook-state.js';
import type { Hub, Rewrite } from '../hub/types.js';
import { readBlobs, type Repo } from '../repo.js';
import { parseWorkplan } from '../workplan/parse.js';

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
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
    if (old && next && SHA.test(old) && SHA.test(next) && old !== next) pairs.push({ old, new: next });
  }
  return pairs;
}

/**
 * Each pair with the tasks whose status the rewrite changed. A squash maps every squashed commit
 * to one new commit, and an amend may edit a status: the new commit carries over only the lines
 * it did not change, and only those are news the hub may already have heard.
 * A pair git cannot compare (an old commit already gone) is left out: nothing is carried over.
 */
export async function describeRewrites(repo: Repo, pairs: readonly RewritePair[]): Promise<Rewrite[]> {
  const pathspec = workplanPathspec(repo.config.workplans);
  const described: Rewrite[] = [];
  for (const pair of pairs) {
    const diff = await git(repo.top, ['diff-tree', '-r', '-z', '--no-renames', pair.old, pair.new, '--', ...pathspec]).catch(() => null);
    if (diff === null) continue;
    // -z: ":<mode> <mode> <old blob> <new blob> <status>\0<path>\0" per file.
    const fields = diff.split('\0');
    const files: { path: string; before: string; after: string }[] = [];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const [, , before, after] = fields[i]!.split(' ');
      if (before && after) files.push({ path: fields[i + 1]!, before, after });
    }
    const texts = await readBlobs(repo, files.flatMap((f) => [f.before, f.after]).filter((oid) => !NO_BLOB.test(oid)));
    const statuses = (oid: string, file: string) => new Map(NO_BLOB.test(oid) ? [] : parseWorkplan(texts.get(oid)!, file).tasks.map((t) => [t.id, t.status]));
    const changed = new Set<string>();
    for (const file of files) {
      const before = statuses(file.before, file.path);
      const after = statuses(file.after, file.path);
      for (const id of new Set([...before.keys(), ...after.keys()])) if (before.get(id) !== after.get(id)) changed.add(id);
    }
    described.push({ ...pair, changed: [...changed].sort() });
  }
  return described;
}

/**
 * Tells the hub which commits replaced which, so a status line an amend or rebase carried over
 * is still recognised as one the hub has seen (DESIGN.md, "The rules", step 2).
 */
export async function recordRewrites(hub: Hub, repo: string, machine: string, rewrites: readonly Rewrite[]): Promise<void> {
  if (rewrites.length === 0) return;
  const result = await hub.sync({ repo, by: machine, why: 'post-rewrite', changes: [], rewrites: [...rewrites] });
  if (!result.ok) throw new Error('the hub refused the rewrite record');
}
