import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HubTask, RunRecord, SyncPoint } from '../src/hub/types.js';
import { disagreeing, plan } from '../src/reconcile/plan.js';
import { AFTER, BLAME, type Ancestry, type FileTask, type ReconcileInput } from '../src/reconcile/types.js';
import { rank, STATUSES, type Status } from '../src/status.js';

// A tiny history: commits are letters, `parents` gives the DAG. HEAD is H; X is a commit this
// clone does not have; S is a shallow boundary git cannot answer for.
//   A ← B ← C ← H        (and B ← D, a sibling branch)
//   and M, a merge of H and E ← B, for a clone whose HEAD is M.
const parents: Record<string, string[]> = { A: [], B: ['A'], C: ['B'], H: ['C'], D: ['B'], E: ['B'], M: ['H', 'E'] };
const ancestryIn =
  (dag: Record<string, string[]>): Ancestry =>
  (a, b) => {
    if (a === b) return 'yes';
    if (!(a in dag) || !(b in dag)) return 'unknown';
    const seen = new Set<string>();
    const todo = [b];
    while (todo.length) {
      const x = todo.pop()!;
      if (x === a) return 'yes';
      if (!seen.has(x)) {
        seen.add(x);
        todo.push(...dag[x]!);
      }
    }
    return 'no';
  };
const ancestry = ancestryIn(parents);

const fileTask = (status: Status, id = 'T1'): FileTask => ({
  id,
  status,
  title: `Title ${id}`,
  priority: 'high',
  hubId: null,
  fields: {},
  file: 'plan.md',
  line: 7,
  workplan: { id: 'WP', title: 'Plan' },
});
const point = (status: Status, commit: string, origin = commit, upstream: string | null = commit): SyncPoint => ({
  status,
  commit,
  upstream,
  origin,
  at: '',
  seq: 0,
  statusVersion: null,
});
const hubTask = (status: Status, points: SyncPoint[] = [], id = 'T1'): HubTask => ({
  id,
  status,
  title: `Title ${id}`,
  priority: 'high',
  hubId: 'h',
  version: 4,
  statusVersion: 0,
  droppedThrough: null,
  workplan: 'WP',
  updatedAt: '',
  updatedBy: '',
  points,
});
const run = (commit: string, upstream: string | null = commit, skipped: string[] = []): RunRecord => ({ commit, upstream, machine: 'm', skipped, at: '' });

function input(over: Partial<ReconcileInput> & { origin?: string | null }): ReconcileInput {
  const { origin = 'C', ...rest } = over;
  return {
    mode: 'fix',
    writeback: true,
    files: [],
    skipped: [],
    hubTasks: [],
    runs: [],
    head: 'H',
    upstream: 'H',
    origins: new Map([['T1', origin]]),
    ancestry,
    present: () => true,
    runsDropped: false,
    rewrites: [],
    ...rest,
  };
}

const decide = (F: Status, D: Status, points: SyncPoint[], runs: RunRecord[] = [], origin: string | null = 'C') =>
  plan(input({ files: [fileTask(F)], hubTasks: [hubTask(D, points)], runs, origin })).decisions.get('T1');

describe("the spec's cases", () => {
  test('a stale workstation never regresses a done task: the hub has seen the file value', () => {
    // The file's `todo` was set at B; the hub recorded a point at C (after B) and was then set to done.
    const result = plan(input({ files: [fileTask('todo')], hubTasks: [hubTask('done', [point('todo', 'C', 'B')])], origin: 'B' }));
    assert.equal(result.decisions.get('T1'), 'writeback');
    assert.deepEqual(result.writebacks, [{ taskId: 'T1', title: 'Title T1', file: 'plan.md', line: 7, from: 'todo', to: 'done' }]);
    const c13 = result.findings.find((f) => f.code === 'C-13')!;
    assert.equal(c13.severity, 'WARN');
    assert.equal(c13.message, "DB task 'Title T1' is ahead of file (db=done, file=todo) — skipped to prevent regression");
    assert.deepEqual([c13.file, c13.line, c13.taskId], ['plan.md', 7, 'T1']);
    assert.deepEqual(
      result.changes,
      [{ id: 'T1', expectedVersion: 4, point: { status: 'done', origin: AFTER } }],
      'the hub keeps done and records the writeback',
    );
  });

  test('a file ahead of an unmoved hub is pushed (C-11)', () => {
    const result = plan(input({ files: [fileTask('done')], hubTasks: [hubTask('todo', [point('todo', 'B')])], origin: 'C' }));
    assert.equal(result.decisions.get('T1'), 'push');
    assert.deepEqual(result.changes, [{ id: 'T1', expectedVersion: 4, status: 'done', point: { status: 'done', origin: 'C' } }]);
    assert.deepEqual(
      result.findings.map((f) => [f.code, f.severity]),
      [['C-11', 'INFO']],
    );
  });

  test("with no common point (a repo the hub never synced), the spec's rank rule decides, the DB on a tie", () => {
    for (const F of STATUSES) {
      for (const D of STATUSES) {
        if (F === D) continue;
        const expected = rank(F) > rank(D) ? 'push' : 'writeback';
        assert.equal(decide(F, D, []), expected, `file=${F} db=${D}`);
      }
    }
  });

  test('a change rank decided says so, for the hub to show (C-22); the marker never makes a change of its own', () => {
    const ranked = (F: Status, D: Status, over: Partial<ReconcileInput> = {}) => plan(input({ files: [fileTask(F)], hubTasks: [hubTask(D)], ...over })).changes;
    assert.deepEqual(ranked('done', 'todo'), [{ id: 'T1', expectedVersion: 4, status: 'done', point: { status: 'done', origin: 'C' }, decidedByRank: true }]);
    assert.deepEqual(ranked('todo', 'done'), [{ id: 'T1', expectedVersion: 4, point: { status: 'done', origin: AFTER }, decidedByRank: true }]);
    assert.deepEqual(ranked('todo', 'done', { writeback: false }), [], 'the hub keeps done, nothing else to send');
    assert.deepEqual(ranked('todo', 'done', { mode: 'check' }), []);
  });
});

