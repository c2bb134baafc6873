import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReport, scene } from './helpers/scene.js';

/**
 * Found by the grown simulation (SIM_WORLD=all SIM_SEED=2 SIM_PATH=14): a sync point on a commit
 * that left the world (a run's commit reset or rebased away without the hooks) is history no clone
 * will ever hold, so whether it saw the file's value stays unknown, and unknown never decides.
 * The task is reported with the remedy that works then, and that remedy settles it.
 */
test('a sync point on a commit reset away leaves the task undecided, never decided on the missing fact; making the two sides equal settles it', async (t) => {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  // The laptop sets A done and syncs it, then throws that commit away: the hub's point names it.
  const laptop = await s.clone('laptop');
  await laptop.edit('A', 'done');
  assert.equal((await laptop.run('--fix')).code, 0);
  await laptop.git('reset', '-q', '--hard', 'HEAD~1');
  await laptop.git('reflog', 'expire', '--expire=now', '--all');
  await laptop.git('gc', '-q', '--prune=now');
  assert.equal(await s.hubStatus('A'), 'done');

  await ws.edit('A', 'in_progress');
  const stuck = parseReport((await ws.run('--fix')).stdout);
  const [undecided] = stuck.findings.filter((f) => f.code === 'C-27');
  assert.match(undecided?.message ?? '', /commits this clone does not have .* if that commit is gone for good .* make the two sides equal/);
  assert.equal(await ws.statusInFile('A'), 'in_progress', 'the file is left as it is');
  assert.equal(await s.hubStatus('A'), 'done', 'the hub is left as it is');

  assert.equal((await ws.cli('task', 'set', 'A', 'in_progress')).code, 0);
  const settled = parseReport((await ws.run('--fix')).stdout);
  assert.deepEqual(
    settled.findings.filter((f) => f.code === 'C-27'),
    [],
  );
  await ws.edit('A', 'blocked');
  await ws.run('--fix');
  assert.equal(await s.hubStatus('A'), 'blocked', 'a later edit in the file reaches the hub: the task is not stuck');
});
