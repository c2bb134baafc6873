import assert from 'node:assert/strict';
import { appendFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { gitOutcome } from '../src/git/run.js';
import { openStore } from '../src/hub/open.js';
import type { SyncBatch } from '../src/hub/types.js';
import { olderHub } from './helpers/hubs.js';
import { openRepo } from '../src/repo.js';
import { ownScope, readOwnRecords } from '../src/clone/own-records.js';
import { reconcileRepo } from '../src/sync/reconcile-repo.js';
import { createToken, spawnHub } from './helpers/hub-process.js';
import { runCli } from './helpers/cli.js';
import { type Machine, PLAN, parseReport, scene } from './helpers/scene.js';
import { shiftedClock } from './helpers/shifted-clock.js';
import { tempDir } from './helpers/temp-repo.js';

/** Where every case here starts: tasks A and B, todo. */
const TWO_TASKS = [
  { id: 'A', status: 'todo' },
  { id: 'B', status: 'todo' },
];

/** A command that must succeed: on failure, `what` and its stderr say which. */
async function must(ran: Promise<{ code: number; stderr: string }>, what: string) {
  const done = await ran;
  assert.equal(done.code, 0, `${what}: ${done.stderr}`);
}

/** Copies the scene's embedded hub aside; the function returned restores the hub from that copy, as an operator would. */
async function backUp(s: { root: string; env: NodeJS.ProcessEnv }, name = 'hub-backup'): Promise<() => Promise<void>> {
  const hubFile = s.env.CUSTODIAN_HUB!;
  const backup = path.join(s.root, `${name}.sqlite`);
  await copyFile(hubFile, backup);
  return () => copyFile(backup, hubFile);
}

/** Whether a run's report says rank decided task `id` (C-22). */
const decidedByRank = (stdout: string, id: string) => parseReport(stdout).findings.some((f) => f.code === 'C-22' && f.taskId === id);

/**
 * A hub restored from a backup taken before a clone's writeback lost that run's records. The
 * clone's own copy says it wrote back the hub's value at a status version the restored hub's
 * history holds with that same value: the agreement stands on the hub's present line, so what the
 * hub has set since is newer, and a stale push of the written-back value would undo it.
 */
test("a writeback the restored hub lost still counts as heard where the hub's history holds that value at that version", async (t) => {
  const s = await scene(t, TWO_TASKS);
  const ws = s.workstation;
  await must(ws.run('--fix'), 'the first sync');
  await must(ws.cli('task', 'set', 'A', 'done'), 'an agent sets done');
  const restore = await backUp(s);
  await must(ws.run('--fix'), 'the writeback of done');
  assert.equal(await ws.statusInFile('A'), 'done');

  await restore();
  await must(ws.cli('task', 'set', 'A', 'blocked'), 'an agent sets blocked after the restore');

  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'blocked', "the agent's later blocked stands");
  assert.equal(await ws.statusInFile('A'), 'blocked', 'and is written back');
  assert.ok(!parseReport(run.stdout).actions.some((a) => a.type === 'push' && a.taskId === 'A'));
});

/** Tasks A and B on an embedded hub, synced, the hub backed up, then A set done in the file and pushed: the push a restore loses. */
async function pushedAfterBackup(t: TestContext) {
  const s = await scene(t, TWO_TASKS);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  const restore = await backUp(s);
  await ws.edit('A', 'done');
  assert.equal((await ws.run('--fix')).code, 0);
  return { s, ws, restore };
}

test('a push the restored hub lost is news again: the value is pushed, not undone by the older value restored', async (t) => {
  const { s, ws, restore } = await pushedAfterBackup(t);
  assert.equal(await s.hubStatus('A'), 'done');

  // Restored to todo at status version 0; then someone moves B, not A.
  await restore();
  assert.equal((await ws.cli('task', 'set', 'B', 'blocked')).code, 0);

  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'done', 'the restore lost the push; the file still holds it');
  assert.equal(await ws.statusInFile('A'), 'done');
});

