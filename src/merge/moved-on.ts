import { git } from '../git/run.js';
import { commitShape, madeAgain, shapeKey } from '../git/trees.js';
import { shallowBoundary } from '../git/value-origins.js';
import { carriedOver, type RewriteIndex } from '../reconcile/plan.js';
import type { Ancestry } from '../reconcile/types.js';
import type { Repo } from '../repo.js';

/** The most commits of the other side's line read for copies of one commit; past it, git cannot say. */
const LINE_LIMIT = 256;

/** Whether the other side's line holds a value's commit: yes, no, or git cannot say. */
export type Held = 'yes' | 'no' | 'unknown';

/**
 * Whether the other side's line holds the commit that set a side's value (or one a rewrite that
 * left the task's status as it was pairs it with, or a copy git made of it): the other side had
 * that value, and what it holds now it chose after it. Git's merge base shows as much where no
 * rewrite came between; an amend force-pushed over the other side's base hides it, and both sides
 * then read as news (found by the simulation, outbox seed 7 path 33: c amended its pushed done
 * after shallow had set blocked on top of it, and rank kept the older done). The caller weighs
 * both sides' answers (see sideRulings): a criss-cross holds each in the other.
 */
export async function heldOnOther(
  id: string,
  origins: readonly (string | null)[],
  other: string,
  facts: { ancestry: Ancestry; rewrites: RewriteIndex; copied: (commit: string) => Promise<Held> },
): Promise<Held> {
  const set = origins.filter((o): o is string => !!o);
  if (set.length === 0) return 'unknown';
  const answers = set.flatMap((o) => carriedOver(o, id, facts.rewrites).map((c) => facts.ancestry(c, other)));
  if (answers.includes('yes')) return 'yes';
  const copies = await Promise.all(set.map(facts.copied));
  if (copies.includes('yes')) return 'yes';
  return answers.includes('unknown') || copies.includes('unknown') ? 'unknown' : 'no';
}

/**
 * Asks whether `other`'s line holds a copy of a commit (see madeAgain: an amend of only the
 * message, a cherry-pick onto the same parent), whose rewrite record may not
 * have reached the hub (an outbox, a clone without hooks). One `git log` a commit, from `other`
 * down to the commit's parents, asked once however many tasks share the commit. Unknown where git
 * cannot say: a root commit, a line longer than LINE_LIMIT, a shallow boundary on the way, a
 * commit that may be a copy (another author line), a failure.
 */
export function copiedOnLine(repo: Repo, other: string): (commit: string) => Promise<Held> {
  const asked = new Map<string, Promise<Held>>();
  return (commit) => {
    let answer = asked.get(commit);
    if (!answer) {
      answer = copyOnLine(repo, commit, other).catch((): Held => 'unknown');
      asked.set(commit, answer);
    }
    return answer;
  };
}

async function copyOnLine(repo: Repo, commit: string, other: string): Promise<Held> {
  const made = await commitShape(repo.top, commit);
  if (!made || made.parents.length === 0) return 'unknown';
  const out = await git(repo.top, ['log', '--format=%H %T %P', `--max-count=${LINE_LIMIT + 1}`, other, '--not', ...made.parents]);
  const lines = out.split('\n').filter(Boolean);
  if (lines.length > LINE_LIMIT) return 'unknown';
  const boundary = await shallowBoundary(repo);
  let unsure = false;
  const key = shapeKey(made);
  for (const line of lines) {
    const [copy, tree, ...itsParents] = line.split(' ');
    if (boundary.has(copy!)) unsure = true;
    if (copy === commit || shapeKey({ tree: tree!, parents: itsParents.filter(Boolean) }) !== key) continue;
    // The author line, read only where tree and parents match; a copy that cannot be read is not known to be one.
    const candidate = await commitShape(repo.top, copy!);
    const again = candidate ? madeAgain(made, candidate) : 'maybe';
    if (again === 'yes') return 'yes';
    unsure = true;
  }
  return unsure ? 'unknown' : 'no';
}