describe("the cases the spec's rule gets wrong", () => {
  test('a reopen (done → todo) in the file on an up-to-date clone reaches the hub', () => {
    assert.equal(decide('todo', 'done', [point('done', 'B')], [run('B')], 'C'), 'push');
  });
  test('a reopen in the hub is written back', () => {
    // The file's done was set at B and the hub saw B; then an agent reopened it.
    assert.equal(decide('done', 'todo', [point('done', 'B')], [], 'B'), 'writeback');
  });
  test('same-rank moves stick from either side', () => {
    assert.equal(decide('blocked', 'in_progress', [point('in_progress', 'B')], [], 'C'), 'push', 'file in_progress → blocked');
    assert.equal(decide('in_progress', 'blocked', [point('in_progress', 'B')], [], 'B'), 'writeback', 'hub in_progress → blocked');
    assert.equal(decide('cancelled', 'done', [point('done', 'B')], [], 'C'), 'push', 'file done → cancelled');
    assert.equal(decide('done', 'cancelled', [point('done', 'C')], [], 'C'), 'writeback', 'hub done → cancelled');
  });
});

describe('every combination of file status, hub status, seen, newest visible point and ancestry', () => {
  // How the file value may have been seen by the hub, with the git answer for each.
  const seenBy = {
    'point upstream': { points: [point('todo', 'X', 'X', 'H')], runs: [] },
    'point origin': { points: [point('todo', 'X', 'C', null)], runs: [] },
    'point commit (present)': { points: [point('todo', 'H', 'X', null)], runs: [] },
    'run record upstream': { points: [], runs: [run('X', 'C')] },
    'run record commit': { points: [], runs: [run('H', null)] },
    nothing: { points: [], runs: [] },
    'a run that skipped this task': { points: [], runs: [run('H', 'H', ['T1'])] },
    'only commits git cannot answer for (missing, shallow)': { points: [point('todo', 'X', 'S', 'S')], runs: [run('X', 'S')] },
    'a sibling commit the file value is not in': { points: [], runs: [run('D', 'D')] },
  } as const;
  const isSeen = (how: keyof typeof seenBy) => how.startsWith('point') || how.startsWith('run record');

  for (const F of STATUSES) {
    for (const D of STATUSES) {
      if (F === D) continue;
      for (const how of Object.keys(seenBy) as (keyof typeof seenBy)[]) {
        for (const base of ['none', 'at D', 'elsewhere'] as const) {
          test(`file=${F} db=${D}, seen by ${how}, newest visible point ${base}`, () => {
            const { points: seenPoints, runs } = seenBy[how];
            // Base points sit at B, which HEAD contains; the file value's own commit is C.
            const basePoints = base === 'none' ? [] : [point(base === 'at D' ? D : STATUSES.find((s) => s !== D)!, 'B', 'B', 'A')];
            const expected = isSeen(how) ? 'writeback' : base === 'at D' ? 'push' : rank(F) > rank(D) ? 'push' : 'writeback';
            // The file value was set at C.
            const result = plan(input({ files: [fileTask(F)], hubTasks: [hubTask(D, [...basePoints, ...seenPoints])], runs: [...runs], origin: 'C' }));
            assert.equal(result.decisions.get('T1'), expected);
            const codes = result.findings.map((f) => f.code);
            assert.ok(codes.includes(expected === 'push' ? 'C-11' : 'C-13'));
            assert.equal(codes.includes('C-22'), !isSeen(how) && base !== 'at D', 'a conflict is reported exactly when both moved');
          });
        }
      }
    }
  }
});

