import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { keepOwnRecords, type OwnRecords, readOwnPoints, readOwnRecords } from '../src/clone/own-records.js';
import type { HubTask, RepoState, RunRecord, SyncPoint } from '../src/hub/types.js';
import { HttpHub } from '../src/hub/http-hub.js';
import { hubIdentity } from '../src/clone/hub.js';
import { keepDriverPoints, readDriverPoints } from '../src/clone/driver-points.js';
import { historiesWorthAsking, lostRecordsShown, withOwnRecords } from '../src/reconcile/with-own-records.js';
import { createToken, spawnHub } from './helpers/hub-process.js';
import { scene } from './helpers/scene.js';
import { shiftedClock } from './helpers/shifted-clock.js';
import { tempDir } from './helpers/temp-repo.js';

const sha = (n: number) => n.toString(16).padStart(40, '0');
const point = (seq: number, status: SyncPoint['status'] = 'done'): SyncPoint => ({
  status,
  commit: sha(seq),
  upstream: null,
  origin: sha(seq),
  at: '',
  seq,
  statusVersion: seq,
});
const run = (n: number): RunRecord => ({ commit: sha(100 + n), upstream: null, machine: 'm', skipped: [], at: '' });
const task = (points: SyncPoint[], droppedThrough: number | null, statusVersion = 9): HubTask => ({
  id: 'A',
  workplan: null,
  title: 'A',
  priority: null,
  status: 'todo',
  hubId: 'h',
  version: 3,
  statusVersion,
  droppedThrough,
  updatedAt: '',
  updatedBy: '',
  points,
});
const hub = (points: SyncPoint[], droppedThrough: number | null, runs: RunRecord[] = [], runsDropped = false, statusVersion = 9): RepoState => ({
  repo: 'acme',
  etag: 'e',
  tasks: [task(points, droppedThrough, statusVersion)],
  runs,
  rewrites: [],
  runsDropped,
});
const SCOPE = { hub: 'the hub', repo: 'acme', legacy: true };
const own = (points: SyncPoint[], runs: RunRecord[] = []): OwnRecords => ({ scope: SCOPE, ofAnother: false, points: { A: points }, runs, rewrites: [] });

test("a point the hub says it dropped is read from the clone's own records, in seq order", () => {
  const merged = withOwnRecords(hub([point(5), point(6)], 4), own([point(2), point(4)]));
  assert.deepEqual(
    merged.tasks[0]!.points.map((p) => p.seq),
    [2, 4, 5, 6],
  );
});

test('a point the hub lost without saying so (a restore from a backup) is not read', () => {
  // The hub was restored to before seq 7: it holds 5 and 6, has dropped nothing, and knows nothing of 7.
  const merged = withOwnRecords(hub([point(5), point(6)], null), own([point(5), point(7)]));
  assert.deepEqual(
    merged.tasks[0]!.points.map((p) => p.seq),
    [5, 6],
  );
});

test('a point past the status version the hub holds was lost to a restore, though the seqs the hub dealt out again cover it', () => {
  // Restored to status version 3, the hub dealt seqs 5 and 6 out again and dropped them: seq 6 of this clone's is not one of those.
  const merged = withOwnRecords(hub([point(8)], 6, [], false, 3), own([point(2), point(6)]));
  assert.deepEqual(
    merged.tasks[0]!.points.map((p) => p.seq),
    [2, 8],
  );
});

test('own runs the hub dropped though it holds none of them are read once it says it dropped runs: they are older than every run it holds', () => {
  const at = (r: RunRecord, when: string): RunRecord => ({ ...r, machine: 'other', at: when });
  const merged = withOwnRecords(hub([], null, [at(run(5), 't5'), at(run(6), 't6')], true), own([], [{ ...run(2), at: 't2' }]));
  assert.deepEqual(
    merged.runs.map((r) => r.commit),
    [run(2), run(5), run(6)].map((r) => r.commit),
  );
});

