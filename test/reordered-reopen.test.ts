import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PLAN, parseReport, scene } from './helpers/scene.js';
import { commitFiles } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

/**
 * Found by the grown simulation's soak (SIM_WORLD=all SIM_SEED=20261201 SIM_PATH=98): blocks
 * swapped in a file keep their identical `status: todo` lines as unchanged text, so blame follows
 * C's line into A's. A held todo then, and C had been todo too before it went to blocked and back:
 * the value trace took the reopen for the first todo, which the hub had seen, and wrote blocked
 * back over it.
 */
test('a reopen followed by a reordering of the blocks is still news: blame matching another task’s identical line does not make it old', async (t) => {
  const s = await scene(t, [
    { id: 'A', status: 'todo' },
    { id: 'B', status: 'todo' },
    { id: 'C', status: 'todo' },
  ]);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  await ws.edit('C', 'blocked');
  assert.equal((await ws.run('--fix')).code, 0);
  await ws.git('push', '-q', 'origin', 'main');
  assert.equal(await s.hubStatus('C'), 'blocked');

  const laptop = await s.clone('laptop');
  await laptop.edit('C', 'todo', 'C: reopened');
  await commitFiles(
    laptop.dir,
    {
      [PLAN]: workplan([
        { id: 'C', status: 'todo' },
        { id: 'B', status: 'todo' },
        { id: 'A', status: 'todo' },
      ]),
    },
    'C first',
  );
  await laptop.git('push', '-q', 'origin', 'main');
  await ws.git('pull', '-q', '--no-rebase');

  const report = parseReport((await ws.run('--fix')).stdout);
  assert.deepEqual(
    report.findings.filter((f) => f.taskId === 'C').map((f) => f.code),
    ['C-11'],
  );
  assert.equal(await s.hubStatus('C'), 'todo', 'the reopen reaches the hub');
  assert.equal(await ws.statusInFile('C'), 'todo');
});
