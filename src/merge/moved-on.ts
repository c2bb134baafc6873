import { git } from '../git/run.js';
import { commitContent } from '../git/trees.js';
import { carriedOver, type RewriteIndex } from '../reconcile/plan.js';
import type { Ancestry } from '../reconcile/types.js';
import type { Repo } from '../repo.js';

/** The most commits of the other side's own line read for copies; a longer line is not read, and holds none. */
const LINE_LIMIT = 256;

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
  id: string,
  origins: readonly (string | null)[],
  other: string,
  facts: { ancestry: Ancestry; rewrites: RewriteIndex; copied: (commit: string) => Promise<boolean> },
): Promise<boolean> {
  const set = origins.filter((o): o is string => !!o);
  const onOther = (c: string) => facts.ancestry(c, other) === 'yes';
  if (set.some((o) => carriedOver(o, id, facts.rewrites).some(onOther))) return true;
  return (await Promise.all(set.map(facts.copied))).some(Boolean);
}

/**
 * Asks whether a commit has a copy among the commits only `other`'s line holds, not `side`'s: the
 * same tree on the same parents (an amend of only the message, a cherry-pick onto the same
 * parent), whose rewrite record may not have reached the hub (an outbox, a clone without hooks).
 * That line is read once, at the first question, in one `git log`; past LINE_LIMIT it is not read.
 */
export function copiedOnLine(repo: Repo, side: string, other: string): (commit: string) => Promise<boolean> {
  let shapes: Promise<Map<string, string[]>> | undefined;
  const contents = new Map<string, Promise<string | null>>();
  return async (commit) => {
    shapes ??= lineShapes(repo, side, other);
    let content = contents.get(commit);
    if (!content) {
      content = commitContent(repo.top, commit).catch(() => null);
      contents.set(commit, content);
    }
    const [byContent, own] = await Promise.all([shapes, content]);
    return own !== null && (byContent.get(own) ?? []).some((c) => c !== commit);
  };
}

/** The commits `other` reaches and `side` does not, by their tree and parents as commitContent writes them. */
async function lineShapes(repo: Repo, side: string, other: string): Promise<Map<string, string[]>> {
  const byContent = new Map<string, string[]>();
  const out = await git(repo.top, ['log', '--format=%H %T %P', `--max-count=${LINE_LIMIT + 1}`, other, '--not', side]).catch(() => '');
  const lines = out.split('\n').filter(Boolean);
  if (lines.length > LINE_LIMIT) return byContent;
  for (const line of lines) {
    const [commit, tree, ...parents] = line.split(' ');
    const content = [`tree ${tree}`, ...parents.map((p) => `parent ${p}`)].join('\n');
    byContent.set(content, [...(byContent.get(content) ?? []), commit!]);
  }
  return byContent;
}
