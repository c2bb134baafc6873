import { readTextOrNull } from '../read-if-exists.js';
import path from 'node:path';
import { readObject } from '../git/objects.js';
import { blobsAtPaths } from '../git/trees.js';
import { gitCommandLine } from './git-command-line.js';

/** The commits whose versions of the file git handed the driver, each shown to hold exactly those bytes. */
export interface SideCommits {
  ours: string | null;
  theirs: string | null;
  /** Theirs is merged in (git named it in GITHEAD_<id>), not replayed: the result is a merge commit on both. */
  merging: boolean;
}

export const PICK_LINE = /^(?:pick|p|reword|r|edit|e|squash|s|fixup|f)\s+(\S+)/;
const REV = /^[\w./~^@{}-]+$/;

/** The commands of a todo or done file, comments and blank lines left out. */
export const commands = (text: string | null) => (text ?? '').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));

/** A commit git may be merging as theirs: by `merge` (under this name), or picked (rebase, cherry-pick). */
export interface Candidate {
  rev: string;
  merged: string | null;
}

/**
 * Where git says which commit is "theirs", each way it runs a merge driver: `merge` (and `pull`)
 * name it in a GITHEAD_<id> variable; `rebase` (and `pull --rebase`) in the last line of
 * rebase-merge/done; a cherry-pick of several commits in the first line of sequencer/todo; a
 * cherry-pick of one, only on its command line. Each is a candidate until its blob is compared.
 */
export function theirsCandidates(gitDir: string, env: NodeJS.ProcessEnv): Candidate[] {
  const found: Candidate[] = [];
  for (const [key, value] of Object.entries(env)) {
    const id = /^GITHEAD_([0-9a-f]{40}|[0-9a-f]{64})$/.exec(key)?.[1];
    if (id) found.push({ rev: id, merged: value ?? id });
  }
  const picked = (line: string | undefined) => (line ? PICK_LINE.exec(line)?.[1] : undefined);
  const done = picked(commands(readTextOrNull(path.join(gitDir, 'rebase-merge', 'done'))).at(-1));
  if (done) found.push({ rev: done, merged: null });
  const next = picked(commands(readTextOrNull(path.join(gitDir, 'sequencer', 'todo')))[0]);
  if (next) found.push({ rev: next, merged: null });
  const argv = found.length === 0 ? gitCommandLine() : null;
  const at = argv?.indexOf('cherry-pick') ?? -1;
  if (argv && at !== -1) for (const arg of argv.slice(at + 1)) if (!arg.startsWith('-')) found.push({ rev: arg, merged: null });
  return found.filter((c) => REV.test(c.rev));
}

/** Whether `commit` holds exactly `bytes` at `file`. */
export async function holds(top: string, commit: string, file: string, bytes: Buffer): Promise<boolean> {
  const entry = (await blobsAtPaths(top, commit, [file]).catch(() => null))?.get(file);
  if (!entry) return false;
  const blob = await readObject(top, entry.oid);
  return blob?.type === 'blob' && blob.bytes.equals(bytes);
}

/** The candidate git is merging as theirs: the first whose commit holds the very bytes git passed, with that commit. */
export async function heldCandidate(
  top: string,
  file: string,
  theirs: Buffer,
  candidates: readonly Candidate[],
): Promise<{ candidate: Candidate; commit: string } | null> {
  for (const candidate of candidates) {
    const commit = await readObject(top, `${candidate.rev}^{commit}`);
    if (commit?.type === 'commit' && (await holds(top, commit.oid, file, theirs))) return { candidate, commit: commit.oid };
  }
  return null;
}

/**
 * The two sides' commits: ours is HEAD in every way git merges; theirs is the held candidate (see
 * theirsCandidates). A side is null unless its commit holds the very bytes git passed: a renamed
 * file, a merge of merge bases, a stash being applied, or content git converted are not guessed at.
 */
export async function sideCommits(top: string, file: string, ours: Buffer, theirs: { candidate: Candidate; commit: string } | null): Promise<SideCommits> {
  const head = await readObject(top, 'HEAD^{commit}');
  const oursCommit = head && (await holds(top, head.oid, file, ours)) ? head.oid : null;
  return { ours: oursCommit, theirs: theirs?.commit ?? null, merging: theirs !== null && theirs.candidate.merged !== null };
}
