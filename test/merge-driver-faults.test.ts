import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { git } from '../src/git/run.js';
import type { Hub } from '../src/hub/types.js';
import { type DriverArgs, driverMain, mergeDriver } from '../src/merge/driver.js';
import { PLAN, scene } from './helpers/scene.js';

/** A status conflict ready for the driver: the three versions as git would pass them, and the commit theirs is. */
async function statusConflict(t: TestContext) {
  const s = await scene(t, [
    { id: 'A', status: 'todo' },
    { id: 'B', status: 'todo' },
  ]);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  const base = await ws.head();
  await ws.git('checkout', '-q', '-b', 'other');
  const theirs = await ws.edit('A', 'blocked');
  await ws.git('checkout', '-q', 'main');
  await ws.edit('A', 'done');
  const version = async (name: string, rev: string) => {
    const file = path.join(s.root, name);
    await writeFile(file, await git(ws.dir, ['show', `${rev}:${PLAN}`]));
    return file;
  };
  const args: DriverArgs = {
    base: await version('O', base),
    ours: await version('A', 'HEAD'),
    theirs: await version('B', theirs),
    markerSize: 7,
    file: PLAN,
    labels: { base: null, ours: null, theirs: null },
  };
  const said: string[] = [];
  const deps = (env: Record<string, string>, openHub?: () => Promise<Hub>) => ({
    cwd: ws.dir,
    env: { ...s.env, ...env },
    warn: (line: string) => said.push(line),
    ...(openHub ? { openHub } : {}),
  });
  return { args, theirs, said, deps, result: () => readFile(args.ours, 'utf8') };
}

test('a hub that never answers: past CUSTODIAN_HOOK_TIMEOUT the conflict is left as git leaves it, and git goes on', async (t) => {
  const c = await statusConflict(t);
  const silent = { readRepo: () => new Promise(() => {}), close: async () => {} } as unknown as Hub;
  const started = Date.now();
  const left = await mergeDriver(
    c.args,
    c.deps({ [`GITHEAD_${c.theirs}`]: 'other', CUSTODIAN_HOOK_TIMEOUT: '0.3' }, async () => silent),
  );
  assert.equal(left, 1);
  assert.ok(Date.now() - started < 3000, 'the deadline, not the hub, ended it');
  assert.match(c.said.join('\n'), /status conflicts left for you: no answer within 0\.3 s \(CUSTODIAN_HOOK_TIMEOUT\)/);
  assert.match(await c.result(), /<<<<<<< HEAD\nstatus: done\n=======\nstatus: blocked\n>>>>>>> other\n/, "git's markers, theirs named as git names it");
});

test('git not saying which commit theirs is (a stash being applied), or naming one that does not hold the bytes: nothing is decided', async (t) => {
  const c = await statusConflict(t);
  assert.equal(await mergeDriver(c.args, c.deps({})), 1);
  assert.match(c.said.at(-1)!, /status conflicts left for you: git did not say which commit theirs is/);
  const head = (await git(path.dirname(c.args.base), ['-C', path.join(path.dirname(c.args.base), 'workstation'), 'rev-parse', 'HEAD'])).trim();
  assert.equal(await mergeDriver(c.args, c.deps({ [`GITHEAD_${head}`]: 'main' })), 1, 'HEAD holds ours, not theirs');
  assert.match(c.said.at(-1)!, /git did not say which commit theirs is, or that commit does not hold the file as git passed it/);
  assert.match(await c.result(), /<<<<<<< HEAD\nstatus: done\n=======\nstatus: blocked\n>>>>>>> /);
});

test('with the facts at hand the driver settles the line: both edits are news, and done outranks blocked (C-22)', async (t) => {
  const c = await statusConflict(t);
  assert.equal(await mergeDriver(c.args, c.deps({ [`GITHEAD_${c.theirs}`]: 'other' })), 0);
  assert.match(
    c.said.join('\n'),
    /task 'A' \(ours done, theirs blocked\): merged as done: both sides changed it since the hub last heard: the higher rank won \(C-22\)/,
  );
  assert.match(await c.result(), /id: A\nstatus: done\n/);
  assert.doesNotMatch(await c.result(), /<<<<<<<|>>>>>>>/);
});

test('a driver that fails leaves git a conflict with ours as git passed it, never a silent merge', async (t) => {
  const c = await statusConflict(t);
  const before = await c.result();
  const code = await driverMain([c.args.base, c.args.ours, path.join(path.dirname(c.args.base), 'gone'), '7', PLAN]);
  assert.ok(code > 0, 'a conflict to git');
  assert.equal(await c.result(), before, "ours' bytes as git passed them");
});