test('after a restore this clone can prove, a run older than every run the hub holds is not read: it may have been lost', () => {
  // The hub lost run 2 to a restore; runs made since by other clones pushed the backup's run 1 out.
  const at = (r: RunRecord, when: string): RunRecord => ({ ...r, machine: 'other', at: when });
  const runs = [at(run(5), 't5'), at(run(6), 't6')];
  // The proof: a point of this clone's past the task's status version, which only goes up.
  const restored = withOwnRecords(hub([point(8)], 6, runs, true, 3), own([point(6)], [{ ...run(2), at: 't2' }]));
  assert.deepEqual(
    restored.runs.map((r) => r.commit),
    [run(5), run(6)].map((r) => r.commit),
  );
  // Or a run of this clone's the hub lacks though it holds an older one.
  const mine = [
    { ...run(1), at: 't1' },
    { ...run(3), at: 't3' },
    { ...run(4), at: 't4' },
  ];
  const lostSince = withOwnRecords(hub([], null, [mine[1]!, ...runs], true), own([], mine));
  assert.deepEqual(
    lostSince.runs.map((r) => r.commit),
    [run(3), run(5), run(6)].map((r) => r.commit),
    'run 3 may have been sent after the restore: run 1 may have been lost too',
  );
  // Or a gap: run 3 missing between two held ones, which retention (oldest first) cannot make.
  const gap = withOwnRecords(hub([], null, [mine[0]!, mine[2]!], true), own([], mine));
  assert.deepEqual(
    gap.runs.map((r) => r.commit),
    [run(1), run(4)].map((r) => r.commit),
  );
});

test('a point of this clone whose status version the hub now gives another status proves a restore: a run older than every run the hub holds is then not read', () => {
  // Restored, the hub dealt status version 3 out again: to todo, where this clone's point saw cancelled at 3.
  const at = (r: RunRecord, when: string): RunRecord => ({ ...r, machine: 'other', at: when });
  const runs = [at(run(5), 't5'), at(run(6), 't6')];
  const mine = [{ ...run(2), at: 't2' }];
  const retold = withOwnRecords(hub([point(8, 'todo')], null, runs, true, 3), own([{ ...point(4, 'cancelled'), statusVersion: 3 }], mine));
  assert.deepEqual(
    retold.runs.map((r) => r.commit),
    [run(5), run(6)].map((r) => r.commit),
  );
  // An older version is read from the task's history: version 2 was a change to done, not to cancelled.
  const history = [
    { to: 'todo' as const, at: 't0' },
    { to: 'done' as const, at: 't1' },
    { to: 'todo' as const, at: 't3' },
  ];
  const task = { ...hub([point(8, 'todo')], null, runs, true, 3).tasks[0]!, updatedAt: 't9' };
  const older = withOwnRecords(
    { ...hub([], null, runs, true), tasks: [task] },
    own([{ ...point(4, 'cancelled'), statusVersion: 2 }], mine),
    new Map([['A', history]]),
  );
  assert.deepEqual(
    older.runs.map((r) => r.commit),
    [run(5), run(6)].map((r) => r.commit),
  );
  // The same version at the same status proves nothing: the run is read as dropped.
  const same = withOwnRecords(hub([point(8, 'todo')], null, runs, true, 3), own([{ ...point(4, 'todo'), statusVersion: 3 }], mine));
  assert.deepEqual(
    same.runs.map((r) => r.commit),
    [run(2), run(5), run(6)].map((r) => r.commit),
  );
});

test("a point a restore lost stands where the hub's history held it when it was recorded, placed by its status version", () => {
  // The hub (todo at status version 9, its last change at t9) was restored to before this clone's seq 7, done at version 8, recorded at t5.
  const lostPoint = { ...point(7), statusVersion: 8, at: 't5' };
  const state = hub([point(5), point(6)], null);
  state.tasks[0]!.updatedAt = 't9';
  const read = (changes: [SyncPoint['status'], string][]) =>
    withOwnRecords(state, own([lostPoint]), new Map([['A', changes.map(([to, at]) => ({ to, at }))]])).tasks[0]!.points.map((p) => [p.seq, p.statusVersion]);
  const before = [
    [5, 5],
    [6, 6],
  ];
  // History oldest first: the last row is version 9, the one before it version 8.
  assert.deepEqual(
    read([
      ['todo', 't0'],
      ['done', 't4'],
      ['todo', 't9'],
    ]),
    [...before, [6, 8]],
  );
  assert.deepEqual(
    read([
      ['todo', 't0'],
      ['blocked', 't4'],
      ['todo', 't9'],
    ]),
    before,
    'another status at version 8: of a history the hub lost',
  );
  assert.deepEqual(
    read([
      ['todo', 't0'],
      ['done', 't6'],
      ['todo', 't9'],
    ]),
    before,
    'done again at version 8, but after the point: a change made since the restore',
  );
  assert.deepEqual(
    read([
      ['todo', 't0'],
      ['done', 't4'],
      ['todo', 't5'],
    ]),
    before,
    'the hub had moved on when the point was recorded',
  );
  assert.deepEqual(
    read([
      ['todo', 't0'],
      ['done', 't4'],
      ['todo', 't9'],
      ['blocked', 't10'],
    ]),
    before,
    'a change since the task was read: versions do not line up',
  );
  assert.deepEqual(
    withOwnRecords(state, own([lostPoint])).tasks[0]!.points.map((p) => p.seq),
    [5, 6],
    'no history: not read',
  );
});

