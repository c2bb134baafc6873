import { commonBase } from '../git/facts.js';
import { git } from '../git/run.js';
import { listCommittedMarkdown, type Repo, readBlobBytes } from '../repo.js';
import type { Status } from '../status.js';
import { mayHold, tasksAmong } from '../workplan/tasks-among.js';

/** The most commits of a side's own line read for it; a longer line is not read, and counts as held. */
const LINE_LIMIT = 32;
/** The most commits of both lines compared by author; more count as held. */
const BOTH_LIMIT = 256;

/** A workplan as a commit of a side's own line holds it. */
export interface LineText {
  path: string;
  text: string;
}

/**
 * The workplans the commits of `side` that `other` does not hold commit, where they could hold one
 * of `ids`; null where the side may have seen the other side's commits under ids the rules cannot
 * relate (an amend, a squash or a rebase whose rewrite record has not reached the hub, a
 * cherry-pick: a commit of the side's line has the author and author time of one of the other's,
 * which git's rewrites keep), where git cannot say (no merge base: a shallow clone; a blob not
 * here: a partial clone offline), or where a line is longer than the limits. Null is unknown.
 */
export async function sideLineTexts(repo: Repo, side: string, other: string, ids: readonly string[]): Promise<LineText[] | null> {
  try {
    const base = await commonBase(repo, [side, other]);
    if (!base) return null;
    const listed = await git(repo.top, ['log', '--left-right', '--format=%m %H %an%x00%ae%x00%at', `--max-count=${BOTH_LIMIT + 1}`, `${side}...${other}`]);
    const lines = listed.split('\n').filter(Boolean);
    if (lines.length > BOTH_LIMIT) return null;
    const commits = lines.filter((l) => l.startsWith('<')).map((l) => l.split(' ')[1]!);
    const authorOf = (line: string) => line.slice(line.indexOf(' ', 2) + 1);
    const otherAuthors = new Set(lines.filter((l) => l.startsWith('>')).map(authorOf));
    if (commits.length > LINE_LIMIT || lines.some((l) => l.startsWith('<') && otherAuthors.has(authorOf(l)))) return null;
    const could = mayHold(ids);
    const read = new Set<string>();
    const texts: LineText[] = [];
    for (const commit of commits) {
      const entries = (await listCommittedMarkdown(repo, commit)).entries.filter((e) => !read.has(e.oid));
      const blobs = await readBlobBytes(
        repo,
        entries.map((e) => e.oid),
      );
      for (const entry of entries) {
        read.add(entry.oid);
        const text = blobs.get(entry.oid)?.toString('utf8');
        if (text === undefined) return null;
        if (could(text)) texts.push({ path: entry.path, text });
      }
    }
    return texts;
  } catch {
    return null;
  }
}

/** Whether the task may have held `status` on a side's own line (see sideLineTexts); unknown counts as held. */
export function mayHaveHeld(texts: readonly LineText[] | null, id: string, status: Status): boolean {
  if (texts === null) return true;
  const could = mayHold([id]);
  return texts.some(({ path, text }) => tasksAmong(text, path, (_, body) => could(body)).tasks.some((t) => t.id === id && t.status === status));
}
