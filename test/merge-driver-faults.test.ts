import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { git } from '../src/git/run.js';
import { openStore } from '../src/hub/open.js';
import type { Hub, RepoState, SyncBatch } from '../src/hub/types.js';
import { olderHub } from './helpers/hubs.js';
import { type DriverArgs, driverMain, mergeDriver } from '../src/merge/driver.js';
import { runCli } from './helpers/cli.js';
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
  return { s, args, theirs, said, deps, result: () => readFile(args.ours, 'utf8') };
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

test('merge-driver run by hand with a missing ours file or missing arguments: one line saying so, exit 2, no stack', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'custodian-driver-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const missing = await runCli(dir, ['merge-driver', 'base', 'gone', 'theirs', '7', PLAN]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^custodian-hooks merge-driver: cannot read ours \(%A\) at gone: ENOENT/);
  assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack');
  const short = await runCli(dir, ['merge-driver', 'base']);
  assert.equal(short.code, 2);
  assert.match(short.stderr, /^usage: custodian-hooks merge-driver %O %A %B %L %P/);
});

test("the hub's value taken in a merge is noted on the hub, by the merge's two parents; a hub too old to keep notes is not sent one", async (t) => {
  const c = await statusConflict(t);
  assert.equal((await c.s.workstation.cli('task', 'set', 'A', 'cancelled')).code, 0, 'the hub moves too: both sides and the hub moved');
  const store = () => openStore(c.s.env.CUSTODIAN_HUB!);
  const sent: SyncBatch[] = [];
  // A hub from before driver points: its answers hold none, and it would refuse them.
  const older = async (): Promise<Hub> =>
    olderHub(await store(), 'driverPoints', async (batch) => {
      sent.push(batch);
      throw new Error('invalid request: body: Unrecognized key: "driverPoints"');
    });
  assert.equal(await mergeDriver(c.args, c.deps({ [`GITHEAD_${c.theirs}`]: 'other' }, older)), 0);
  assert.match(c.said.join('\n'), /merged as cancelled/);
  assert.deepEqual(sent, [], 'nothing sent to a hub that keeps no notes');
  assert.doesNotMatch(c.said.join('\n'), /could not/);

  // git passes ours afresh: HEAD's version.
  await writeFile(c.args.ours, await git(c.s.workstation.dir, ['show', `HEAD:${PLAN}`]));
  const again = await mergeDriver(c.args, c.deps({ [`GITHEAD_${c.theirs}`]: 'other' }));
  assert.equal(again, 0, c.said.join('\n'));
  const hub = await store();
  t.after(() => hub.close());
  const state = (await hub.readRepo('acme')) as RepoState;
  assert.deepEqual(
    state.driverPoints?.map((p) => [p.id, p.status, p.statusVersion, p.parent, p.theirs]),
    [['A', 'cancelled', 1, await c.s.workstation.head(), c.theirs]],
  );
});
