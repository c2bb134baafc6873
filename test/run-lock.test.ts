import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { acquireRunLock } from '../src/clone/lock.js';

/** A pid no process has: kill(pid, 0) answers ESRCH. */
const DEAD = '2147483646';

async function gitDir(t: import('node:test').TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'run-lock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('one run of many that find the same dead run lock at once takes it over; the others see it held', async (t) => {
  for (let round = 0; round < 100; round++) {
    const dir = await gitDir(t);
    await writeFile(path.join(dir, 'custodian-hooks.lock'), DEAD);
    const taken = await Promise.all(Array.from({ length: 12 }, () => acquireRunLock(dir)));
    const holders = taken.filter((release) => release !== null);
    assert.equal(holders.length, 1, `round ${round}: ${holders.length} runs hold the lock`);
    assert.match(await readFile(path.join(dir, 'custodian-hooks.lock'), 'utf8'), new RegExp(`^${process.pid} `));
    assert.deepEqual(await readdir(dir), ['custodian-hooks.lock'], 'nothing left beside it');
    await holders[0]!();
    assert.notEqual(await acquireRunLock(dir), null, 'released, it is free');
  }
});

test('a lock appears with its pid; an empty one, which an older version died before filling, is taken over', async (t) => {
  const dir = await gitDir(t);
  const release = await acquireRunLock(dir);
  assert.ok(release);
  assert.equal(await acquireRunLock(dir), null, 'held by a live run');
  await release();
  await writeFile(path.join(dir, 'custodian-hooks.lock'), '');
  assert.notEqual(await acquireRunLock(dir), null);
});