test('a push the restored hub lost, whose status version the hub reached again with another value, is not read as heard', async (t) => {
  const { s, ws, restore } = await pushedAfterBackup(t);

  // Restored to todo; an agent sets blocked (version 1, where this clone's point says done), then todo (version 2).
  await restore();
  assert.equal((await ws.cli('task', 'set', 'A', 'blocked')).code, 0);
  assert.equal((await ws.cli('task', 'set', 'A', 'todo')).code, 0);

  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  // Both sides changed since the last agreement the hub still holds: rank, done over todo, reported.
  assert.equal(await s.hubStatus('A'), 'done');
  assert.ok(decidedByRank(run.stdout, 'A'));
});

test('a push the restored hub lost, whose status version and status the hub reached again after the restore, is not read as heard', async (t) => {
  // Found by review: the same status at the same version is not the same change, when it was made after the restore.
  const { s, ws, restore } = await pushedAfterBackup(t);
  // A person reopens A in the file, not synced yet; the hub is restored, and an agent sets done: version 1 again, the newest change.
  await ws.edit('A', 'in_progress');
  await restore();
  assert.equal((await ws.cli('task', 'set', 'A', 'done')).code, 0);

  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'done', "the agent's done is not overwritten as if it were the clone's old one");
  assert.ok(decidedByRank(run.stdout, 'A'), 'both moved: rank, reported');
});

test('over HTTP too: the hub names a run by its token and machine, and the clone still knows which of its runs the hub lost', async (t) => {
  const hub = await httpHub(t);
  const s = await scene(t, TWO_TASKS, { hubUrl: hub.url, token: await hub.token('ws') });
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal((await ws.cli('task', 'set', 'A', 'done')).code, 0);
  const backup = path.join(s.root, 'hub-backup.sqlite');
  await hub.copyStopped(hub.db, backup);
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal(await ws.statusInFile('A'), 'done');

  await hub.copyStopped(backup, hub.db);
  assert.equal((await ws.cli('task', 'set', 'A', 'blocked')).code, 0);
  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'blocked', "the agent's later blocked stands");
  assert.equal(await ws.statusInFile('A'), 'blocked');
});

/**
 * An HTTP hub (keeping `runs` run records, if given; its process started with `env`), stopped and
 * started again at its address when its file is copied, as an operator backs up or restores one,
 * or when its host's clock is set (`env` again).
 */
async function httpHub(t: TestContext, { runs, env = {} }: { runs?: number; env?: Record<string, string> } = {}) {
  const db = path.join(await tempDir(t), 'hub.sqlite');
  const flags = runs === undefined ? [] : ['--keep-runs', String(runs), '--keep-days', '0'];
  const hub = { process: await spawnHub(t, db, env, flags), db };
  const port = new URL(hub.process.url).port;
  const restart = async (between: () => Promise<void>, env: Record<string, string>) => {
    hub.process.process.kill('SIGTERM');
    await hub.process.process;
    await between();
    hub.process = await spawnHub(t, db, env, [...flags, '--port', port]);
  };
  return {
    url: hub.process.url,
    db,
    token: (name: string) => createToken(db, name),
    copyStopped: (from: string, to: string, env: Record<string, string> = {}) => restart(() => copyFile(from, to), env),
    restart: (env: Record<string, string> = {}) => restart(async () => undefined, env),
  };
}

test('a run the restore lost is not read as dropped because a run sent after the restore is held (review)', async (t) => {
  const hub = await httpHub(t, { runs: 2 });
  const token = await hub.token('ws');
  const s = await scene(t, TWO_TASKS, { hubUrl: hub.url, token });
  const ws = s.workstation;
  const fix = async () => assert.equal((await ws.run('--fix')).code, 0);
  await fix();
  for (const status of ['in_progress', 'blocked']) {
    await ws.edit('B', status);
    await fix();
  }
  const backup = path.join(s.root, 'hub-backup.sqlite');
  await hub.copyStopped(hub.db, backup);
  await ws.edit('A', 'done');
  await fix();
  await hub.copyStopped(backup, hub.db);
  // A run with the workplan dirty skips its tasks, and its record reaches the restored hub.
  await appendFile(path.join(ws.dir, PLAN), '\nnote\n');
  await fix();
  await ws.git('checkout', '--', PLAN);
  await fix();
  assert.equal(await ws.statusInFile('A'), 'done', 'the done the restore lost is not undone in the file');
  assert.equal(await s.hubStatus('A'), 'done', 'and is sent again');
});

