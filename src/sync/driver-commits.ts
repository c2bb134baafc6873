import { childrenOn } from '../git/children.js';
import { mergesNeverMade } from '../git/merges-made.js';
import { DRIVER_POINT_KEPT_MS } from '../clone/driver-points.js';
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
 * rebase was aborted), and so does a merge's this clone noted and never made. Another merge's is
 * kept as unheld (HubTask.unheldMerges): it may not be pulled yet, or have been dropped by a
 * force-push after the hub heard of it, its overruled side brought back by the force-push (found
 * by the soak, seed 97 path 137), or have been aborted in the clone that noted it.
 */
export async function withDriverCommits(
  repo: Repo,
  heads: readonly string[],
  files: readonly FileTask[],
  hub: HubState,
  records: readonly DriverPoint[],
  now = Date.now(),
): Promise<HubState> {
  // A clone's own record is the hub's too once sent: each is looked for once.
  const key = (r: DriverPoint) => `${r.id}\0${r.status}\0${r.statusVersion}\0${r.parent}\0${r.theirs ?? ''}`;
  const all = new Map([...records, ...(hub.driverPoints ?? [])].map((r) => [key(r), r]));
  // This clone's own time of each: the hub's copy carries the hub's clock, which the reflog's is not.
  const own = new Map(records.map((r) => [key(r), r.at]));
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
  const unheld = new Map<string, DriverPoint[]>();
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
    if (!stands && record.theirs) unheld.set(record.id, [...(unheld.get(record.id) ?? []), record]);
  }
  // A merge this clone's own driver noted and never made says nothing: the person aborted it.
  const ownUnheld = [...unheld.values()].flat().filter((r) => own.has(key(r)));
  const neverMade = await mergesNeverMade(
    repo,
    ownUnheld.map((r) => ({ ...r, theirs: r.theirs!, at: own.get(key(r))! })),
  );
  const abortedKeys = new Set(neverMade.map(key));
  const aborted = (r: DriverPoint) => abortedKeys.has(key(r));
  // Nor does one older than a clone keeps its own: the clone that aborted it would no longer know.
  const recent = (r: DriverPoint) => now - Date.parse(r.at) < DRIVER_POINT_KEPT_MS;
  for (const [id, notes] of unheld) {
    const standing = notes.filter((r) => recent(r) && !aborted(r));
    if (standing.length > 0) unheld.set(id, standing);
    else unheld.delete(id);
  }
  if (found.size === 0 && unheld.size === 0) return hub;
  const read = (t: HubTask) => {
    const withFound = found.has(t.id) ? withDriverPoints(t, found.get(t.id)!) : t;
    return unheld.has(t.id) ? { ...withFound, unheldMerges: unheld.get(t.id)!.map((r) => r.at) } : withFound;
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
