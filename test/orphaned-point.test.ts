import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { Status } from '../src/status.js';
import { parseReport, scene } from './helpers/scene.js';
import { commitFiles } from './helpers/temp-repo.js';

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
  assert.match(undecided!.message, /in_progress written into the file and committed keeps the hub's, `custodian-hooks task set A done` keeps the file's/);
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

test('a sync point on a commit a rebase replaced, its record not at the hub, never lets rank undo a reopen made on top of it', async (t) => {
  // Found by review: had rank settled "blind" where the hub's value is of higher rank, this lost the reopen.
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  // An agent sets A done; the laptop (no hooks) writes it back in commit W and the hub's point names W.
  const laptop = await s.clone('laptop');
  assert.equal((await laptop.cli('task', 'set', 'A', 'done')).code, 0);
  assert.equal((await laptop.run('--fix')).code, 0);
  const w = await laptop.head();
  await commitFiles(ws.dir, { 'notes.txt': 'x\n' }, 'notes');
  await ws.git('push', '-q', 'origin', 'main');
  // The laptop rebases W onto that (W becomes W', no hook tells the hub) and pushes.
  await laptop.git('pull', '-q', '--rebase');
  await laptop.git('push', '-q', 'origin', 'main');
  // Someone sees done on main and reopens it, on top of W'.
  const web = await s.clone('web');
  await web.edit('A', 'in_progress', 'A: reopened, not finished');
  await web.git('push', '-q', 'origin', 'main');
  await ws.git('pull', '-q', '--no-rebase');
  await assert.rejects(ws.git('cat-file', '-e', `${w}^{commit}`), 'the workstation never held W');

  const report = parseReport((await ws.run('--fix')).stdout);
  assert.deepEqual(
    report.findings.map((f) => f.code),
    ['C-27'],
  );
  assert.equal(await ws.statusInFile('A'), 'in_progress', 'the reopen is not written over');
  assert.equal(await s.hubStatus('A'), 'done');
});