test("another clone's run at the same commit is not this clone's: no restore is read into it (review)", async (t) => {
  const hub = await httpHub(t, { runs: 1 });
  const s = await scene(
    t,
    [
      { id: 'A', status: 'done' },
      { id: 'B', status: 'todo' },
    ],
    { hubUrl: hub.url, token: await hub.token('ws') },
  );
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  const laptop = await s.clone('laptop');
  const laptopToken = await hub.token('laptop');
  // A person reopens A and closes it again, unpushed: the workstation's run vouches for that commit.
  await ws.edit('A', 'in_progress');
  await ws.edit('A', 'done');
  assert.equal((await ws.run('--fix')).code, 0);
  // The laptop's run at the first commit is the one run the hub keeps: the same commit as the workstation's first.
  assert.equal((await runCli(laptop.dir, ['run', '--fix'], { ...s.env, CUSTODIAN_HUB_TOKEN: laptopToken })).code, 0);
  assert.equal((await ws.cli('task', 'set', 'A', 'in_progress')).code, 0);
  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'in_progress', "the agent's newer in_progress stands");
});

/**
 * Tasks A and B synced; an agent sets A done, the hub is backed up, the agent sets A blocked, and
 * `clone` (the workstation, or a new clone whose first run this is) writes blocked back: the
 * restore that follows takes A back to done and loses that run.
 */
async function writebackRestoredAway(t: TestContext, clone: 'workstation' | 'laptop') {
  const s = await scene(t, TWO_TASKS);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal((await ws.cli('task', 'set', 'A', 'done')).code, 0);
  const restore = await backUp(s);
  assert.equal((await ws.cli('task', 'set', 'A', 'blocked')).code, 0);
  const writer = clone === 'workstation' ? ws : await s.clone('laptop');
  assert.equal((await writer.run('--fix')).code, 0);
  assert.equal(await writer.statusInFile('A'), 'blocked');
  await restore();
  assert.equal(await s.hubStatus('A'), 'done');
  return { s, writer };
}

test('a restore that took a task back past a writeback: the file holds the newer value and it is pushed again', async (t) => {
  const { s, writer } = await writebackRestoredAway(t, 'workstation');
  const run = await writer.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await writer.statusInFile('A'), 'blocked', "the agent's blocked, newer than the restored done, is not undone in the file");
  assert.equal(await s.hubStatus('A'), 'blocked', 'and reaches the hub again');
  assert.ok(!parseReport(run.stdout).findings.some((f) => f.code === 'C-22'), 'not by rank: the file is the newer');
});

test('the same from a clone whose only run the restore lost: its missing run shows the restore, as the hub never dropped one', async (t) => {
  const { s, writer } = await writebackRestoredAway(t, 'laptop');
  const run = await writer.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await writer.statusInFile('A'), 'blocked');
  assert.equal(await s.hubStatus('A'), 'blocked');
});

test('a restore that took a task back, then a change made in the hub: the newer change stands', async (t) => {
  const { s, writer } = await writebackRestoredAway(t, 'workstation');
  assert.equal((await writer.cli('task', 'set', 'A', 'in_progress')).code, 0);
  const run = await writer.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'in_progress', "the agent's change after the restore is the newest");
  assert.equal(await writer.statusInFile('A'), 'in_progress', 'and is written back');
});

// The review of the roll-back above found these: evidence it must not take for a restore.

/** The workstation syncs on the embedded store (no CUSTODIAN_HUB), moving A to in_progress and then blocked there. */
async function workedOnEmbeddedStore(ws: Machine, env: NodeJS.ProcessEnv) {
  const embedded = { XDG_STATE_HOME: env.XDG_STATE_HOME! };
  const fixEmbedded = async () => {
    const ran = await runCli(ws.dir, ['run', '--json', '--fix'], embedded);
    assert.equal(ran.code, 0, ran.stderr);
  };
  await fixEmbedded();
  await ws.edit('A', 'in_progress');
  await fixEmbedded();
  await ws.edit('A', 'blocked');
  await fixEmbedded();
}

test("a clone moving from the embedded store to a team's hub: its records of the old one are no restore, and do not undo a change it never saw", async (t) => {
  const s = await scene(t, TWO_TASKS);
  const laptop = await s.clone('laptop');
  assert.equal((await laptop.run('--fix')).code, 0, "the laptop syncs with the team's hub");
  assert.equal((await laptop.cli('task', 'set', 'A', 'done')).code, 0, 'an agent sets done there');
  await workedOnEmbeddedStore(s.workstation, s.env);

  const run = await s.workstation.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'done', "the agent's done, which this clone never saw, is not undone");
  assert.ok(decidedByRank(run.stdout, 'A'), 'both moved: decided by rank, and reported');
});

