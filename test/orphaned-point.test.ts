import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { Status } from '../src/status.js';
import { parseReport, scene } from './helpers/scene.js';

/**
 * Found by the grown simulation (SIM_WORLD=all SIM_SEED=2 SIM_PATH=14): a sync point on a commit
 * that left the world (a run's commit reset or rebased away without the hooks) is history no clone
 * will ever hold, so whether it saw the file's value stays unknown, and unknown never decides.
 * The task is reported with the remedy that works then, and that remedy settles it.
 */
async function orphanedPoint(t: TestContext, laptopStatus: Status) {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  // The laptop sets A and syncs it, then throws that commit away: the hub's point names it.
  const laptop = await s.clone('laptop');
  await laptop.edit('A', laptopStatus);
  assert.equal((await laptop.run('--fix')).code, 0);
  await laptop.git('reset', '-q', '--hard', 'HEAD~1');
  await laptop.git('reflog', 'expire', '--expire=now', '--all');
  await laptop.git('gc', '-q', '--prune=now');
  assert.equal(await s.hubStatus('A'), laptopStatus);
  return s;
}

test('a sync point on a commit reset away leaves the task undecided where the missing fact decides; making the two sides equal settles it', async (t) => {
  const s = await orphanedPoint(t, 'in_progress');
  const ws = s.workstation;
  // Seen by the lost point, the file's done is old news (the hub's in_progress stands); not seen, rank pushes done.
  await ws.edit('A', 'done');
  const stuck = parseReport((await ws.run('--fix')).stdout);
  const [undecided] = stuck.findings.filter((f) => f.code === 'C-27');
  assert.match(undecided?.message ?? '', /commits this clone does not have .* if that commit is gone for good .* make the two sides equal/);
  assert.equal(await ws.statusInFile('A'), 'done', 'the file is left as it is');
  assert.equal(await s.hubStatus('A'), 'in_progress', 'the hub is left as it is');

  assert.equal((await ws.cli('task', 'set', 'A', 'done')).code, 0);
  const settled = parseReport((await ws.run('--fix')).stdout);
  assert.deepEqual(
    settled.findings.filter((f) => f.code === 'C-27'),
    [],
  );
  await ws.edit('A', 'blocked');
  await ws.run('--fix');
  assert.equal(await s.hubStatus('A'), 'blocked', 'a later edit in the file reaches the hub: the task is not stuck');
});

test('a sync point on a commit reset away decides nothing where both answers agree: the hub of higher rank stands', async (t) => {
  const s = await orphanedPoint(t, 'done');
  const ws = s.workstation;
  // Seen by the lost point or not, the hub's done stands (rule 2, or rank): nothing waits for a person.
  await ws.edit('A', 'in_progress');
  const report = parseReport((await ws.run('--fix')).stdout);
  assert.deepEqual(report.findings.map((f) => f.code).sort(), ['C-13', 'C-22']);
  assert.equal(await ws.statusInFile('A'), 'done');
  assert.equal(await s.hubStatus('A'), 'done');
  assert.equal(parseReport((await ws.run('--fix')).stdout).findings.length, 0, 'a second run is a no-op');
});