test("the histories worth asking for: judged tasks with a point a restore lost, at or below the hub's status version", () => {
  const state = hub([point(5)], null);
  assert.deepEqual(historiesWorthAsking(state, own([point(7)]), new Set(['A'])), ['A']);
  assert.deepEqual(
    historiesWorthAsking(state, own([point(9)]), new Set(['A'])),
    ['A'],
    "at the task's version too: the same version may be a change made since",
  );
  assert.deepEqual(historiesWorthAsking(state, own([point(7)]), new Set()), [], 'not judged');
  assert.deepEqual(historiesWorthAsking(state, own([point(5)]), new Set(['A'])), [], 'held');
  assert.deepEqual(historiesWorthAsking(state, own([point(10)]), new Set(['A'])), ['A'], 'past the hub: did the restore take the task back?');
});

test("a point a restore lost past the task's status version, the hub unchanged since: the task was rolled back from it", () => {
  // The hub (todo at status version 2, its last change at t3) was restored from a backup taken before this clone's point, blocked at version 3.
  const past = { ...point(4, 'blocked'), statusVersion: 3, at: 't5' };
  const state = hub([point(1)], null, [], false, 2);
  state.tasks[0]!.updatedAt = 't3';
  const rolledBack = (lastChange: string, points = [past]) =>
    withOwnRecords(
      state,
      own(points),
      new Map([
        [
          'A',
          [
            { to: 'todo' as const, at: 't0' },
            { to: 'todo' as const, at: lastChange },
          ],
        ],
      ]),
    ).tasks[0]!.rolledBackFrom;
  assert.deepEqual(rolledBack('t3'), past);
  const newer = { ...point(6, 'done'), statusVersion: 4, at: 't6' };
  assert.deepEqual(rolledBack('t3', [newer, past]), newer, 'the newest past point');
  assert.deepEqual(rolledBack('t3', [{ ...newer, statusVersion: 9, at: 't4' }, past]), past, "newest by the hub's time: a restore deals versions out again");
  assert.equal(rolledBack('t6'), undefined, 'the hub changed the task after the point: its change is the newer');
  assert.equal(withOwnRecords(state, own([past])).tasks[0]!.rolledBackFrom, undefined, 'no history: nothing proven');
  assert.equal(rolledBack('t3', [{ ...past, statusVersion: 2 }]), undefined, 'not past the task: no roll back');
  state.tasks[0]!.points = [point(1), { ...point(5, 'todo'), statusVersion: 2, at: 't7' }];
  assert.equal(rolledBack('t3'), undefined, 'the hub agreed on its value at a point since');
  state.tasks[0]!.points = [point(1)];
  const clockWentBack = withOwnRecords(
    state,
    own([past]),
    new Map([
      [
        'A',
        [
          { to: 'todo' as const, at: 't2' },
          { to: 'todo' as const, at: 't1' },
        ],
      ],
    ]),
  ).tasks[0]!.rolledBackFrom;
  assert.equal(clockWentBack, undefined, "a history whose clock went back: its times say nothing of the point's");
});

