import { commonBase } from '../git/facts.js';
import { git } from '../git/run.js';
import { listCommittedMarkdown, type Repo, readBlobBytes } from '../repo.js';
import type { Status } from '../status.js';
import { mayHold, tasksAmong } from '../workplan/tasks-among.js';

/** The most commits of a side's own line read for it; a longer line is not read, and counts as held. */
const LINE_LIMIT = 32;

/**
 * Whether the task may have held `status` on the side's own line: at a commit of `side` that
 * `other` does not hold. Where it did, the side may have seen that value under another commit id
 * (an amend whose rewrite record has not reached the hub, a cherry-pick), so an agreement on it
 * that only the other side holds may be one the side's value was set on top of. True too where
 * git cannot say, or the line is longer than LINE_LIMIT: unknown never decides.
 */
export async function mayHaveHeldOnSide(repo: Repo, side: string, other: string, id: string, status: Status): Promise<boolean> {
  const base = await commonBase(repo, [side, other]);
  if (!base) return true;
  const listed = await git(repo.top, ['rev-list', `--max-count=${LINE_LIMIT + 1}`, side, '--not', base]).catch(() => null);
  const commits = listed?.split('\n').filter(Boolean);
  if (!commits || commits.length > LINE_LIMIT) return true;
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
