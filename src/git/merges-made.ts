import type { Repo } from '../repo.js';
import { mergeHeads } from './facts.js';
import { git } from './run.js';

/** A merge as the driver notes it: the commit it sits on, the one merged in, and when. */
export interface NotedMerge {
  parent: string;
  theirs: string;
  at: string;
}

/**
 * Of `merges` this clone's driver noted, those it never made: HEAD's reflog, reaching back past
 * the note, holds no commit on both sides, and no merge of `theirs` is in progress (the person
 * aborted it, or reset it away before committing). A reflog that is off, emptied or younger than
 * a note cannot say: that merge is not known to be unmade. Nor can one whose entries HEAD no
 * longer reaches are let go on another schedule than git's 30 days (gc.reflogExpireUnreachable),
 * which is the longest a note is heeded: a merge made and reset away may be gone from it.
 */
export async function mergesNeverMade<M extends NotedMerge>(repo: Repo, merges: readonly M[]): Promise<M[]> {
  if (merges.length === 0) return [];
  const expiry = await git(repo.top, ['config', '--get-regexp', '^gc\\.(.*\\.)?reflogexpireunreachable$']).catch(() => '');
  if (expiry.trim() !== '') return [];
  const log = await git(repo.top, ['log', '-g', '--date=unix', '--format=%gd %P', 'HEAD']).catch(() => '');
  const entries = log.split('\n').flatMap((line) => {
    const [selector, ...parents] = line.split(' ');
    const seconds = /@\{(\d+)\}$/.exec(selector ?? '')?.[1];
    return seconds ? [{ at: Number(seconds) * 1000, parents }] : [];
  });
  if (entries.length === 0) return [];
  const oldest = entries.reduce((min, e) => Math.min(min, e.at), Number.POSITIVE_INFINITY);
  const merging = await mergeHeads(repo);
  return merges.filter(
    ({ parent, theirs, at }) =>
      oldest <= Date.parse(at) && !merging.includes(theirs) && !entries.some((e) => e.parents.includes(parent) && e.parents.includes(theirs)),
  );
}