test("points a restore lost that the hub's present status was set after, by the hub's clock, are read as lost before the change", () => {
  // The hub was restored to todo (version 0) and changed to done (version 1) at t6; this clone agreed on cancelled at version 1, at t5, before the restore.
  const lostPoint = { ...point(5, 'cancelled'), statusVersion: 1, at: 't5' };
  const pastPoint = { ...point(6, 'blocked'), statusVersion: 2, at: 't5' };
  const state = hub([point(1)], null, [], false, 1);
  state.tasks[0]!.status = 'done';
  const lostBefore = (changes: [SyncPoint['status'], string][], points: SyncPoint[] = [lostPoint], updatedAt = changes.at(-1)?.[1] ?? '') => {
    state.tasks[0]!.updatedAt = updatedAt;
    return withOwnRecords(state, own(points), new Map([['A', changes.map(([to, at]) => ({ to, at }))]])).tasks[0]!.lostBeforeChange;
  };
  const restoredThenChanged: [SyncPoint['status'], string][] = [
    ['todo', 't0'],
    ['done', 't6'],
  ];
  assert.deepEqual(lostBefore(restoredThenChanged), [lostPoint]);
  assert.deepEqual(lostBefore(restoredThenChanged, [pastPoint]), [pastPoint], 'one past the status version too, the hub changed since');
  assert.equal(
    lostBefore([
      ['todo', 't0'],
      ['done', 't4'],
    ]),
    undefined,
    'the present status was set before the point: the point may be the newer',
  );
  assert.equal(
    lostBefore(restoredThenChanged, [lostPoint], 't5'),
    undefined,
    'a history the task does not read alike (changed after it was read): nothing proven',
  );
  state.tasks[0]!.points = [point(1), { ...point(7, 'done'), statusVersion: 1, at: 't6', restates: 't3' }];
  assert.equal(lostBefore(restoredThenChanged), undefined, 'the present status puts back a value older than the point');
  state.tasks[0]!.points = [point(1), { ...point(7, 'cancelled'), statusVersion: 1, at: 't5' }];
  assert.equal(
    withOwnRecords(
      state,
      own([{ ...point(7, 'cancelled'), statusVersion: 1, at: 't5' }]),
      new Map([['A', restoredThenChanged.map(([to, at]) => ({ to, at }))]]),
    ).tasks[0]!.lostBeforeChange,
    undefined,
    'a point the hub holds is not lost',
  );
  const pushed = { ...point(8, 'done'), statusVersion: 1, at: 't6' };
  const pushedBy = (points: SyncPoint[]) => {
    state.tasks[0]!.points = points;
    state.tasks[0]!.updatedAt = 't6';
    return withOwnRecords(state, own([lostPoint]), new Map([['A', restoredThenChanged.map(([to, at]) => ({ to, at }))]])).tasks[0]!.presentPushedBy;
  };
  assert.deepEqual(pushedBy([point(1), pushed]), pushed, "the point a run recorded with its push of the present status, at the change's time");
  assert.equal(pushedBy([point(1), { ...pushed, at: 't7' }]), undefined, 'an agreement after the change (an agent or a person made it): none');
  assert.equal(pushedBy([point(1)]), undefined, 'the hub holds no point at the change: none');
  assert.equal(pushedBy([point(1), { ...pushed, status: 'blocked' }]), undefined, 'a point at that time on another status: none');
  assert.equal(pushedBy([point(1), { ...pushed, restates: 't5.5' }]), undefined, 'a put-back at the change (dated by putBackAge): none');
  state.tasks[0]!.points = [point(1)];
  assert.equal(withOwnRecords(state, own([lostPoint])).tasks[0]!.lostBeforeChange, undefined, 'no history: nothing proven');
});

test("a run the hub holds under its token's owner and machine (over HTTP) is this clone's run, held", () => {
  const asTheHubNamesIt = (r: RunRecord): RunRecord => ({ ...r, machine: `ws@${r.machine}` });
  const mine = [
    { ...run(1), at: 't1' },
    { ...run(2), at: 't2' },
  ];
  assert.equal(lostRecordsShown(hub([], null, mine.map(asTheHubNamesIt)), own([], mine)), false);
  assert.equal(lostRecordsShown(hub([], null, mine.slice(0, 1).map(asTheHubNamesIt)), own([], mine)), true, 'the newer one lost');
});

test('a hub that never dropped a run lost every run of this clone it lacks: none is read, though a newer one is held', () => {
  // Restored from a backup: run 1 went with it, run 2 came after; retention has dropped nothing.
  const merged = withOwnRecords(hub([], null, [run(2)], false), own([], [run(1), run(2)]));
  assert.deepEqual(
    merged.runs.map((r) => r.commit),
    [run(2).commit],
  );
});

test('own runs older than every run the hub holds were dropped by retention and are read; one missing after a held one was lost, and then none is', () => {
  const timed = (n: number) => ({ ...run(n), at: `t${n}` });
  const other = { ...timed(5), machine: 'other' };
  const merged = withOwnRecords(hub([], null, [timed(3), other], true), own([], [timed(1), timed(2), timed(3)]));
  assert.deepEqual(
    merged.runs.map((r) => r.commit),
    [run(1), run(2), run(3), run(5)].map((r) => r.commit),
  );
  const lost = withOwnRecords(hub([], null, [timed(3)], true), own([], [timed(1), timed(2), timed(3), timed(4)]));
  assert.deepEqual(
    lost.runs.map((r) => r.commit),
    [run(3)].map((r) => r.commit),
    'run 4 was lost (a restore): 1 and 2 may have been too',
  );
});

