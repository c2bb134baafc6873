import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { keepDriverPoints, readDriverPoints } from '../src/clone/driver-points.js';
import { git } from '../src/git/run.js';
import type { DriverPoint, HubTask, RepoState, SyncPoint } from '../src/hub/types.js';
import { withDriverPoints } from '../src/reconcile/driver-points.js';
import { openRepo } from '../src/repo.js';
import { repoState } from '../src/hub/contract.js';
import { withDriverCommits } from '../src/sync/driver-commits.js';
import { tasksAmong } from '../src/workplan/tasks-among.js';
import { commitFiles, tempDir, tempRepo } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

const sha = (n: number) => n.toString(16).padStart(40, '0');
const NOW = Date.parse('2026-11-30T12:00:00Z');
const record = (n: number, at = '2026-11-30T11:00:00Z'): DriverPoint => ({ id: 'A', status: 'done', statusVersion: n, parent: sha(n), at });

test('driver records: kept a line each, read back in order; a cut-short, malformed or expired line is skipped alone', async (t) => {
  const gitDir = await tempDir(t);
  assert.deepEqual(readDriverPoints(gitDir, NOW), [], 'none yet');
  keepDriverPoints(gitDir, [record(1)], NOW);
  const file = path.join(gitDir, 'custodian-hooks', 'driver-points.jsonl');
  await appendFile(
    file,
    [
      '',
      '{"id":"A","status":"finished","statusVersion":2,"parent":"x","at":"2026-11-30T11:00:00Z"}',
      '{"id":"A","status":"done","statusVersion":"2","parent":"x","at":"2026-11-30T11:00:00Z"}',
      JSON.stringify(record(3, '2026-10-01T00:00:00Z')),
      '{"id":"A","status":"done","statusVersion":2,"par', // a crash cut it short
    ].join('\n'),
  );
  keepDriverPoints(gitDir, [record(4)], NOW);
  assert.deepEqual(readDriverPoints(gitDir, NOW), [record(1), record(4)]);
  assert.match(await readFile(file, 'utf8'), /"par\n/, 'the cut line was ended before the next record');
});

test('driver records: bounded; past the bound the file is rewritten with the newest only', async (t) => {
  const gitDir = await tempDir(t);
  for (let n = 0; n < 300; n += 50)
    keepDriverPoints(
      gitDir,
      Array.from({ length: 50 }, (_, i) => record(n + i)),
      NOW,
    );
  const kept = readDriverPoints(gitDir, NOW);
  assert.equal(kept.length, 256);
  assert.deepEqual(kept.at(-1), record(299));
  const lines = (await readFile(path.join(gitDir, 'custodian-hooks', 'driver-points.jsonl'), 'utf8')).split('\n').filter(Boolean);
  assert.equal(lines.length, 256);
});

const point = (seq: number, statusVersion: number | null, status: SyncPoint['status'] = 'todo'): SyncPoint => ({
  status,
  commit: sha(100 + seq),
  upstream: null,
  origin: sha(100 + seq),
  at: '',
  seq,
  statusVersion,
});
const task = (points: SyncPoint[], statusVersion = 3, status: HubTask['status'] = 'done'): HubTask => ({
  id: 'A',
  workplan: null,
  title: 'A',
  priority: null,
  status,
  hubId: 'h',
  version: 5,
  statusVersion,
  droppedThrough: null,
  updatedAt: '',
  updatedBy: '',
  points,
});
const found = (statusVersion: number, status: SyncPoint['status'] = 'done') => ({ commit: sha(7), status, statusVersion, at: 'then' });

test('a found driver point goes right after the last point at or below its status version, with that seq', () => {
  const points = [point(2, 0), point(5, 1), point(8, 4, 'todo'), point(9, null)];
  const placed = withDriverPoints(task(points, 4, 'todo'), [found(3)]).points;
  assert.deepEqual(
    placed.map((p) => [p.seq, p.statusVersion, p.commit]),
    [
      [2, 0, sha(102)],
      [5, 1, sha(105)],
      [5, 3, sha(7)],
      [8, 4, sha(108)],
      [9, null, sha(109)],
    ],
  );
  assert.deepEqual(placed[2], { commit: sha(7), origin: sha(7), upstream: null, status: 'done', statusVersion: 3, seq: 5, at: 'then' });
  assert.deepEqual(
    withDriverPoints(task([point(4, 2)]), [found(1)]).points.map((p) => p.seq),
    [0, 4],
    'first, at seq 0, below every point',
  );
});

test('a driver point the hub cannot have given (past its status version, or at it with another status) is left out', () => {
  const t = task([point(2, 0)], 3, 'done');
  assert.equal(withDriverPoints(t, [found(4)]), t);
  assert.equal(withDriverPoints(t, [found(3, 'cancelled')]), t);
  assert.equal(withDriverPoints(t, [found(3)]).points.length, 2);
});

/** A repo where A went from todo (`parent`) to done by hand (`head`), its file task, and a hub at todo. */
async function doneByHand(t: TestContext) {
  const dir = await tempRepo(t, { 'plan.md': workplan([{ id: 'A', status: 'todo' }]) });
  const parent = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  await commitFiles(dir, { 'plan.md': workplan([{ id: 'A', status: 'done' }]) }, 'A done by hand, on the same parent');
  const head = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  const text = workplan([{ id: 'A', status: 'done' }]);
  const files = tasksAmong(text, 'plan.md', () => true).tasks.map((task) => ({ ...task, workplan: { id: 'plan.md', title: null } }));
  const hub: RepoState = { repo: 'acme', etag: 'e', tasks: [task([], 2, 'todo')], runs: [], rewrites: [], runsDropped: false };
  return { dir, parent, head, repo: await openRepo(dir), files, hub };
}

test("a merge's note stands for that merge alone: another commit on the same parent holding the same status is not it", async (t) => {
  const { parent, head, repo, files, hub } = await doneByHand(t);
  const note = { id: 'A', status: 'done' as const, statusVersion: 1, parent, at: '2026-11-30T11:00:00Z' };

  const ofMerge = await withDriverCommits(repo, [head], files, { ...hub, driverPoints: [{ ...note, theirs: sha(9) }] }, []);
  assert.deepEqual(ofMerge.tasks[0]!.points, [], 'the hand commit has one parent, not the merge named');
  const ofReplay = await withDriverCommits(repo, [head], files, hub, [note]);
  assert.deepEqual(
    ofReplay.tasks[0]!.points.map((p) => [p.commit, p.status, p.statusVersion]),
    [[head, 'done', 1]],
    "a replayed commit's note, this clone's own, stands for its commit on that parent",
  );
});

test("a merge's note whose merge this clone lacks: unheld, unless its own driver noted it and its reflog shows it never made it, or it is older than a clone keeps its own", async (t) => {
  const { dir, parent, head, repo, files, hub } = await doneByHand(t);
  const now = Date.now();
  const note = { id: 'A', status: 'done' as const, statusVersion: 1, parent, theirs: sha(9), at: new Date(now).toISOString() };
  const unheld = async (own: DriverPoint[], at = now) =>
    (await withDriverCommits(repo, [head], files, { ...hub, driverPoints: [note] }, own, at)).tasks[0]!.unheldMerges ?? [];

  assert.deepEqual(await unheld([]), [note.at], "another clone's: not pulled yet, dropped, or aborted there");
  assert.deepEqual(await unheld([note]), [], 'its own, and its reflog, older than the note, holds no such merge: aborted here');
  assert.deepEqual(await unheld([], now + 31 * 24 * 3600 * 1000), [], 'older than a clone keeps its own note');
  await git(dir, ['config', 'gc.reflogExpireUnreachable', '1.day.ago']);
  assert.deepEqual(await unheld([note]), [note.at], 'a reflog that lets unreached entries go sooner than a note is heeded cannot tell');
  await git(dir, ['config', '--unset', 'gc.reflogExpireUnreachable']);
  await git(dir, ['reflog', 'expire', '--expire=now', '--all']);
  assert.deepEqual(await unheld([note]), [note.at], 'with no reflog to tell, its own is not known to be aborted');
});

test("a hub's answer whose merge note has a time the hub never writes is refused: the rules compare those times as text", () => {
  const note = { id: 'A', status: 'done', statusVersion: 1, parent: sha(1), theirs: sha(2), at: '2026-11-30T11:00:00.000Z' };
  const state = { repo: 'acme', etag: 'e', tasks: [], runs: [], rewrites: [], runsDropped: false };
  assert.ok(repoState.safeParse({ ...state, driverPoints: [note] }).success);
  for (const at of ['2026-11-30T11:00:00Z', 'zzz', '9999-99-99'])
    assert.equal(repoState.safeParse({ ...state, driverPoints: [{ ...note, at }] }).success, false, at);
});
