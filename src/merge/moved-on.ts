import { childrenOn } from '../git/children.js';
import { commitContent, commitParents } from '../git/trees.js';
import { carriedOver, type RewriteIndex } from '../reconcile/plan.js';
import type { Ancestry } from '../reconcile/types.js';
import type { Repo } from '../repo.js';

/**
 * Whether the other side's line holds the commit that set a side's value (or one a rewrite that
 * left the task's status as it was pairs it with, or a copy git made of it): the other side had
 * that value and moved on from it, so it is older than the other side's, whatever the hub heard.
 * Git's merge base shows as much where no rewrite came between; an amend force-pushed over the
 * other side's base hides it, and both sides then read as news (found by the simulation, outbox
 * seed 7 path 33: c amended its pushed done after shallow had set blocked on top of it, and rank
 * kept the older done). An ancestry git cannot tell says nothing.
 */
export async function movedOnFrom(
  repo: Repo,
  id: string,
  origins: readonly (string | null)[],
  other: string,
  facts: { ancestry: Ancestry; rewrites: RewriteIndex },
): Promise<boolean> {
  const set = origins.filter((o): o is string => !!o);
  const onOther = (c: string) => facts.ancestry(c, other) === 'yes';
  if (set.some((o) => carriedOver(o, id, facts.rewrites).some(onOther))) return true;
  const copies = await Promise.all(set.map((o) => copiesOnLine(repo, o, other)));
  return copies.some((found) => found.length > 0);
}

/**
 * The commits `line` reaches that have the same tree on the same parents as `commit`: copies of
 * it (an amend of only the message, a cherry-pick onto the same parent) whose rewrite record may
 * not have reached the hub (an outbox, a clone without hooks). A root commit has none.
 */
async function copiesOnLine(repo: Repo, commit: string, line: string): Promise<string[]> {
  const [content, parents] = await Promise.all([commitContent(repo.top, commit), commitParents(repo.top, commit)]);
  if (!content || !parents?.length) return [];
  const children = await childrenOn(repo, [line], parents);
  const candidates = [...new Set([...children.values()].flat().map((c) => c.commit))].filter((c) => c !== commit);
  const contents = await Promise.all(candidates.map((c) => commitContent(repo.top, c)));
  return candidates.filter((_, at) => contents[at] === content);
}