test("another clone's run at the same commit is not this clone's: its loss still shows", () => {
  const mine = [
    { ...run(1), at: 't1' },
    { ...run(2), at: 't2' },
  ];
  const theirs = { ...run(1), machine: 'other', at: 't3' };
  assert.equal(lostRecordsShown(hub([], null, [theirs], true), own([], mine)), false, 'none of mine held, all older than what is: dropped or lost, no proof');
  assert.equal(lostRecordsShown(hub([], null, [mine[0]!, theirs], true), own([], mine)), true);
});

test('a run of this clone the hub lacks shows a restore where the hub says it never dropped one', () => {
  const mine = [{ ...run(1), at: 't1' }];
  const theirs = { ...run(2), machine: 'other', at: 't0' };
  assert.equal(lostRecordsShown(hub([], null, [theirs], false), own([], mine)), true, 'the hub never dropped a run');
  assert.equal(
    lostRecordsShown(hub([], null, [theirs], true), own([], mine)),
    false,
    'it dropped runs: by times alone, a clock set right after running fast would look like a restore (review)',
  );
});

test('a records file edited by hand or left by another version: what lacks the shape is not read, the rest is', async (t) => {
  const gitDir = await tempDir(t);
  await mkdir(path.join(gitDir, 'custodian-hooks'));
  const records = {
    points: { A: [point(2), { seq: 'x' }], B: 'nonsense' },
    runs: [run(1), { commit: 1 }, { commit: sha(2), upstream: null, skipped: [], at: '' }],
    rewrites: [{ old: 'a' }],
  };
  await writeFile(path.join(gitDir, 'custodian-hooks', 'records.json'), JSON.stringify(records));
  await writeFile(path.join(gitDir, 'custodian-hooks', 'points.jsonl'), `${JSON.stringify(['A', point(3)])}\n["A", {"seq": 4\n["B"]\n`);
  const read = readOwnRecords(gitDir, SCOPE);
  assert.deepEqual(readOwnPoints(gitDir, readOwnRecords(gitDir, SCOPE)).A, [point(2), point(3)]);
  assert.equal(readOwnPoints(gitDir, readOwnRecords(gitDir, SCOPE)).B, undefined);
  assert.deepEqual(read.runs, [run(1)]);
  assert.deepEqual(read.rewrites, []);
});

test("a run's points are appended to the log, read back as each task's newest eight; points an older version kept move there", async (t) => {
  const gitDir = await tempDir(t);
  await mkdir(path.join(gitDir, 'custodian-hooks'));
  // What a version before the log left: points inside records.json.
  await writeFile(path.join(gitDir, 'custodian-hooks', 'records.json'), JSON.stringify({ points: { A: [point(1)] }, runs: [run(1)], rewrites: [] }));
  const records = readOwnRecords(gitDir, SCOPE);
  const changeOf = (seq: number) => ({ id: 'A', expectedVersion: seq, point: { status: 'done' as const, commit: sha(seq), upstream: null, origin: sha(seq) } });
  for (let seq = 2; seq <= 10; seq++) {
    keepOwnRecords(gitDir, records, { repo: 'acme', by: 'm', changes: [changeOf(seq)] }, [{ id: 'A', seq, statusVersion: seq }], '');
  }
  keepOwnRecords(gitDir, records, { repo: 'acme', by: 'm', changes: [], run: { commit: sha(111), upstream: null, skipped: [] } }, [], 'then');
  assert.deepEqual(
    readOwnPoints(gitDir, readOwnRecords(gitDir, SCOPE)).A?.map((p) => p.seq),
    [3, 4, 5, 6, 7, 8, 9, 10],
  );
  const file = JSON.parse(await readFile(path.join(gitDir, 'custodian-hooks', 'records.json'), 'utf8'));
  assert.equal(file.points, undefined, 'records.json holds runs and rewrites only');
  assert.deepEqual(
    readOwnRecords(gitDir, SCOPE).runs.map((r) => r.commit),
    [run(1).commit, sha(111)],
  );
});

