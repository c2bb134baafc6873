import { type OwnRecords, readOwnPoints } from '../clone/own-records.js';
import type { Hub, RepoState as HubState } from '../hub/types.js';
import { historiesWorthAsking, ownRecordsMissing, type StatusChanges, type StatusHistories, withOwnRecords } from '../reconcile/with-own-records.js';
import type { Repo } from '../repo.js';

/**
 * Tasks whose history one read asks the hub for, at most, side by side. Only judged tasks with a
 * point a restore lost are asked about; past this many the rest go without (their lost points are
 * not read), so a restored hub cannot make one run ask thousands.
 */
const HISTORIES_ASKED = 64;

/**
 * The hub's state with this clone's own records read in as the rules read them (withOwnRecords).
 * The points are read from disk only where they can count, and once (`cache`): the hub says it
 * dropped some, or it lacks a run or rewrite this clone sent (dropped or lost to a restore). For the tasks
 * among `judged` (those the caller's rules will decide) with points a restore lost, the hub's
 * history is asked for; a history the hub does not give leaves that task's lost points unread.
 */
export async function withOwnRecordsRead(
  repo: Repo,
  hub: Hub,
  state: HubState,
  own: OwnRecords,
  judged: ReadonlySet<string>,
  cache: { points?: OwnRecords['points'] } = {},
): Promise<HubState> {
  // A lost point counts only for a judged task (through its history): with none, the log need not be read for one.
  const lostMayCount = judged.size > 0 && ownRecordsMissing(state, own);
  if (state.tasks.some((t) => t.droppedThrough !== null) || lostMayCount) cache.points ??= readOwnPoints(repo.gitDir, own);
  const withPoints = cache.points ? { ...own, points: cache.points } : own;
  const asked = historiesWorthAsking(state, withPoints, judged).slice(0, HISTORIES_ASKED);
  const answers = await Promise.all(
    asked.map((id) =>
      hub.history(repo.slug, id).then(
        (entries): [string, StatusChanges] => [id, entries],
        () => null,
      ),
    ),
  );
  const histories: StatusHistories = new Map(answers.filter((a) => a !== null));
  return withOwnRecords(state, withPoints, histories);
}
