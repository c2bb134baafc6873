import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Repo } from '../repo.js';
import { git } from './run.js';

/** A merge as the driver notes it: the commit it sits on and the one merged in. */
export interface MergeSides {
  parent: string;
  theirs: string;
}

/**
 * Of `merges` this clone's driver noted, those it never made: HEAD's reflog holds no commit on
 * both sides, and no merge of `theirs` is in progress (the person aborted it, or reset it away
 * before committing). null where git cannot say (no reflog, a git that fails): then none is known
 * to be unmade.
 */
export async function mergesNeverMade(repo: Repo, merges: readonly MergeSides[]): Promise<MergeSides[] | null> {
  if (merges.length === 0) return [];
  const log = await git(repo.top, ['log', '-g', '--format=%P', 'HEAD']).catch(() => null);
  if (log === null) return null;
  const made = log.split('\n').map((line) => line.split(' '));
  const merging = await readFile(path.join(repo.gitDir, 'MERGE_HEAD'), 'utf8').catch(() => '');
  return merges.filter(({ parent, theirs }) => !merging.includes(theirs) && !made.some((ps) => ps.includes(parent) && ps.includes(theirs)));
}