describe('rewritten history (amend, rebase): a carried-over status line is old news', () => {
  // D is a sibling of C: think of it as C rebased or amended onto B (D's parent is B, not C).
  test('the hub saw the original commit: the rewritten one is seen too, and the hub wins', () => {
    const args = { files: [fileTask('in_progress')], hubTasks: [hubTask('todo', [point('todo', 'B'), point('in_progress', 'C')])], origin: 'D', head: 'D' };
    assert.equal(plan(input(args)).decisions.get('T1'), 'push', 'without the rewrite known, the old value looks like news');
    assert.equal(plan(input({ ...args, rewrites: [{ old: 'C', new: 'D', changed: [] }] })).decisions.get('T1'), 'writeback');
  });
  test('the hub heard the rewritten commit, and this clone still holds the original (an amend force-pushed over it): what it heard of one, it heard of the other', () => {
    // C set done; C was amended into D (a sibling on B) without changing the status, and a run saw D.
    const held = { files: [fileTask('done')], hubTasks: [hubTask('todo', [point('in_progress', 'B')])], runs: [run('D')], origin: 'C', head: 'H' };
    assert.equal(plan(input(held)).decisions.get('T1'), 'push', 'without the rewrite known, both moved and rank pushes the done the hub heard');
    assert.equal(plan(input({ ...held, rewrites: [{ old: 'C', new: 'D', changed: [] }] })).decisions.get('T1'), 'writeback');
  });
  test('through a chain of rewrites, even of commits this clone never had', () => {
    const result = plan(
      input({
        files: [fileTask('in_progress')],
        hubTasks: [hubTask('todo', [point('in_progress', 'X')])],
        origin: 'D',
        head: 'D',
        rewrites: [
          { old: 'X', new: 'C', changed: [] },
          { old: 'C', new: 'D', changed: [] },
        ],
      }),
    );
    assert.equal(result.decisions.get('T1'), 'writeback');
  });
  test('a point on a rewritten commit still serves as the common point', () => {
    // The hub agreed at C (in_progress); C was rebased into D, which HEAD contains; the file then reopened the task at H.
    const reopened = input({ files: [fileTask('todo')], hubTasks: [hubTask('in_progress', [point('in_progress', 'C', 'C', null)])], origin: 'H', head: 'H' });
    const headOnD: Ancestry = (a, b) => (b === 'H' ? (a === 'H' || a === 'D' || a === 'B' || a === 'A' ? 'yes' : 'no') : ancestry(a, b));
    assert.equal(plan({ ...reopened, ancestry: headOnD }).decisions.get('T1'), 'writeback', 'no common point in sight: the rank rule undoes the reopen');
    const known = plan({ ...reopened, ancestry: headOnD, rewrites: [{ old: 'C', new: 'D', changed: [] }] });
    assert.equal(known.decisions.get('T1'), 'push', 'with the rewrite known, the reopen is news and wins');
    assert.ok(!known.findings.some((f) => f.code === 'C-22'), 'and it is no conflict');
  });
  test('an amend that changed the status: the hub saw the original, but not this value, and the file wins', () => {
    // The hub agreed on in_progress at C; C was amended into D with the task set to done.
    const amended = { files: [fileTask('done')], hubTasks: [hubTask('in_progress', [point('in_progress', 'C')])], origin: 'D', head: 'D' };
    assert.equal(plan(input({ ...amended, rewrites: [{ old: 'C', new: 'D', changed: ['T1'] }] })).decisions.get('T1'), 'push');
    assert.equal(
      plan(input({ ...amended, rewrites: [{ old: 'C', new: 'D', changed: ['T2'] }] })).decisions.get('T1'),
      'writeback',
      'another task changed: this line was carried over',
    );
  });
  test('a merge whose sides hold the same line: a copy the hub heard of on the first-parent chain counts, whichever one blame names', () => {
    // Blame names X (an unseen edit on the merged side); the first parent's copy came from C, which the hub recorded.
    const merged = { files: [fileTask('done')], hubTasks: [hubTask('blocked', [point('done', 'C')])], origin: 'X', head: 'D' };
    assert.equal(plan(input(merged)).decisions.get('T1'), 'push', 'from blame alone: both moved, and the rank rule lets the stale done regress the hub');
    assert.equal(plan(input({ ...merged, otherOrigins: new Map([['T1', ['C']]]) })).decisions.get('T1'), 'writeback');
  });
  test('a squash of a seen commit and a new edit: the line came from the edit, so it is news', () => {
    // C (seen by the hub: in_progress) and X (a new edit to done) squashed into D.
    const squashed = { files: [fileTask('done')], hubTasks: [hubTask('in_progress', [point('in_progress', 'C')])], origin: 'D', head: 'D' };
    const rewrites = [
      { old: 'C', new: 'D', changed: ['T1'] },
      { old: 'X', new: 'D', changed: [] },
    ];
    assert.equal(plan(input({ ...squashed, rewrites })).decisions.get('T1'), 'push');
  });
});

