import { commonBase } from '../git/facts.js';
import { git } from '../git/run.js';
import { listCommittedMarkdown, type Repo, readBlobBytes } from '../repo.js';
import type { Status } from '../status.js';
import { mayHold, tasksAmong } from '../workplan/tasks-among.js';

/** The most commits of a side's own line read for it; a longer line is not read, and counts as held. */
const LINE_LIMIT = 32;
/** The most commits of both lines compared by author; more count as held. */
const BOTH_LIMIT = 256;

/**
 * Whether the side may have seen the hub's value `status` under a commit id the rules cannot
 * relate to the other side's (an amend, a squash or a rebase whose rewrite record has not reached
 * the hub, a cherry-pick): the task held that status at a commit of `side` that `other` does not
 * hold, or a commit of the side's own line has the author and author time of one of the other
 * side's own line, which git's rewrites keep (then the side's commit may be a rewrite of the one
 * an agreement names, its status changed in the same rewrite). True too where git cannot say, or a
 * line is longer than the limits: unknown never decides.
 */
export async function mayHaveHeldOnSide(repo: Repo, side: string, other: string, id: string, status: Status): Promise<boolean> {
  const base = await commonBase(repo, [side, other]);
  if (!base) return true;
  const listed = await git(repo.top, ['log', '--left-right', '--format=%m %H %an%x00%ae%x00%at', `--max-count=${BOTH_LIMIT + 1}`, `${side}...${other}`]).catch(
    () => null,
  );
  const lines = listed?.split('\n').filter(Boolean);
  if (!lines || lines.length > BOTH_LIMIT) return true;
  const commits = lines.filter((l) => l.startsWith('<')).map((l) => l.split(' ')[1]!);
  const authorOf = (line: string) => line.slice(line.indexOf(' ', 2) + 1);
  const otherAuthors = new Set(lines.filter((l) => l.startsWith('>')).map(authorOf));
  if (commits.length > LINE_LIMIT || lines.some((l) => l.startsWith('<') && otherAuthors.has(authorOf(l)))) return true;
  const could = mayHold([id]);
  const read = new Set<string>();
  for (const commit of commits) {
    const entries = (await listCommittedMarkdown(repo, commit)).entries.filter((e) => !read.has(e.oid));
    const blobs = await readBlobBytes(
      repo,
      entries.map((e) => e.oid),
    );
    for (const entry of entries) {
      read.add(entry.oid);
      const text = blobs.get(entry.oid)?.toString('utf8');
      if (text === undefined) return true;
      if (!could(text)) continue;
      if (tasksAmong(text, entry.path, (_, body) => could(body)).tasks.some((t) => t.id === id && t.status === status)) return true;
    }
  }
  return false;
}
