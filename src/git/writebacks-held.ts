import type { WrittenBack } from '../reconcile/types.js';
import type { Repo } from '../repo.js';
import { WRITEBACK_SUBJECT, writtenByMessage } from '../writeback/message.js';
import { git } from './run.js';

/**
 * The writeback commits `head` holds that wrote any of `ids`, by task, newest first. A writeback
 * commit is an agreement with the hub: the branch moves to it only once the hub has recorded its
 * point (see sync/apply.ts), so one the hub keeps no record of, the hub lost (a restore).
 */
export async function writebacksHeld(repo: Repo, head: string, ids: ReadonlySet<string>): Promise<Map<string, WrittenBack[]>> {
  const found = new Map<string, WrittenBack[]>();
  if (ids.size === 0) return found;
  const log = await git(repo.top, ['log', '--no-show-signature', '-z', '--format=%H%x00%B', '--fixed-strings', `--grep=${WRITEBACK_SUBJECT}`, head]);
  const fields = log.split('\0');
  for (let at = 0; at + 1 < fields.length; at += 2) {
    const commit = fields[at]!.trim();
    for (const [id, status] of writtenByMessage(fields[at + 1]!)) {
      if (ids.has(id)) found.set(id, [...(found.get(id) ?? []), { commit, status }]);
    }
  }
  return found;
}
