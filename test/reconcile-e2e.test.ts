import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { git } from '../src/git/run.js';
import { parseReport, PLAN, scene } from './helpers/scene.js';
import { runCli } from './helpers/cli.js';
import { httpHubOver, sqliteStore } from './helpers/hubs.js';
import { commitFiles } from './helpers/temp-repo.js';

const TASKS = [
  { id: 'A', status: 'todo' },
  { id: 'B', status: 'todo' },
  { id: 'C', status: 'in_progress' },
];
const codes = (stdout: string) => parseReport(stdout).findings.map((f) => `${f.code} ${f.severity}`);

test('a stale workstation never regresses a done task; C-13 is a warning; the writeback holds only that file, with the spec message', async (t) => {
  const s = await scene(t, TASKS);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal(await s.hubStatus('A'), 'todo');

  const agent = await s.clone('remote');
  const set = await agent.cli('task', 'set', 'A', 'done');
  assert.equal(set.code, 0, set.stderr);

  // The user has unrelated work staged, and a commit hook that would refuse any commit.
  await ws.write('# acme, edited\n', 'README.md');
  await ws.git('add', 'README.md');
  await mkdir(path.join(ws.dir, '.git', 'hooks'), { recursive: true });
  await writeFile(path.join(ws.dir, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\nexit 1\n');
  await chmod(path.join(ws.dir, '.git', 'hooks', 'pre-commit'), 0o755);
  const before = await ws.head();

  const result = await ws.run('--fix');
  assert.equal(result.code, 0, 'C-13 is a warning, not an error');
  const report = parseReport(result.stdout);
  const c13 = report.findings.find((f) => f.code === 'C-13')!;
  assert.equal(c13.severity, 'WARN');
  assert.equal(c13.message, "DB task 'A' is ahead of file (db=done, file=todo) — skipped to prevent regression");
  assert.deepEqual([c13.file, c13.line], [PLAN, 11]);

  assert.equal(await s.hubStatus('A'), 'done', 'the hub is not regressed');
  assert.equal(await ws.statusInFile('A'), 'done', 'the file is corrected');
  assert.equal((await ws.git('rev-parse', 'HEAD^')).trim(), before, 'one new commit on top');
  assert.equal(
    await ws.git('log', '-1', '--format=%B'),
    `chore(consistency): sync task status from DB [auto]\n\nUpdated by fix-consistency on ${os.hostname()}:\n- A: todo → done\n\n`,
  );
  assert.equal(await ws.git('show', '--name-only', '--format=', 'HEAD'), `${PLAN}\n`, 'only the workplan is in the commit');
  assert.equal(await ws.git('diff', '--cached', '--name-only'), 'README.md\n', "the user's staged change is still staged, not committed");
  assert.equal(await ws.git('status', '--porcelain', '--', PLAN), '', 'the workplan is clean: file, index and commit agree');

  const again = await ws.run('--fix');
  assert.deepEqual(parseReport(again.stdout).actions, [], 'a second run changes nothing');
  assert.deepEqual(codes(again.stdout), []);
  assert.equal((await ws.git('rev-parse', 'HEAD^')).trim(), before);
});

test('a clone without an upstream cannot regress the hub either: the hub has seen its file value', async (t) => {
  const s = await scene(t, TASKS);
  const remote = await s.clone('remote');
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  await remote.edit('A', 'done');
  await remote.git('push', '-q', 'origin', 'main');
  assert.equal((await remote.run('--fix')).code, 0);
  assert.equal(await s.hubStatus('A'), 'done');

  await ws.git('branch', '--unset-upstream');
  const result = await ws.run('--fix');
  assert.equal(result.code, 0);
  assert.ok(codes(result.stdout).includes('C-13 WARN'));
  assert.equal(await s.hubStatus('A'), 'done');
  assert.equal(await ws.statusInFile('A'), 'done');
});

/** The workstation after a fix, then another clone moves B on in git and finishes A in the hub. */
async function workstationLeftBehind(s: Awaited<ReturnType<typeof scene>>) {
  const ws = s.workstation;
  await ws.run('--fix');
  const remote = await s.clone('remote');
  await remote.edit('B', 'in_progress');
  await remote.git('push', '-q', 'origin', 'main');
  await remote.cli('task', 'set', 'A', 'done');
  return ws;
}

test('a repo behind its remote gets C-14 and no writes at all; check mode reports it as INFO', async (t) => {
  const s = await scene(t, TASKS);
  const ws = await workstationLeftBehind(s);
  const hubBefore = await s.hubTasks();
  const head = await ws.head();

  const fix = await ws.run('--fix');
  assert.equal(fix.code, 0);
  const c14 = parseReport(fix.stdout).findings.find((f) => f.code === 'C-14')!;
  assert.equal(c14.severity, 'WARN');
  assert.equal(c14.message, "Repo 'acme' is behind remote — pull before fixing to avoid clobbering remote progress");
  assert.deepEqual(parseReport(fix.stdout).actions, []);
  assert.equal(await ws.head(), head, 'no commit');
  assert.equal(await ws.statusInFile('A'), 'todo', 'no file written');
  assert.deepEqual(await s.hubTasks(), hubBefore, 'no hub write, not even a sync point');

  const check = await ws.run();
  assert.ok(codes(check.stdout).includes('C-14 INFO'));
});

test('--no-writeback writes nothing and still refuses to regress', async (t) => {
  const s = await scene(t, TASKS);
  const ws = s.workstation;
  await ws.run('--fix');
  await ws.cli('task', 'set', 'A', 'done');
  const head = await ws.head();
  const result = await ws.run('--fix', '--no-writeback');
  assert.equal(result.code, 0);
  assert.ok(codes(result.stdout).includes('C-13 WARN'));
  assert.equal(await ws.head(), head);
  assert.equal(await ws.statusInFile('A'), 'todo');
  assert.equal(await s.hubStatus('A'), 'done');
  assert.equal(await ws.git('status', '--porcelain'), '');
});

test('--pull pulls then fixes in one step', async (t) => {
  const s = await scene(t, TASKS);
  const ws = await workstationLeftBehind(s);

  const result = await ws.run('--fix', '--pull');
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.equal(await ws.statusInFile('B'), 'in_progress', 'pulled');
  assert.equal(await s.hubStatus('B'), 'in_progress', 'the pulled file change reached the hub (C-11)');
  assert.equal(await ws.statusInFile('A'), 'done', 'and the hub change was written back (C-13)');
  assert.deepEqual(codes(result.stdout).sort(), ['C-11 INFO', 'C-13 WARN']);
});

test('a reopen (done → todo) made in the file on an up-to-date clone reaches the hub and stays', async (t) => {
  const s = await scene(t, TASKS);
  const ws = s.workstation;
  await ws.run('--fix');
  await ws.edit('A', 'done');
  await ws.git('push', '-q', 'origin', 'main');
  await ws.run('--fix');
  assert.equal(await s.hubStatus('A'), 'done');

  await ws.edit('A', 'todo', 'reopen A');
  await ws.git('push', '-q', 'origin', 'main');
  const result = await ws.run('--fix');
  assert.deepEqual(codes(result.stdout), ['C-11 INFO']);
  assert.equal(await s.hubStatus('A'), 'todo');
  await ws.run('--fix');
  const remote = await s.clone('remote');
  await remote.run('--fix');
  assert.equal(await s.hubStatus('A'), 'todo', 'it stays reopened on every machine');
  assert.equal(await ws.statusInFile('A'), 'todo');
});

test('a reopen made in the hub is written back', async (t) => {
  const s = await scene(t, [{ id: 'A', status: 'done' }]);
  const ws = s.workstation;
  await ws.run('--fix');
  await ws.cli('task', 'set', 'A', 'todo');
  const result = await ws.run('--fix');
  assert.deepEqual(codes(result.stdout), ['C-13 WARN']);
  assert.equal(await ws.statusInFile('A'), 'todo');
  assert.equal(await s.hubStatus('A'), 'todo');
});

test('in_progress → blocked sticks from either side', async (t) => {
  const s = await scene(t, [
    { id: 'FILE', status: 'in_progress' },
    { id: 'HUB', status: 'in_progress' },
  ]);
  const ws = s.workstation;
  await ws.run('--fix');
  await ws.edit('FILE', 'blocked');
  await ws.git('push', '-q', 'origin', 'main');
  await ws.cli('task', 'set', 'HUB', 'blocked');
  await ws.run('--fix');
  await ws.run('--fix');
  assert.equal(await s.hubStatus('FILE'), 'blocked');
  assert.equal(await ws.statusInFile('FILE'), 'blocked');
  assert.equal(await s.hubStatus('HUB'), 'blocked');
  assert.equal(await ws.statusInFile('HUB'), 'blocked');
});

test('bad workplans: malformed, conflict markers and a dirty file each give their finding and the run finishes', async (t) => {
  const s = await scene(t, TASKS);
  const ws = s.workstation;
  await commitFiles(
    ws.dir,
    {
      'docs/broken.md': '# Broken\n\n```task\nid: X1\nstatus: [nope\n```\n',
      'docs/conflicted.md': '# C\n\n<<<<<<< HEAD\n```task\nid: X2\nstatus: todo\n```\n=======\n```task\nid: X2\nstatus: done\n```\n>>>>>>> other\n',
    },
    'bad files',
  );
  await ws.git('push', '-q', 'origin', 'main');
  const first = await ws.run('--fix');
  assert.equal(first.code, 1, 'FAIL findings exit 1');
  const report = parseReport(first.stdout);
  assert.deepEqual(
    report.findings.filter((f) => f.severity === 'FAIL').map((f) => [f.code, f.file, f.line]),
    [
      ['C-02', 'docs/broken.md', 5],
      ['C-08', 'docs/conflicted.md', 3],
    ],
  );
  assert.deepEqual(Object.keys(await s.hubTasks()).sort(), ['A', 'B', 'C'], 'the readable tasks were still reconciled');

  await ws.cli('task', 'set', 'A', 'done');
  const dirty = (await ws.read()).replace('Some prose.', 'Some prose, being edited.');
  await ws.write(dirty);
  const second = await ws.run('--fix');
  const c14 = parseReport(second.stdout).findings.find((f) => f.code === 'C-14')!;
  assert.deepEqual([c14.severity, c14.file, c14.message], ['WARN', PLAN, 'workplan has uncommitted changes — skipping writeback']);
  assert.equal(await ws.read(), dirty, "the user's edit is untouched");
  assert.equal(await s.hubStatus('A'), 'done');
  assert.ok(!codes(second.stdout).includes('C-21 WARN'), 'skipped tasks are not reported as missing');
});

test('a shallow clone, a repo with no remote, and an unreachable hub all finish with their findings', async (t) => {
  const s = await scene(t, TASKS);
  await s.workstation.run('--fix');
  await s.workstation.cli('task', 'set', 'A', 'done');

  const shallowDir = path.join(s.root, 'shallow');
  await git(s.root, ['clone', '-q', '--depth', '1', `file://${s.origin}`, shallowDir]);
  const result = await runCli(shallowDir, ['run', '--fix', '--json'], s.env);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await s.hubStatus('A'), 'done', 'a shallow clone cannot regress the hub');

  const lonely = path.join(s.root, 'lonely');
  await git(s.root, ['init', '-q', '-b', 'main', lonely]);
  await git(lonely, ['config', 'user.email', 'x@example.com']);
  await git(lonely, ['config', 'user.name', 'x']);
  await commitFiles(lonely, { 'plan.md': '```task\nid: L1\nstatus: todo\n```\n' }, 'a repo with no remote');
  const alone = await runCli(lonely, ['run', '--fix', '--json'], s.env);
  assert.equal(alone.code, 0, alone.stderr);
  assert.equal(parseReport(alone.stdout).repo, 'lonely');
  assert.deepEqual(
    parseReport(alone.stdout).actions.map((a) => [a.type, a.taskId]),
    [['create', 'L1']],
  );

  // A clone that never synced: one that did would refuse a hub at another address before asking it.
  const fresh = await s.clone('fresh');
  const down = await runCli(fresh.dir, ['run', '--fix', '--json'], { ...s.env, CUSTODIAN_HUB: 'http://127.0.0.1:9' });
  assert.equal(down.code, 0);
  const c23 = parseReport(down.stdout).findings.find((f) => f.code === 'C-23')!;
  assert.match(c23.message, /hub unreachable, nothing reconciled: hub did not answer GET http:\/\/127\.0\.0\.1:9\/v1\/repos\/acme\/tasks: ECONNREFUSED/);
});

test('mid-merge, detached HEAD and an untracked branch: reported, nothing written', async (t) => {
  const s = await scene(t, TASKS);
  const ws = s.workstation;
  await ws.run('--fix');
  await ws.cli('task', 'set', 'A', 'done');

  await ws.git('checkout', '-q', '--detach');
  assert.match(parseReport((await ws.run('--fix')).stdout).findings[0]!.message, /HEAD is detached — nothing written/);
  await ws.git('checkout', '-q', '-b', 'feature');
  assert.match(parseReport((await ws.run('--fix')).stdout).findings[0]!.message, /branch 'feature' is not tracked \(tracked: main/);
  await ws.git('checkout', '-q', 'main');
  await writeFile(path.join(ws.dir, '.git', 'MERGE_HEAD'), `${await ws.head()}\n`);
  assert.match(parseReport((await ws.run('--fix')).stdout).findings[0]!.message, /a merge is in progress — nothing written/);
  assert.equal(await ws.statusInFile('A'), 'todo');
  assert.equal((await ws.git('log', '--oneline')).split('\n').filter(Boolean).length, 1);
});

test('the same story against a shared HTTP hub: agent done on the remote, workstation written back, file edit pushed', async (t) => {
  const store = await sqliteStore(t);
  const { url, token } = await httpHubOver(t, store);
  const s = await scene(t, TASKS, { hubUrl: url, token });
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  const remote = await s.clone('remote');
  assert.equal((await remote.cli('task', 'set', 'A', 'done')).code, 0);
  await ws.edit('B', 'in_progress');
  await ws.git('push', '-q', 'origin', 'main');
  const result = await ws.run('--fix');
  assert.deepEqual(codes(result.stdout).sort(), ['C-11 INFO', 'C-13 WARN']);
  assert.equal(await ws.statusInFile('A'), 'done');
  assert.equal(await s.hubStatus('B'), 'in_progress');
  assert.equal(await s.hubStatus('A'), 'done');
  const history = await store.history('acme', 'B');
  assert.match(history.at(-1)!.by, /^tester-\w+@[^@]+@[^@]+$/, "history names the token's owner and the machine");
});