describe('points, run records, creations and the rest', () => {
  test('a point whose commit this clone lacks still serves as the common point through its origin', () => {
    // Another clone agreed on done at its own unpushed commit X; the done line came from B, which HEAD has.
    // The file then reopened the task at C: news the hub has not moved past, so it wins.
    assert.equal(decide('todo', 'done', [point('done', 'X', 'B', null)], [], 'C'), 'push');
    assert.equal(decide('todo', 'done', [point('done', 'X', 'X', null)], [], 'C'), 'writeback', 'with no visible commit or origin, rank decides');
  });

  test('an origin git could not find decides nothing: the task is left as it is, reported, and not vouched for (Rules v2, 2)', () => {
    assert.equal(decide('todo', 'done', [point('todo', 'H')], [], null), 'unknown', 'rank would have let the DB win');
    assert.equal(decide('done', 'todo', [point('todo', 'B')], [run('H')], null), 'unknown', 'rank would have let the file win');
    const result = plan(input({ files: [fileTask('done')], hubTasks: [hubTask('todo', [point('todo', 'B')])], origin: null, mode: 'fix' }));
    assert.deepEqual([result.changes, result.writebacks, result.run?.skipped], [[], [], ['T1']]);
    assert.deepEqual(
      result.findings.map((f) => [f.code, f.severity]),
      [['C-27', 'WARN']],
    );
    assert.match(result.findings[0]!.message, /git fetch/);
  });

  test('tasks in files but not in the hub are created with a point; hub tasks in no file are reported, never deleted', () => {
    const withHubId = { ...fileTask('in_progress', 'NEW'), hubId: 'keep-me' };
    const result = plan(
      input({ files: [withHubId], hubTasks: [hubTask('done', [], 'GONE'), hubTask('todo', [], 'DIRTY')], skipped: ['DIRTY'], origins: new Map() }),
    );
    assert.deepEqual(result.changes, [
      {
        id: 'NEW',
        expectedVersion: 0,
        status: 'in_progress',
        title: 'Title NEW',
        priority: 'high',
        workplan: { id: 'WP', title: 'Plan' },
        hubId: 'keep-me',
        point: { status: 'in_progress', origin: BLAME },
      },
    ]);
    assert.deepEqual(
      result.findings.map((f) => [f.code, f.severity, f.taskId]),
      [
        ['C-20', 'INFO', 'NEW'],
        ['C-21', 'WARN', 'GONE'],
      ],
    );
    assert.deepEqual(result.run, { skipped: ['DIRTY'] });
  });

  test('a point is recorded only when something is new', () => {
    const agree = (points: SyncPoint[]) => plan(input({ files: [fileTask('todo')], hubTasks: [hubTask('todo', points)], origins: new Map() })).changes;
    assert.deepEqual(agree([point('todo', 'C')]), [], 'equal, newest point visible with this status: nothing');
    assert.deepEqual(agree([]), [{ id: 'T1', expectedVersion: 4, point: { status: 'todo', origin: BLAME } }], 'no point yet');
    assert.equal(agree([point('done', 'C')]).length, 1, 'the agreed status changed');
    assert.equal(agree([point('todo', 'X')]).length, 1, 'this clone cannot see the newest point');
    assert.equal(agree([point('todo', 'D')]).length, 1, 'the newest point is on another branch');
  });

  test('title and priority flow from file to hub, version-checked', () => {
    const renamed = { ...fileTask('todo'), title: 'New title', priority: null };
    const result = plan(input({ files: [renamed], hubTasks: [hubTask('todo', [point('todo', 'C')])] }));
    assert.deepEqual(result.changes, [{ id: 'T1', expectedVersion: 4, title: 'New title', priority: null, point: { status: 'todo', origin: 'C' } }]);
  });

  test('check mode and --no-writeback decide the same but change nothing they should not', () => {
    const args = {
      files: [fileTask('todo'), fileTask('done', 'T2')],
      hubTasks: [hubTask('done', [point('todo', 'C')]), hubTask('todo', [point('todo', 'B')], 'T2')],
      origins: new Map([
        ['T1', 'B'],
        ['T2', 'C'],
      ]),
    };
    const check = plan(input({ ...args, mode: 'check' }));
    assert.deepEqual(
      [...check.decisions],
      [
        ['T1', 'writeback'],
        ['T2', 'push'],
      ],
    );
    assert.deepEqual([check.changes, check.writebacks, check.run], [[], [], null]);
    assert.deepEqual(
      check.findings.map((f) => [f.code, f.severity]),
      [
        ['C-13', 'WARN'],
        ['C-11', 'WARN'],
      ],
    );

    const noWriteback = plan(input({ ...args, writeback: false }));
    assert.deepEqual(noWriteback.writebacks, []);
    assert.deepEqual(
      noWriteback.changes,
      [{ id: 'T2', expectedVersion: 4, status: 'done', point: { status: 'done', origin: 'C' } }],
      'the push still goes; the hub keeps done for T1',
    );
    // The file still holds T1's older line: the run record must not vouch for it, or a merge that
    // later keeps that line on purpose would be taken for old news.
    assert.deepEqual(noWriteback.run, { skipped: ['T1'] });
    assert.deepEqual(plan(input(args)).run, { skipped: [] }, 'with writeback, the line is replaced and the record vouches for all');
  });

  test('disagreeing() names only tasks present on both sides with different statuses', () => {
    assert.deepEqual(disagreeing([fileTask('todo'), fileTask('done', 'T2'), fileTask('todo', 'T3')], [hubTask('done'), hubTask('done', [], 'T2')]), ['T1']);
  });
});

