import { commonBase, presentCommits } from './facts.js';
import { git } from './run.js';
import type { Repo } from '../repo.js';

/** A commit and all its parents. */
export interface Child {
  commit: string;
  parents: string[];
}

/**
 * The commits reachable from `heads` that have one of `parents` among their parents, by parent,
 * newest first. One walk for all of them, stopped below the parents' common ancestor B (at B's
 * parents): a child of a parent descends from B, so the cut never hides one. A parent this clone
 * lacks, or a history git cannot walk, has none.
 */
export async function childrenOn(repo: Repo, heads: readonly string[], parents: Iterable<string>): Promise<Map<string, Child[]>> {
  const children = new Map<string, Child[]>();
  const wanted = [...(await presentCommits(repo, parents))];
  if (wanted.length === 0) return children;
  const base = await commonBase(repo, wanted);
  const out = await git(repo.top, ['rev-list', '--parents', ...heads, ...(base ? ['--not', `${base}^@`] : [])]).catch(() => '');
  const asked = new Set(wanted);
  for (const line of out.split('\n')) {
    const [commit, ...ofIt] = line.split(' ');
    for (const parent of ofIt) if (asked.has(parent)) children.set(parent, [...(children.get(parent) ?? []), { commit: commit!, parents: ofIt }]);
  }
  return children;
}