test("the merge driver does not read a clone's records of the embedded store as a restore of the team's hub", async (t) => {
  const s = await scene(t, TWO_TASKS);
  const laptop = await s.clone('laptop');
  assert.equal((await laptop.run('--fix')).code, 0);
  await laptop.edit('A', 'done');
  assert.equal((await laptop.run('--fix')).code, 0, "the laptop's done reaches the team's hub");
  const ws = s.workstation;
  await workedOnEmbeddedStore(ws, s.env);
  await laptop.git('push', '-q', 'origin', 'main');
  assert.equal((await ws.cli('install')).code, 0);

  const merged = await gitOutcome(ws.dir, ['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main'], s.env);
  assert.doesNotMatch(merged.stderr, /merged as blocked/, merged.stderr);
  assert.notEqual(await ws.statusInFile('A'), 'blocked', "the laptop's done, which the hub holds, is not merged away as older");
});

test("a hub restored onto a host whose clock is behind: an agent's change after the restore is not undone as older than the lost point", async (t) => {
  const hub = await httpHub(t);
  const s = await scene(t, TWO_TASKS, { hubUrl: hub.url, token: await hub.token('ws') });
  const ws = s.workstation;
  await must(ws.run('--fix'), 'the first sync');
  const backup = path.join(s.root, 'hub-backup.sqlite');
  await hub.copyStopped(hub.db, backup);
  await must(ws.cli('task', 'set', 'A', 'blocked'), 'an agent sets blocked');
  await must(ws.cli('task', 'set', 'A', 'in_progress'), 'then in_progress');
  await must(ws.run('--fix'), 'the writeback of in_progress');

  await hub.copyStopped(backup, hub.db, { NODE_OPTIONS: await shiftedClock(s.root, -3600e3) });
  await must(ws.cli('task', 'set', 'A', 'done'), 'an agent sets done after the restore');
  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'done', "the agent's done, the newest change, stands");
  assert.equal(await ws.statusInFile('A'), 'done', 'and is written back');
});

test('a hub clock set right after running fast is no restore: a dropped run that heard the value still counts, and a reopen stands', async (t) => {
  const fast = { NODE_OPTIONS: await shiftedClock(await tempDir(t), 3600e3) };
  const hub = await httpHub(t, { runs: 1, env: fast });
  const s = await scene(t, TWO_TASKS, { hubUrl: hub.url, token: await hub.token('ws') });
  const ws = s.workstation;
  await must(ws.run('--fix'), 'the first sync (the hub clock fast)');
  await ws.edit('A', 'done');
  await must(ws.run('--fix'), 'done pushed (the hub clock fast)');
  await ws.git('push', '-q', 'origin', 'main');
  await hub.restart();
  // Reopened and closed again with no run between: the run after agrees and records no point, so only its run record hears this done.
  await ws.edit('A', 'in_progress');
  await ws.edit('A', 'done');
  await must(ws.run('--fix'), 'the run in agreement');
  const laptop = await s.clone('laptop');
  await must(
    runCli(laptop.dir, ['run', '--json', '--fix'], { ...s.env, CUSTODIAN_HUB_TOKEN: await hub.token('laptop') }),
    "the laptop's run, which pushes the workstation's out",
  );
  assert.equal((await s.hubState()).runsDropped, true);

  await must(ws.cli('task', 'set', 'A', 'todo'), 'an agent reopens A');
  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'todo', 'the reopen stands: the hub had heard of this done');
  assert.equal(await ws.statusInFile('A'), 'todo', 'and is written back');
});