describe('Rules v2: a status version, and unknown never decides', () => {
  const held = (commit: string) => commit in parents;
  const v2 = (F: Status, D: Status, points: SyncPoint[], hub: Partial<HubTask>, over: Partial<ReconcileInput> & { origin?: string } = {}) => {
    const result = plan(input({ files: [fileTask(F)], hubTasks: [{ ...hubTask(D, points), ...hub }], present: held, ...over }));
    return { decision: result.decisions.get('T1'), findings: result.findings.map((f) => f.code) };
  };
  const at = (p: SyncPoint, seq: number, statusVersion: number | null = null): SyncPoint => ({ ...p, seq, statusVersion });

  test('a hub status that went away and came back has moved: rank decides, not "the hub stood still"', () => {
    // Agreed on cancelled at B (version 1); the hub went to done and back (version 3); the file set done at C.
    const points = [at(point('cancelled', 'B'), 1, 1)];
    assert.equal(v2('done', 'cancelled', points, { statusVersion: 3 }, { origin: 'C' }).decision, 'writeback', 'a tie keeps the hub');
    assert.equal(v2('done', 'cancelled', points, { statusVersion: 1 }, { origin: 'C' }).decision, 'push', 'unmoved: the file wins');
    assert.equal(v2('done', 'cancelled', [point('cancelled', 'B')], {}, { origin: 'C' }).decision, 'push', 'a point from before versions compares statuses');
  });

  test('a newer hub point on a commit this clone does not hold leaves the task undecided', () => {
    const points = [at(point('todo', 'B'), 1), at(point('in_progress', 'X'), 2)];
    assert.deepEqual(v2('done', 'in_progress', points, {}, { origin: 'C' }), { decision: 'unknown', findings: ['C-27'] });
    assert.equal(v2('done', 'in_progress', points, {}, { origin: 'C', present: () => true }).decision, 'push', 'held (and not an ancestor): rank');
  });

  test('a missing fact that could not change the decision does not hold it up; one that could, does', () => {
    // Concurrent, records dropped: whether or not they saw the file's in_progress, the hub's done stands.
    const merged = { origin: 'C', head: 'M', upstream: 'M', runsDropped: true };
    assert.deepEqual(v2('in_progress', 'done', [at(point('todo', 'E'), 4)], {}, merged), { decision: 'writeback', findings: ['C-22', 'C-13'] });
    assert.equal(v2('cancelled', 'done', [at(point('todo', 'E'), 4)], {}, merged).decision, 'writeback', 'a tie keeps the hub either way');
    // Blind is never settled by rank: the point's commit may live on below HEAD under another id
    // (a rebase whose rewrite record has not reached the hub), and then rule 3 would push.
    const blind = [at(point('todo', 'B'), 1), at(point('done', 'X'), 2)];
    assert.deepEqual(v2('in_progress', 'done', blind, {}, { origin: 'C' }), { decision: 'unknown', findings: ['C-27'] });
  });

  test('a run newer than the base on a commit this clone does not hold may have seen the file value: rank pushing it waits, rank keeping the hub does not', () => {
    const base = { ...at(point('todo', 'B'), 1, 0), at: '2026-01-01T00:00:00.000Z' };
    const later = (commit: string, skipped: string[] = []) => ({ ...run(commit, commit, skipped), at: '2026-01-02T00:00:00.000Z' });
    const moved = { statusVersion: 2 };
    assert.deepEqual(v2('done', 'in_progress', [base], moved, { runs: [later('X')] }), { decision: 'unknown', findings: ['C-27'] });
    assert.equal(v2('todo', 'in_progress', [base], moved, { runs: [later('X')] }).decision, 'writeback', 'seen or not, the hub keeps its value');
    assert.equal(v2('done', 'in_progress', [base], moved, { runs: [later('X', ['T1'])] }).decision, 'push', 'a run that skipped the task saw nothing of it');
    assert.equal(v2('done', 'in_progress', [base], moved, { runs: [later('D')] }).decision, 'push', 'held, and not holding the value: rank');
    assert.equal(
      v2('done', 'in_progress', [base], moved, { runs: [{ ...later('X'), at: '2025-12-31T00:00:00.000Z' }] }).decision,
      'push',
      'older than the base',
    );
    const committedAt = new Map([['C', Date.parse('2026-01-03T00:00:00.000Z')]]);
    assert.equal(v2('done', 'in_progress', [base], moved, { runs: [later('X')], committedAt }).decision, 'push', 'made before the value was committed');
  });

  test('a base older than a point the hub dropped is not known to be the last agreement', () => {
    const points = [at(point('todo', 'B'), 3)];
    assert.equal(v2('in_progress', 'done', points, { droppedThrough: 5 }, { origin: 'C' }).decision, 'unknown');
    assert.equal(v2('in_progress', 'done', [], { droppedThrough: 5 }, { origin: 'C' }).decision, 'unknown', 'no base at all');
    assert.equal(v2('in_progress', 'done', [at(point('todo', 'B'), 7)], { droppedThrough: 5 }, { origin: 'C' }).decision, 'writeback');
    assert.equal(v2('in_progress', 'done', [], {}, { origin: 'C' }).decision, 'writeback', 'never agreed, nothing dropped: rank');
  });

  test('a value beside the base, while the hub heard its current status on a commit this clone lacks, is unknown: that commit may have set it on top of the value', () => {
    // HEAD M merges H and E; the base is at E, the file's value was set at C on the other side; the
    // hub moved to in_progress at X, which this clone does not hold.
    const merged = { origin: 'C', head: 'M', upstream: 'M' };
    const atX = at(point('in_progress', 'X'), 2, 1);
    const base = at(point('in_progress', 'E'), 3, 1);
    assert.deepEqual(v2('blocked', 'in_progress', [atX, base], { statusVersion: 1 }, merged), { decision: 'unknown', findings: ['C-27'] });
    assert.equal(v2('blocked', 'in_progress', [base], { statusVersion: 1 }, merged).decision, 'push', 'no such point: the base stands');
    assert.equal(
      v2('blocked', 'in_progress', [{ ...atX, statusVersion: 0 }, base], { statusVersion: 1 }, merged).decision,
      'push',
      'a point of an older status',
    );
    assert.equal(v2('blocked', 'in_progress', [atX, base], { statusVersion: 1 }, { ...merged, origin: 'M' }).decision, 'push', 'set after the base');
  });

  test("a value set on top of the base's origin, not of its commit, is unknown once records were dropped: the hub may have heard it, left and come back", () => {
    // The base agreed on in_progress at D (a sibling branch), its line set at B; the file's todo
    // was set at C on top of B. A record the hub dropped may have heard C's todo before the hub
    // came back to in_progress (the class of SIM_SEED=20261502 SIM_PATH=62).
    const base = at(point('in_progress', 'D', 'B'), 3, 3);
    const still = { statusVersion: 3 };
    const dropped = { ...still, droppedThrough: 1 };
    assert.deepEqual(v2('todo', 'in_progress', [base], dropped, { origin: 'C' }), { decision: 'unknown', findings: ['C-27'] });
    assert.equal(v2('todo', 'in_progress', [base], still, { origin: 'C', runsDropped: true }).decision, 'unknown', 'a dropped run may have heard it too');
    assert.equal(v2('todo', 'in_progress', [base], still, { origin: 'C' }).decision, 'push', 'nothing dropped: not heard is known');
    assert.equal(
      v2('todo', 'in_progress', [at(point('in_progress', 'B'), 3, 3)], dropped, { origin: 'C' }).decision,
      'push',
      "set on top of the base's commit: after the agreement",
    );
    assert.equal(
      v2('todo', 'in_progress', [at(point('in_progress', 'D', 'B'), 3, 1)], { statusVersion: 1, droppedThrough: 1 }, { origin: 'C' }).decision,
      'push',
      'one status change: the hub cannot have left the status and come back (the class of SIM_SEED=42 SIM_PATH=56)',
    );
    // One clone's metadata edit at D recorded the base while another set todo at C: an agreement
    // at the same status version sits below C, so C came after it, at C or at a merge above it.
    const agreedAtB = at(point('in_progress', 'B'), 2, 3);
    assert.equal(v2('todo', 'in_progress', [agreedAtB, base], dropped, { origin: 'C' }).decision, 'push', 'an agreement at that version below the value');
    assert.equal(v2('todo', 'in_progress', [agreedAtB, base], dropped, { origin: 'C', head: 'M', upstream: 'M' }).decision, 'push', 'and after a merge');
    assert.equal(
      v2('todo', 'in_progress', [{ ...agreedAtB, statusVersion: 1 }, base], dropped, { origin: 'C' }).decision,
      'unknown',
      'an agreement at an older version proves nothing',
    );
  });

  test('a value set on a line of history the base never saw is unknown once records were dropped', () => {
    // HEAD M merges H and E; the base is at E, the file's value was set at C on the other side.
    const points = [at(point('todo', 'E'), 4)];
    const merged = { origin: 'C', head: 'M', upstream: 'M' };
    assert.equal(v2('done', 'in_progress', points, {}, { ...merged, runsDropped: true }).decision, 'unknown');
    assert.equal(v2('done', 'in_progress', points, {}, merged).decision, 'push', 'nothing dropped: rank');
  });

  // Two merges the rules must read as knowing both sides, whatever a kept line needs (the class
  // of SIM_SEED=20261402 SIM_PATH=116): reading every value against the agreements below it alone
  // wrote the hub's older value back in both. HEAD is M, the value's commit C.
  const mergedIn = (dag: Record<string, string[]>) => ({ origin: 'C', head: 'M', upstream: 'M', ancestry: ancestryIn(dag), present: (c: string) => c in dag });
  test('a value set on top of a commit a rebase later replayed knows the agreement recorded on the replay: news', () => {
    // B set in_progress with the hub out of reach; f branched at B and set blocked at C. A pull
    // --rebase replayed B as B2 (its status carried over), and the run there agreed on in_progress.
    const dag = { A: [], U: ['A'], B2: ['U'], B: ['A'], C: ['B'], M: ['C', 'B2'] };
    const points = [at(point('todo', 'A'), 1, 0), at(point('in_progress', 'B2', 'B2', 'U'), 2, 1)];
    const rewrites = [{ old: 'B', new: 'B2', changed: [] }];
    assert.deepEqual(v2('blocked', 'in_progress', points, { statusVersion: 1 }, { ...mergedIn(dag), rewrites }), { decision: 'push', findings: ['C-11'] });
  });

  test('a reopen git took cleanly over a status that went away and came back on the other side is news: the merge holds both', () => {
    // Agreed on done at B. f reopened to in_progress at C; the hub went done → todo → done, each
    // written back on main (W1, W2). git saw main's line as the base's and took in_progress.
    const dag = { A: [], B: ['A'], W1: ['B'], W2: ['W1'], C: ['B'], M: ['C', 'W2'] };
    const points = [at(point('done', 'B'), 1, 0), at(point('todo', 'W1'), 2, 1), at(point('done', 'W2'), 3, 2)];
    assert.deepEqual(v2('in_progress', 'done', points, { statusVersion: 2 }, mergedIn(dag)), { decision: 'push', findings: ['C-11'] });
  });

  test('a dropped point cannot be a newer base once the hub kept a later one on an older status version: rank keeping the hub decides', () => {
    // Points up to seq 3 dropped; the hub kept done at E (seq 4, version 1) and is now at cancelled (version 2).
    const kept = [at(point('done', 'E'), 4, 1)];
    const hub = { statusVersion: 2, droppedThrough: 3 };
    assert.deepEqual(
      v2('done', 'cancelled', kept, hub, { origin: 'C' }),
      { decision: 'writeback', findings: ['C-22', 'C-13'] },
      'a tie keeps the hub either way',
    );
    assert.equal(v2('done', 'in_progress', kept, hub, { origin: 'C' }).decision, 'unknown', 'rank would push: a dropped record may have seen the value');
    assert.equal(
      v2('done', 'cancelled', [at(point('done', 'E'), 4, 2)], hub, { origin: 'C' }).decision,
      'unknown',
      'a dropped point may be on the current version',
    );
  });

  test("a restore took the hub back past this clone's point, unchanged since: a value on that point's line is the newer", () => {
    // The clone agreed on blocked at C (version 3); the hub, restored, holds done at version 2. An older point at B heard the file's value too.
    const rolledBackFrom = at(point('blocked', 'C'), 5, 3);
    const hub = { statusVersion: 2, rolledBackFrom };
    const older = [at(point('blocked', 'B'), 1, 1)];
    assert.deepEqual(v2('blocked', 'done', older, hub, { origin: 'B' }), { decision: 'push', findings: ['C-11'] }, 'the value the point agreed on');
    assert.deepEqual(v2('todo', 'done', older, hub, { origin: 'H' }), { decision: 'push', findings: ['C-11'] }, 'a value set after it');
    assert.equal(v2('todo', 'done', older, hub, { origin: 'B' }).decision, 'writeback', 'another value from before it: not the one it agreed on');
    assert.equal(
      v2('blocked', 'done', older, { ...hub, rolledBackFrom: at(point('blocked', 'D'), 5, 3) }, { origin: 'B' }).decision,
      'writeback',
      'a point HEAD cannot see',
    );
    assert.equal(v2('blocked', 'done', older, { statusVersion: 2 }, { origin: 'B' }).decision, 'writeback', 'without it, the older point decides');
  });

  test("a point of this clone's a restore lost, the hub's present status set since: the value it agreed on is no news beside a later base, rank decides", () => {
    // HEAD M merges H and E. This clone agreed on cancelled at H (set at C) before a restore; the
    // hub, restored, went to done, and another clone agreed on done at E. The merge kept cancelled.
    const merged = { origin: 'C', head: 'M', upstream: 'M' };
    const base = [at(point('done', 'E'), 3, 1)];
    const lostBeforeChange = [at(point('cancelled', 'H', 'C'), 2, 1)];
    assert.deepEqual(v2('cancelled', 'done', base, { statusVersion: 1 }, merged), { decision: 'push', findings: ['C-11'] }, 'without it: news beside the base');
    assert.deepEqual(
      v2('cancelled', 'done', base, { statusVersion: 1, lostBeforeChange }, merged),
      { decision: 'writeback', findings: ['C-22', 'C-13'] },
      'a tie keeps the hub',
    );
    const blockedAgreed = [at(point('blocked', 'H', 'C'), 2, 1)];
    assert.deepEqual(
      v2('blocked', 'todo', [at(point('todo', 'E'), 3, 1)], { statusVersion: 1, lostBeforeChange: blockedAgreed }, merged),
      { decision: 'push', findings: ['C-22', 'C-11'] },
      'the hub never saw it either: the higher rank, reported',
    );
    assert.deepEqual(
      v2('cancelled', 'done', base, { statusVersion: 1, lostBeforeChange }, { ...merged, origin: 'M' }),
      { decision: 'push', findings: ['C-11'] },
      'a value set after it: news',
    );
  });

  test("a point of this clone's a restore lost, whose commit holds the value the run that set the hub's present status pushed: it saw that value and moved on, the file's is news (seed 60 path 39)", () => {
    // a set done at E and pushed it over the restored hub; this clone had merged E into M, kept its
    // cancelled (set at C) and agreed on it at M before the restore.
    const pushed = at(point('done', 'E'), 3, 1);
    const merged = { origin: 'C', head: 'M', upstream: 'M' };
    const lostAt = (commit: string) => [at(point('cancelled', commit, 'C'), 2, 1)];
    assert.deepEqual(v2('cancelled', 'done', [pushed], { statusVersion: 1, lostBeforeChange: lostAt('M'), presentPushedBy: pushed }, merged), {
      decision: 'push',
      findings: ['C-11'],
    });
    assert.deepEqual(
      v2('cancelled', 'done', [pushed], { statusVersion: 1, lostBeforeChange: lostAt('M') }, merged),
      { decision: 'writeback', findings: ['C-22', 'C-13'] },
      'set in the hub, or by a push the hub no longer holds a point of: rank',
    );
    assert.deepEqual(
      v2('cancelled', 'done', [pushed], { statusVersion: 1, lostBeforeChange: lostAt('H'), presentPushedBy: pushed }, merged),
      { decision: 'writeback', findings: ['C-22', 'C-13'] },
      'a point whose commit did not hold the pushed value: rank',
    );
    assert.deepEqual(
      v2('cancelled', 'done', [pushed], { statusVersion: 1, lostBeforeChange: [...lostAt('H'), ...lostAt('M')], presentPushedBy: pushed }, merged),
      { decision: 'push', findings: ['C-11'] },
      'an older lost point below it heard the value too (review)',
    );
    assert.deepEqual(
      v2('cancelled', 'done', [pushed], { statusVersion: 1, lostBeforeChange: [at(point('done', 'M', 'E'), 2, 1)], presentPushedBy: pushed }, merged),
      { decision: 'writeback', findings: ['C-22', 'C-13'] },
      'a point that agreed on the pushed value itself did not move on from it (review)',
    );
    const pushedFromX = at(point('done', 'X'), 3, 1);
    assert.equal(
      v2('cancelled', 'done', [pushed], { statusVersion: 1, lostBeforeChange: lostAt('M'), presentPushedBy: pushedFromX }, merged).decision,
      'writeback',
      'a pushed value from a commit this clone lacks: not known to be seen, rank',
    );
  });

  test('a value a restore-lost point heard, beside the base, while the hub heard its status on a commit this clone lacks: still unknown (review)', () => {
    // Another clone reopened to in_progress at X, which this clone lacks, then a writeback at E agreed on it; the merge M kept done (set at C).
    const points = [at(point('in_progress', 'X'), 2, 1), at(point('in_progress', 'E'), 3, 1)];
    const lostBeforeChange = [at(point('done', 'C'), 1, 1)];
    assert.deepEqual(v2('done', 'in_progress', points, { statusVersion: 1, lostBeforeChange }, { origin: 'C', head: 'M', upstream: 'M' }), {
      decision: 'unknown',
      findings: ['C-27'],
    });
  });

  test("a value a restore-lost point agreed on, set on top of the hub's present value: news, however late the hub heard that value", () => {
    // Done was set at B; this clone reopened it at C and agreed there before a restore; another clone pushed done from B again since.
    const lostBeforeChange = [at(point('in_progress', 'C'), 2, 2)];
    assert.deepEqual(v2('in_progress', 'done', [at(point('done', 'B'), 3, 1)], { statusVersion: 1, lostBeforeChange }, { origin: 'C' }), {
      decision: 'push',
      findings: ['C-11'],
    });
    assert.deepEqual(
      v2('in_progress', 'done', [at(point('done', 'D', 'B'), 3, 1)], { statusVersion: 1, lostBeforeChange }, { origin: 'C' }),
      { decision: 'push', findings: ['C-11'] },
      'a point on another line whose origin is below it',
    );
  });
});

