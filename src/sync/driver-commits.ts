import { childrenOn } from '../git/children.js';
import { blobsAtPaths } from '../git/trees.js';
import type { DriverPoint, RepoState as HubState, HubTask } from '../hub/types.js';
import { type FoundDriverPoint, withDriverPoints } from '../reconcile/driver-points.js';
import { disagreeing } from '../reconcile/plan.js';
import type { FileTask } from '../reconcile/types.js';
import { readBlobBytes, type Repo } from '../repo.js';
import type { Status } from '../status.js';
import { mayHold, tasksAmong } from '../workplan/tasks-among.js';

/**
 * The hub's state with the merge driver's records read in as points, for the tasks whose file and
 * hub statuses differ (only rule 3 reads them): this clone's own (`records`), and those the hub
 * keeps from every clone's driver, so a clone that pulls another's merge and runs first reads it
 * too. A record stands for the commit reachable from one of `heads` that sits on its parent and
 * holds the task at its status, where the task's file is now: the merge or replayed commit the
 * driver's result went into. A replayed commit's record with no such commit says nothing (the
 * rebase was aborted). A merge's is kept as unheld (HubTask.unheldMerges): the merge may have been
 * aborted, or made and then dropped by a force-push after the hub heard of it, its overruled side
 * brought back by the force-push (found by the soak, seed 97 path 137).
 */
export async function withDriverCommits(
  repo: Repo,
  heads: readonly string[],
  files: readonly FileTask[],
  hub: HubState,
  records: readonly DriverPoint[],
): Promise<HubState> {
  // A clone's own record is the hub's too once sent: each is looked for once.
  const all = new Map([...records, ...(hub.driverPoints ?? [])].map((r) => [`${r.id}\0${r.status}\0${r.statusVersion}\0${r.parent}`, r]));
  // Most runs have no notes: nothing to compare then.
  if (all.size === 0) return hub;
  const contested = new Set(disagreeing(files, hub.tasks));
  const wanted = [...all.values()].filter((r) => contested.has(r.id));
  if (wanted.length === 0) return hub;
  const children = await childrenOn(
    repo,
    heads,
    wanted.map((r) => r.parent),
  );
  const fileOf = new Map(files.map((f) => [f.id, f.file]));
  const found = new Map<string, FoundDriverPoint[]>();
  const unheld = new Map<string, string[]>();
  for (const record of wanted) {
    let stands = false;
    for (const { commit, parents } of children.get(record.parent) ?? []) {
      // A merge's note stands for that merge alone, not another commit on the same parent.
      if (record.theirs && !parents.includes(record.theirs)) continue;
      if ((await statusAt(repo, commit, fileOf.get(record.id)!, record.id)) !== record.status) continue;
      found.set(record.id, [...(found.get(record.id) ?? []), { commit, status: record.status, statusVersion: record.statusVersion, at: record.at }]);
      stands = true;
      break;
    }
    if (!stands && record.theirs) unheld.set(record.id, [...(unheld.get(record.id) ?? []), record.at]);
  }
  if (found.size === 0 && unheld.size === 0) return hub;
  const read = (t: HubTask) => {
    const withFound = found.has(t.id) ? withDriverPoints(t, found.get(t.id)!) : t;
    return unheld.has(t.id) ? { ...withFound, unheldMerges: unheld.get(t.id)! } : withFound;
  };
  return { ...hub, tasks: hub.tasks.map(read) };
}

/** The task's status in `file` at `commit`, read through the run's object reader; null where the file does not hold it exactly once. */
async function statusAt(repo: Repo, commit: string, file: string, id: string): Promise<Status | null> {
  const entry = (await blobsAtPaths(repo.top, commit, [file]).catch(() => null))?.get(file);
  const bytes = entry ? (await readBlobBytes(repo, [entry.oid])).get(entry.oid) : undefined;
  if (!bytes) return null;
  const could = mayHold([id]);
  const { tasks, ids } = tasksAmong(bytes.toString('utf8'), file, (_, body) => could(body));
  const held = tasks.filter((t) => t.id === id);
  return ids.filter((i) => i === id).length === 1 && held.length === 1 ? held[0]!.status : null;
}
