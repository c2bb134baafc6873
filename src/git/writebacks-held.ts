import type { WrittenBack } from '../reconcile/types.js';
import type { Repo } from '../repo.js';
import { WRITEBACK_SUBJECT, writtenByMessage } from '../writeback/message.js';
import { git } from './run.js';

/**
 * The writeback commits below `tips`, committed since `since` (ms since the epoch), that wrote any
 * of `ids`, by task, with their author times. A writeback commit is an agreement with the hub: the
 * branch moves to it only once the hub has recorded its point (see sync/apply.ts). git stops
 * walking at commits older than `since`, as `git log --since` does: one behind an older-dated
 * commit (a clock set back) is missed.
 */
export async function writebacksHeld(repo: Repo, tips: readonly string[], ids: ReadonlySet<string>, since: number): Promise<Map<string, WrittenBack[]>> {
  const found = new Map<string, WrittenBack[]>();
  if (ids.size === 0 || !Number.isFinite(since)) return found;
  const log = await git(repo.top, [
    'log',
    '--no-show-signature',
    '-z',
    '--format=%H%x00%at%x00%B',
    `--max-age=${Math.floor(since / 1000)}`,
    '--fixed-strings',
    `--grep=${WRITEBACK_SUBJECT}`,
    ...tips,
    '--',
  ]);
  const fields = log.split('\0');
  for (let at = 0; at + 2 < fields.length; at += 3) {
    const commit = fields[at]!.trim();
    const madeAt = Number(fields[at + 1]) * 1000;
    for (const [id, status] of writtenByMessage(fields[at + 2]!)) {
      if (!ids.has(id)) continue;
      const list = found.get(id) ?? [];
      list.push({ commit, status, madeAt });
      found.set(id, list);
    }
  }
  return found;
}