test('a points line a crash cut short is ended before the next point is appended: the next point is kept', async (t) => {
  const gitDir = await tempDir(t);
  await mkdir(path.join(gitDir, 'custodian-hooks'));
  await writeFile(path.join(gitDir, 'custodian-hooks', 'points.jsonl'), `${JSON.stringify(['A', point(1)])}\n["A", {"seq": 2, "comm`);
  const change = { id: 'A', expectedVersion: 3, point: { status: 'done' as const, commit: sha(3), upstream: null, origin: sha(3) } };
  keepOwnRecords(gitDir, readOwnRecords(gitDir, SCOPE), { repo: 'acme', by: 'm', changes: [change] }, [{ id: 'A', seq: 3, statusVersion: 3 }], '');
  assert.deepEqual(
    readOwnPoints(gitDir, readOwnRecords(gitDir, SCOPE)).A?.map((p) => p.seq),
    [1, 3],
  );
});

test("a run keeps its own run record at the hub's time: a clone whose clock is an hour behind does not date it", async (t) => {
  const db = path.join(await tempDir(t), 'hub.sqlite');
  const token = await createToken(db, 'ws');
  const { url } = await spawnHub(t, db);
  const s = await scene(t, [{ id: 'A', status: 'todo' }], { hubUrl: url, token });
  // The clone's node, and only it, reads a clock an hour slow.
  s.env.NODE_OPTIONS = await shiftedClock(s.root, -3600e3);
  const ran = await s.workstation.run('--fix');
  assert.equal(ran.code, 0, ran.stderr);
  const hub = new HttpHub(url, token);
  const state = (await hub.readRepo('acme')) as RepoState;
  await hub.close();
  const own = readOwnRecords(path.join(s.workstation.dir, '.git'), { hub: hubIdentity(hub.location), repo: 'acme', legacy: false });
  assert.equal(state.runs.length, 1);
  assert.equal(own.runs.at(-1)?.at, state.runs[0]!.at, "the hub's time, the one its run record holds");
});

test("records of another hub or repo are not read, and the next batch starts this one's anew; a file from before scopes is the settled hub's", async (t) => {
  const gitDir = await tempDir(t);
  await mkdir(path.join(gitDir, 'custodian-hooks'));
  await writeFile(path.join(gitDir, 'custodian-hooks', 'records.json'), JSON.stringify({ runs: [run(1)], rewrites: [] }));
  await writeFile(path.join(gitDir, 'custodian-hooks', 'points.jsonl'), `${JSON.stringify(['A', point(1)])}\n`);
  assert.deepEqual(readOwnRecords(gitDir, { ...SCOPE, legacy: false }).runs, [], 'before scopes, not the hub the clone settled with: not read');
  assert.deepEqual(readOwnRecords(gitDir, SCOPE).runs, [run(1)], 'before scopes, the hub the clone settled with: read');
  keepOwnRecords(gitDir, readOwnRecords(gitDir, SCOPE), { repo: 'acme', by: 'm', changes: [] }, [], 't');
  assert.deepEqual(readOwnPoints(gitDir, readOwnRecords(gitDir, SCOPE)).A, [point(1)], 'marked as this hub’s, points kept');

  const team = { hub: 'https://hub.example', repo: 'acme', legacy: false };
  const there = readOwnRecords(gitDir, team);
  assert.deepEqual([there.runs, readOwnPoints(gitDir, there).A, there.ofAnother], [[], undefined, true], "another hub's records: none read");
  keepDriverPoints(gitDir, [{ id: 'A', status: 'done', statusVersion: 1, parent: sha(6), at: new Date().toISOString() }]);
  const change = { id: 'A', expectedVersion: 0, point: { status: 'done' as const, commit: sha(7), upstream: null, origin: sha(7) } };
  keepOwnRecords(gitDir, there, { repo: 'acme', by: 'm', changes: [change] }, [{ id: 'A', seq: 7, statusVersion: 1 }], 't');
  assert.deepEqual(
    readOwnPoints(gitDir, readOwnRecords(gitDir, team)).A?.map((p) => p.seq),
    [7],
    'the first batch to the new hub starts its records anew',
  );
  assert.deepEqual(readOwnRecords(gitDir, SCOPE).runs, [], 'and the old hub’s are gone');
  assert.deepEqual(readDriverPoints(gitDir), [], "with the merge driver's notes of the old hub's values");
  assert.deepEqual(readOwnRecords(gitDir, { ...team, repo: 'renamed' }).runs, [], 'another repo on the same hub: none read either');
});
