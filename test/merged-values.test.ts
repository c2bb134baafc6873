import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { gitAsUser } from './helpers/git-user.js';
import { parseReport, scene } from './helpers/scene.js';
import { commitFiles } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

// Merges whose value the rules must read as news. A rule for a stale side a person keeps in a
// conflict (the class of SIM_SEED=20261402 SIM_PATH=116, a to-do until 0b44df1) must keep all three: a first attempt, which
// judged a value by the agreements its own side saw wherever both sides had changed the status
// since they forked, lost the first and the third and held the second up for good.

/** A in_progress, synced and pushed; the laptop cloned there: where the two sides fork. */
async function inProgressEverywhere(t: TestContext) {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const ws = s.workstation;
  await ws.edit('A', 'in_progress');
  assert.equal((await ws.run('--fix')).code, 0);
  await ws.git('push', '-q', 'origin', 'main');
  return { s, ws, laptop: await s.clone('laptop') };
}

test('the same reopen on both sides, merged cleanly, is news: the reopen made after the agreement stands', async (t) => {
  const { s, ws, laptop } = await inProgressEverywhere(t);
  await ws.edit('A', 'done');
  await ws.git('push', '-q', 'origin', 'main');
  assert.equal((await ws.run('--fix')).code, 0);
  // The workstation reopens A having seen done, pushing without the hooks; the laptop, which never saw done, reopens it too.
  await ws.edit('A', 'todo');
  await ws.git('push', '-q', 'origin', 'main');
  await laptop.edit('A', 'todo');
  assert.equal((await gitAsUser(laptop.dir, s.env, 'pull', '-q', '--no-rebase', 'origin', 'main')).code, 0, 'git merges the two alike changes');
  assert.equal((await laptop.run('--fix')).code, 0);
  assert.equal(await s.hubStatus('A'), 'todo');
  assert.equal(await laptop.statusInFile('A'), 'todo');
});

test('a task born on a branch both lines merged (two merge bases, one without it) is decided, not held up', async (t) => {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  await ws.git('checkout', '-q', '-b', 'feat');
  await commitFiles(ws.dir, { 'docs/feat.md': workplan([{ id: 'T', status: 'todo' }]) }, 'plan T');
  await ws.git('push', '-q', 'origin', 'feat');
  await ws.git('checkout', '-q', 'main');
  await commitFiles(ws.dir, { 'README.md': '# acme\nmore\n' }, 'unrelated');
  await ws.git('push', '-q', 'origin', 'main');
  const laptop = await s.clone('laptop');
  await ws.git('merge', '-q', '--no-edit', 'feat');
  await ws.git('push', '-q', 'origin', 'main');
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal(await s.hubStatus('T'), 'todo');

  await laptop.git('fetch', '-q', 'origin');
  await laptop.git('merge', '-q', '--no-edit', 'origin/feat');
  const feat = path.join(laptop.dir, 'docs/feat.md');
  await commitFiles(laptop.dir, { 'docs/feat.md': (await readFile(feat, 'utf8')).replace(/(id: T\nstatus: )\w+/, '$1done') }, 'T done');
  assert.equal((await gitAsUser(laptop.dir, s.env, 'pull', '-q', '--no-rebase', 'origin', 'main')).code, 0);
  assert.equal((await laptop.git('merge-base', '--all', 'HEAD^1', 'HEAD^2')).trim().split('\n').length, 2, 'a criss-cross merge');
  const run = await laptop.run('--fix');
  assert.deepEqual(
    parseReport(run.stdout)
      .findings.filter((f) => f.taskId === 'T')
      .map((f) => f.code),
    ['C-11'],
  );
  assert.equal(await s.hubStatus('T'), 'done');
});

test('a reopen git merged cleanly over a status that went away and came back stays news through the next merge, and the merge driver reads it as the run after it does', async (t) => {
  const { s, ws, laptop } = await inProgressEverywhere(t);
  const c = await s.clone('c');
  // c finishes A and syncs; the workstation writes done back. c then moves A back to in_progress
  // and pushes without the hooks; the laptop, which never saw done, sets todo.
  await c.edit('A', 'done');
  assert.equal((await c.run('--fix')).code, 0);
  assert.equal((await ws.run('--fix')).code, 0);
  await c.edit('A', 'in_progress');
  await c.git('push', '-q', 'origin', 'main');
  await laptop.edit('A', 'todo');
  await laptop.git('pull', '-q', '--no-rebase', 'origin', 'main');
  assert.equal(await laptop.statusInFile('A'), 'todo', "git takes the laptop's todo over c's in_progress, the fork's text");
  await ws.git('pull', '-q', '--no-rebase', 'origin', 'main');
  await ws.git('push', '-q', 'origin', 'main');

  assert.equal((await laptop.cli('install')).code, 0);
  const pulled = await gitAsUser(laptop.dir, s.env, 'pull', '-q', '--no-rebase', 'origin', 'main');
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.equal(await s.hubStatus('A'), 'todo');
  assert.equal(await laptop.statusInFile('A'), 'todo');
});