test("a restore, then another clone's deliberate edit to the restored value: the point it records is an agreement since the lost point", async (t) => {
  const s = await scene(t, TWO_TASKS);
  const ws = s.workstation;
  await must(ws.run('--fix'), 'the first sync');
  const laptop = await s.clone('laptop');
  await must(ws.cli('task', 'set', 'A', 'done'), 'an agent sets done');
  const restore = await backUp(s);
  await must(ws.cli('task', 'set', 'A', 'blocked'), 'the agent sets blocked');
  await must(ws.run('--fix'), 'the writeback of blocked');
  await ws.git('push', '-q', 'origin', 'main');
  await restore();

  // A person on the laptop pulls blocked and sets done, as the restored hub has it: the laptop's run records that agreement.
  await laptop.git('pull', '-q', 'origin', 'main');
  await laptop.edit('A', 'done');
  await must(laptop.run('--fix'), "the laptop's run");
  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'done', "the laptop's done, agreed on after the restore, is not undone");
  await must(laptop.run('--fix'), "the laptop's next run");
  assert.equal(await laptop.statusInFile('A'), 'done', "and the person's done stays in the laptop's file");
});

/**
 * Tasks A and B synced in the workstation and the laptop; an agent sets A in_progress, the hub is
 * backed up, the agent sets done, which the workstation writes back, then blocked, which the
 * laptop writes back: the restore that follows takes A back to in_progress and loses both points.
 */
async function lostPointsOnTwoClones(t: TestContext) {
  const s = await scene(t, TWO_TASKS);
  const ws = s.workstation;
  await must(ws.run('--fix'), 'the first sync');
  const laptop = await s.clone('laptop');
  await must(laptop.run('--fix'), "the laptop's first sync");
  await must(ws.cli('task', 'set', 'A', 'in_progress'), 'an agent sets in_progress');
  const restore = await backUp(s);
  await must(ws.cli('task', 'set', 'A', 'done'), 'the agent sets done');
  await must(ws.run('--fix'), 'the workstation writes done back');
  await must(ws.cli('task', 'set', 'A', 'blocked'), 'the agent sets blocked, the newest');
  await must(laptop.run('--fix'), 'the laptop writes blocked back');
  await restore();
  assert.equal(await s.hubStatus('A'), 'in_progress');
  return { s, ws, laptop };
}

test("a value one clone put back after a restore is as old as its lost point: another clone's newer lost point is pushed over it, not undone by rank", async (t) => {
  const { s, ws, laptop } = await lostPointsOnTwoClones(t);
  // The workstation puts its lost done back, as the restore took the hub past it; then the laptop,
  // which holds that commit (fetched from the workstation, so that it is not behind its upstream), runs.
  await must(ws.run('--fix'), 'the workstation puts done back');
  assert.equal(await s.hubStatus('A'), 'done');
  await laptop.git('fetch', '-q', ws.dir, 'main:refs/remotes/workstation/main');
  const run = await laptop.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await laptop.statusInFile('A'), 'blocked', "the agent's blocked, newer than the done put back, is not undone in the file");
  assert.equal(await s.hubStatus('A'), 'blocked', 'and is put back in the hub');
  assert.ok(!decidedByRank(run.stdout, 'A'), 'not by rank: the laptop holds the newer lost point');
});

test('a point another clone records agreeing on the value put back, pulled from the clone that put it back, is no change since either', async (t) => {
  const { s, ws, laptop } = await lostPointsOnTwoClones(t);
  // A commit on top first, so that the point of the put-back is on a commit the desktop will not hold.
  await ws.git('branch', 'written-back');
  await ws.git('commit', '-q', '--allow-empty', '-m', 'later work');
  await must(ws.run('--fix'), 'the workstation puts done back');
  // The desktop pulls the workstation's writeback of done (from the workstation: its upstream stays where it was) and agrees on it.
  const desktop = await s.clone('desktop');
  await desktop.git('pull', '-q', '--no-rebase', ws.dir, 'written-back');
  const agreed = await desktop.run('--fix');
  assert.equal(agreed.code, 0, agreed.stderr);
  assert.equal(await desktop.statusInFile('A'), 'done');
  const points = (await s.hubTasks()).A!.points;
  assert.ok(points.at(-1)!.restates === undefined && points.at(-1)!.status === 'done', "the desktop's run recorded a point of its own");
  await laptop.git('fetch', '-q', ws.dir, 'main:refs/remotes/workstation/main');
  const run = await laptop.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'blocked', "the laptop's newer lost point still puts blocked back");
  assert.equal(await laptop.statusInFile('A'), 'blocked');
});