describe('a value whose commit may be one the hub heard of, made again (the same tree and parents, another author line)', () => {
  const maybe = (F: Status, D: Status) =>
    plan(
      input({
        files: [fileTask(F)],
        hubTasks: [hubTask(D, [point(F, 'B')])],
        origin: 'D',
        maybeCopyOf: new Map([['D', ['B']]]),
      }),
    );

  test('where read as a new edit it would be pushed, nothing is decided: C-27 says why', () => {
    const result = maybe('done', 'todo');
    assert.equal(result.decisions.get('T1'), 'unknown');
    assert.match(result.findings.find((f) => f.code === 'C-27')!.message, /same files and parents as one the hub has heard of/);
    assert.deepEqual(result.changes, []);
  });

  test('where both readings write the hub value back, it is written back', () => {
    assert.equal(maybe('in_progress', 'done').decisions.get('T1'), 'writeback');
  });

  test('without the doubt, the same value read as a new edit is pushed', () => {
    const sure = plan(input({ files: [fileTask('done')], hubTasks: [hubTask('todo', [point('done', 'B')])], origin: 'D' }));
    assert.equal(sure.decisions.get('T1'), 'push');
  });
});

describe('a writeback commit no point stands for (an agreement a restore took)', () => {
  const t0 = Date.parse('2026-11-01T10:00:00Z');
  const at = (ms: number) => new Date(ms).toISOString();
  const kept = (status: Status, commit: string, ms: number, origin = commit): SyncPoint => ({ ...point(status, commit, origin), at: at(ms) });
  const wrote = (commit: string, status: Status, ms: number) => new Map([['T1', [{ commit, status, madeAt: ms }]]]);
  // HEAD is M: main's C set the file's in_progress, and branch E is the writeback, beside it.
  const decideAt = (hub: HubTask, writtenBack: ReturnType<typeof wrote>, origin = 'C', head = 'M') =>
    plan(input({ files: [fileTask('in_progress')], hubTasks: [hub], origin, head, writtenBack })).decisions.get('T1');
  const hub = (points: SyncPoint[], updatedAt = at(t0)) => ({ ...hubTask('done', points), updatedAt });

  test("one that wrote the hub's status after its oldest kept point holds rank back", () => {
    assert.equal(decideAt(hub([kept('todo', 'A', t0)]), wrote('E', 'done', t0 + 60_000)), 'unknown');
    assert.equal(decideAt(hub([kept('todo', 'A', t0)]), new Map()), 'writeback', 'without it, rank keeps the hub’s done');
  });

  test('one older than the oldest kept point may have been dropped: rank decides', () => {
    assert.equal(decideAt(hub([kept('todo', 'A', t0)]), wrote('E', 'done', t0 - 60_000)), 'writeback');
    // A point this clone's own records put back, at or below what the hub dropped, is not one it kept.
    const putBack = { ...kept('todo', 'A', t0 - 120_000), seq: 3 };
    const dropped = { ...hub([putBack, { ...kept('todo', 'A', t0), seq: 9 }]), droppedThrough: 5 };
    assert.equal(decideAt(dropped, wrote('E', 'done', t0 - 60_000)), 'writeback');
    assert.equal(decideAt({ ...dropped, droppedThrough: null }, wrote('E', 'done', t0 - 60_000)), 'unknown');
  });

  test('one below a kept point, by its commit or by its origin, is older than that point, which a restore kept: rank decides', () => {
    // B is the writeback, C (the file's in_progress) is set after it; a point on C, or one whose origin is C.
    assert.equal(decideAt(hub([kept('todo', 'A', t0), kept('todo', 'C', t0 + 120_000)]), wrote('B', 'done', t0 + 60_000), 'C', 'H'), 'writeback');
    assert.equal(decideAt(hub([kept('todo', 'A', t0), kept('todo', 'X', t0 + 120_000, 'C')]), wrote('B', 'done', t0 + 60_000), 'C', 'H'), 'writeback');
    assert.equal(decideAt(hub([kept('todo', 'A', t0)]), wrote('B', 'done', t0 + 60_000), 'C', 'H'), 'unknown');
  });

  test('one below a rebase of a kept point’s commit onto it is not below that point: the point never saw it (review)', () => {
    // The point is on D; D was rebased onto the writeback C as H, which HEAD is.
    const rebased = plan(
      input({
        files: [fileTask('in_progress')],
        hubTasks: [hub([kept('todo', 'A', t0), kept('todo', 'D', t0 + 120_000)])],
        origin: 'H',
        writtenBack: wrote('C', 'done', t0 + 60_000),
        rewrites: [{ old: 'D', new: 'H', changed: ['T1'] }],
      }),
    );
    assert.equal(rebased.decisions.get('T1'), 'unknown');
  });

  test('one that wrote another status after the hub last changed: the hub went back, and rank is held back too', () => {
    assert.equal(decideAt(hub([kept('todo', 'A', t0)], at(t0 + 10_000)), wrote('E', 'todo', t0 + 60_000)), 'unknown');
    assert.equal(decideAt(hub([kept('todo', 'A', t0)], at(t0 + 120_000)), wrote('E', 'todo', t0 + 60_000)), 'writeback', 'the hub changed since');
  });

  test('one HEAD does not hold, or where rank pushes the file’s value, changes nothing', () => {
    assert.equal(decideAt(hub([kept('todo', 'A', t0)]), wrote('D', 'done', t0 + 60_000)), 'writeback');
    const higher = plan(
      input({
        files: [fileTask('done')],
        hubTasks: [{ ...hubTask('blocked', [kept('todo', 'A', t0)]), updatedAt: at(t0) }],
        head: 'M',
        writtenBack: wrote('E', 'blocked', t0 + 60_000),
      }),
    );
    assert.equal(higher.decisions.get('T1'), 'push');
  });
});
