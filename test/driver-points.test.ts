import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { keepDriverPoints, readDriverPoints } from '../src/clone/driver-points.js';
import type { DriverPoint, HubTask, SyncPoint } from '../src/hub/types.js';
import { withDriverPoints } from '../src/reconcile/driver-points.js';
import { tempDir } from './helpers/temp-repo.js';

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