test("a value a person sets again after the restore is a new edit, not the lost point's: a newer lost point elsewhere does not undo it (review)", async (t) => {
  const { s, ws, laptop } = await lostPointsOnTwoClones(t);
  await ws.git('push', '-q', 'origin', 'main');
  await ws.edit('A', 'in_progress', 'A reopened after the restore');
  await ws.edit('A', 'done', 'A done again, deliberately');
  await must(ws.run('--fix'), "the workstation's run");
  assert.equal(await s.hubStatus('A'), 'done');
  assert.equal((await s.hubTasks()).A!.points.at(-1)!.restates, undefined, 'a new edit restates no lost point');
  await ws.git('push', '-q', 'origin', 'main');
  await must(laptop.cli('install'), 'the hooks on the laptop');
  const pulled = await gitOutcome(laptop.dir, ['pull', '-q', '--no-rebase', 'origin', 'main'], s.env);
  assert.equal(pulled.exitCode, 0, pulled.stderr);
  await must(laptop.run('--fix'), "the laptop's run");
  assert.equal(await s.hubStatus('A'), 'done', "the person's done, set after the restore, stands");
  assert.equal(await laptop.statusInFile('A'), 'done');
});

test('after a second restore, a put-back the hub lost again is as old as the value it put back: the newer lost point stands (review)', async (t) => {
  const s = await scene(t, TWO_TASKS);
  const ws = s.workstation;
  await must(ws.run('--fix'), 'the first sync');
  const laptop = await s.clone('laptop');
  await must(laptop.run('--fix'), "the laptop's first sync");
  const restoreWeekly = await backUp(s, 'weekly');
  await must(ws.cli('task', 'set', 'A', 'in_progress'), 'an agent sets in_progress');
  const restoreNightly = await backUp(s, 'nightly');
  await must(ws.cli('task', 'set', 'A', 'done'), 'the agent sets done');
  await must(ws.run('--fix'), 'the workstation writes done back');
  await must(ws.cli('task', 'set', 'A', 'blocked'), 'the agent sets blocked, the newest');
  await must(laptop.run('--fix'), 'the laptop writes blocked back');
  await restoreNightly();
  await must(ws.run('--fix'), 'the workstation puts done back');
  assert.equal(await s.hubStatus('A'), 'done');
  await restoreWeekly();
  await must(laptop.run('--fix'), 'the laptop puts blocked back');
  assert.equal(await s.hubStatus('A'), 'blocked');
  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'blocked', "the workstation's done, put back and lost again, is older than the laptop's blocked");
  assert.ok(!parseReport(run.stdout).actions.some((a) => a.type === 'push' && a.taskId === 'A'));
});

test('a writeback of a value put back is as old as that value: its point carries the same time (review)', async (t) => {
  const { s, ws } = await lostPointsOnTwoClones(t);
  await must(ws.run('--fix'), 'the workstation puts done back');
  const putBack = (await s.hubTasks()).A!.points.at(-1)!;
  assert.ok(putBack.restates);
  const desktop = await s.clone('desktop');
  await must(desktop.run('--fix'), 'the desktop writes done back');
  assert.equal(await desktop.statusInFile('A'), 'done');
  const written = (await s.hubTasks()).A!.points.at(-1)!;
  assert.notEqual(written.at, putBack.at, "the desktop's own point");
  assert.equal(written.restates, putBack.restates);
});

test('a hub too old to keep which points put a lost value back is not sent one: the value is put back as before', async (t) => {
  const { s, ws } = await lostPointsOnTwoClones(t);
  const hub = await openStore(s.env.CUSTODIAN_HUB!);
  const sent: SyncBatch[] = [];
  // A hub from before schema 12: its answers do not say it keeps them, and it would refuse one.
  const older = olderHub(hub, 'restatements', async (batch) => {
    sent.push(batch);
    if (batch.changes.some((c) => c.point?.restates !== undefined)) throw new Error('invalid request: body: Unrecognized key: "restates"');
    return hub.sync(batch);
  });
  t.after(() => older.close());
  const report = await reconcileRepo(await openRepo(ws.dir), { mode: 'fix', writeback: true, pull: false }, { hub: older, hostname: 'h', machine: 'm' });
  assert.deepEqual(
    report.actions.filter((a) => a.type === 'push').map((a) => ('taskId' in a ? a.taskId : null)),
    ['A'],
  );
  assert.equal(await s.hubStatus('A'), 'done', 'the lost done is put back');
  assert.ok(sent.length > 0 && sent.every((b) => b.changes.every((c) => c.point?.restates === undefined)));
});

