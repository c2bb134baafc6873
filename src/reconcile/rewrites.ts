import type { Hub, Rewrite } from '../hub/types.js';

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** The pairs git's post-rewrite hook gives on stdin: `<old> <new> [<extra>]` a line. */
export function parseRewrites(stdin: string): Rewrite[] {
  const pairs: Rewrite[] = [];
  for (const line of stdin.split('\n')) {
    const [old, next] = line.trim().split(/\s+/);
    if (old && next && SHA.test(old) && SHA.test(next) && old !== next) pairs.push({ old, new: next });
  }
  return pairs;
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