/**
 * The workstation writes back an agent's blocked after a backup (its point the one the restore
 * will lose), and a laptop cloned before: `restore` takes the hub back to blocked with no point.
 */
async function writebackAfterBackup(t: TestContext) {
  const s = await scene(t, TWO_TASKS);
  const ws = s.workstation;
  await must(ws.run('--fix'), 'the first sync');
  const laptop = await s.clone('laptop');
  await must(ws.cli('task', 'set', 'A', 'blocked'), 'an agent sets blocked');
  const restore = await backUp(s);
  await must(ws.run('--fix'), 'the writeback of blocked');
  return { s, ws, laptop, restore };
}

/** Whether the laptop's run held A up rather than let rank write the hub's blocked over its in_progress. */
async function heldUp(laptop: Machine) {
  const run = await laptop.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.ok(!decidedByRank(run.stdout, 'A'), 'rank does not decide past an agreement the hub lost');
  assert.equal(await laptop.statusInFile('A'), 'in_progress', "the laptop's in_progress is not written over");
  return run;
}

/** The laptop pushes, the workstation pulls and runs: its own record of the writeback's point makes the laptop's value news. */
async function settledByTheWriter(s: Awaited<ReturnType<typeof scene>>, ws: Machine, laptop: Machine) {
  await laptop.git('push', '-q', 'origin', 'main');
  await ws.git('pull', '-q', '--no-rebase', 'origin', 'main');
  await must(ws.run('--fix'), "the workstation's run, with its own record of the writeback's point");
  assert.equal(await s.hubStatus('A'), 'in_progress', 'set after the agreement the hub has not moved from, it is pushed');
  await must(laptop.run('--fix'), "the laptop's next run");
  assert.equal(await laptop.statusInFile('A'), 'in_progress');
}

/**
 * After the writeback the workstation sets A back to todo and pushes. The laptop sets in_progress
 * on its own line and merges the workstation's commits in: its value came beside the lost
 * agreement, after the blocked it overruled.
 */
test("a writeback commit the restored hub keeps no record of holds rank back: the laptop's value beside it is not written over, and the clone that made it pushes it (seed 104 path 95)", async (t) => {
  const { s, ws, laptop, restore } = await writebackAfterBackup(t);
  await ws.edit('A', 'todo', 'A back to todo');
  await ws.git('push', '-q', 'origin', 'main');
  await restore();

  await laptop.edit('A', 'in_progress');
  await laptop.git('pull', '-q', '--no-rebase', 'origin', 'main');
  assert.equal(await laptop.statusInFile('A'), 'in_progress', "git's merge keeps the laptop's line");
  const held = await heldUp(laptop);
  assert.match(
    parseReport(held.stdout).findings.find((f) => f.code === 'C-27' && f.taskId === 'A')?.message ?? '',
    /writeback commit .* no record stands for it/,
  );
  assert.equal(await s.hubStatus('A'), 'blocked');
  await settledByTheWriter(s, ws, laptop);
});

test("another clone's writeback this clone pulled and ran at is still its: a value set on top of it is held, not written over, after the restore takes its point (review)", async (t) => {
  const { s, ws, laptop, restore } = await writebackAfterBackup(t);
  await ws.git('push', '-q', 'origin', 'main');
  await laptop.git('pull', '-q', '--ff-only', 'origin', 'main');
  await must(laptop.run('--fix'), "the laptop's run at the writeback: a run record there, no point");
  await laptop.edit('A', 'in_progress');
  await restore();

  await heldUp(laptop);
  await heldUp(laptop);
  await settledByTheWriter(s, ws, laptop);
});

test('a reopen made by amending a writeback keeps its rewrite record in the clone: after a restore it is pushed again, not written over (seed 107 path 0)', async (t) => {
  const s = await scene(t, TWO_TASKS);
  const ws = s.workstation;
  await must(ws.run('--fix'), 'the first sync');
  await must(ws.cli('install'), 'the hooks');
  await must(ws.cli('task', 'set', 'A', 'blocked'), 'an agent sets blocked');
  const restore = await backUp(s);
  await must(ws.run('--fix'), 'the writeback of blocked');
  // Not blocked after all: the person amends the writeback back to todo; post-rewrite tells the hub.
  await ws.write(`${(await ws.read()).replace('id: A\nstatus: blocked', 'id: A\nstatus: todo')}\nA: waiting on nothing after all.\n`);
  const amended = await gitOutcome(ws.dir, ['commit', '-q', '-a', '--amend', '--no-edit'], s.env);
  assert.equal(amended.exitCode, 0, amended.stderr);
  assert.equal(await s.hubStatus('A'), 'todo', 'post-rewrite sent the reopen');
  const own = readOwnRecords(path.join(ws.dir, '.git'), ownScope(await openRepo(ws.dir), s.env.CUSTODIAN_HUB!));
  assert.deepEqual(
    own.rewrites.map((r) => [r.new, r.changed]),
    [[await ws.head(), ['A']]],
    'the clone keeps the rewrite record it sent',
  );
  await restore();

  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await ws.statusInFile('A'), 'todo', 'the reopen is not written over');
  assert.equal(await s.hubStatus('A'), 'todo', 'and is pushed again over the restored blocked');
});

/**
 * The workstation writes back an agent's cancelled after a backup and keeps the commit to itself;
 * the restore takes its point, and the agent sets done. The laptop writes done back and pushes;
 * the workstation's pull conflicts on the line and the person keeps their side, cancelled: the
 * value the lost point agreed on, which the hub's done never saw, nor the laptop's agreement on it.
 */
test("a value this clone agreed on at a point the restore lost, the hub changed since: kept in a merge beside a later agreement, it is not news there; rank keeps the hub's on a tie (seed 107 path 99)", async (t) => {
  const s = await scene(t, TWO_TASKS);
  const ws = s.workstation;
  await must(ws.run('--fix'), 'the first sync');
  const laptop = await s.clone('laptop');
  const restore = await backUp(s);
  await must(ws.cli('task', 'set', 'A', 'cancelled'), 'an agent sets cancelled');
  await must(ws.run('--fix'), 'the writeback of cancelled');
  await restore();
  await must(ws.cli('task', 'set', 'A', 'done'), 'an agent sets done after the restore');
  await must(laptop.run('--fix'), "the laptop's writeback of done");
  await laptop.git('push', '-q', 'origin', 'main');

  const pulled = await gitOutcome(ws.dir, ['pull', '-q', '--no-rebase', 'origin', 'main'], s.env);
  assert.notEqual(pulled.exitCode, 0, 'both sides changed the status line');
  await ws.git('checkout', '--ours', PLAN);
  await ws.git('commit', '-q', '-a', '--no-edit');
  assert.equal(await ws.statusInFile('A'), 'cancelled', 'the person kept their side');

  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'done', "the agent's later done stands");
  assert.equal(await ws.statusInFile('A'), 'done', 'and is written back');
  assert.ok(decidedByRank(run.stdout, 'A'), 'the hub never saw cancelled: both moved, reported');
});

/**
 * The other way (found by a review): the desk reopens the workstation's done and pushes the reopen;
 * the restore takes that point, and the laptop, which pulled done, pushes it again. The hub's done
 * came from the commit the reopen was made on top of: the reopen is news, whatever the hub's clock says.
 */
test("a value this clone agreed on at a point the restore lost, set on top of the hub's present value: it is pushed again, not ranked (review)", async (t) => {
  const s = await scene(t, TWO_TASKS);
  const ws = s.workstation;
  await must(ws.run('--fix'), 'the first sync');
  const laptop = await s.clone('laptop');
  const desk = await s.clone('desk');
  const restore = await backUp(s);
  await ws.edit('A', 'done');
  await must(ws.run('--fix'), 'the push of done');
  await ws.git('push', '-q', 'origin', 'main');
  await laptop.git('pull', '-q', '--ff-only', 'origin', 'main');
  await desk.git('pull', '-q', '--ff-only', 'origin', 'main');
  await desk.edit('A', 'in_progress', 'A reopened');
  await must(desk.run('--fix'), 'the push of the reopen');
  await restore();
  await must(laptop.run('--fix'), "the laptop's push of done again");
  assert.equal(await s.hubStatus('A'), 'done');

  const run = await desk.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await desk.statusInFile('A'), 'in_progress', 'the reopen is not written over');
  assert.equal(await s.hubStatus('A'), 'in_progress', 'it is pushed again');
  assert.ok(!decidedByRank(run.stdout, 'A'), 'set on top of the hub value: news');
});
