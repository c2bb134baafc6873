import assert from 'node:assert/strict';
import { mkdir, rename, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { readOutbox } from '../src/clone/outbox.js';
import { git } from '../src/git/run.js';
import { parseWorkplan } from '../src/workplan/parse.js';
import { runCli } from './helpers/cli.js';
import { gitAsUser } from './helpers/git-user.js';
import { PLAN, scene, workstationAndLaptop, reopenedInHub } from './helpers/scene.js';

/** git as the user runs it, hooks firing, in the scene's environment; returns what the hooks said. */
async function gitUser(cwd: string, env: Record<string, string>, ...args: string[]) {
  const { code, stderr } = await gitAsUser(cwd, env, ...args);
  assert.equal(code, 0, `git ${args.join(' ')}: ${stderr}`);
  return stderr;
}

test('a task block inside an HTML comment is not a task (CommonMark: an HTML block)', () => {
  const block = (id: string) => `\`\`\`task\nid: ${id}\nstatus: todo\n\`\`\`\n`;
  const text = [
    '# Plan',
    '<!--',
    block('HIDDEN'),
    '-->',
    '<!-- one line --> and text',
    block('AFTER-ONE-LINE'),
    '<!-->',
    block('AFTER-EMPTY-COMMENT'),
    '  <!-- indented, closed later',
    '### Not a heading either',
    block('ALSO-HIDDEN'),
    'still inside --> now out',
    '### Last',
    block('LAST'),
  ].join('\n');
  const plan = parseWorkplan(text, 'plan.md');
  assert.deepEqual(plan.findings, []);
  assert.deepEqual(
    plan.tasks.map((t) => [t.id, t.title]),
    [
      ['AFTER-ONE-LINE', 'Plan'],
      ['AFTER-EMPTY-COMMENT', 'Plan'],
      ['LAST', 'Last'],
    ],
  );
});

test("a blame broken by the user's global git config does not let rank undo a reopen made in the hub", async (t) => {
  const s = await reopenedInHub(t);
  const ws = s.workstation;

  // A common global setting: a blame-ignore file that only some repos have.
  const globalConfig = path.join(s.root, 'gitconfig');
  await writeFile(globalConfig, '[blame]\n\tignoreRevsFile = .git-blame-ignore-revs\n');
  const run = await runCli(ws.dir, ['run', '--fix', '--json'], { ...s.env, GIT_CONFIG_GLOBAL: globalConfig });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'todo', 'the reopen stands');
  assert.equal(await ws.statusInFile('A'), 'todo', 'and is written back');
});

test('pre-push sends statuses only for pushes to the tracked remote, not to a fork', async (t) => {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const ws = s.workstation;
  assert.equal((await ws.cli('install')).code, 0);
  assert.equal((await ws.run('--fix')).code, 0);
  const fork = path.join(s.root, 'fork.git');
  await git(s.root, ['init', '-q', '--bare', '-b', 'main', fork]);
  await ws.git('remote', 'add', 'fork', fork);

  await ws.edit('A', 'done');
  await gitUser(ws.dir, s.env, 'push', '-q', 'fork', 'main');
  assert.equal(await s.hubStatus('A'), 'todo', 'a push to the fork told the hub nothing');
  await gitUser(ws.dir, s.env, 'push', '-q', 'origin', 'main');
  assert.equal(await s.hubStatus('A'), 'done', 'the push to origin did');
});

test('git pull --rebase --autostash over an uncommitted workplan edit: no writeback into the stashed file, no conflict', async (t) => {
  const { s, ws, laptop } = await workstationAndLaptop(t);

  // Elsewhere: a commit reaches origin, and an agent marks A done in the hub.
  await ws.write('# acme, renamed\n', 'README.md');
  await ws.git('commit', '-qam', 'readme');
  await ws.git('push', '-q', 'origin', 'main');
  assert.equal((await ws.cli('task', 'set', 'A', 'done')).code, 0);

  // The laptop: a commit of its own (so the pull rebases) and an edit of A it has not committed.
  await laptop.write('notes\n', 'NOTES.md');
  await laptop.git('add', 'NOTES.md');
  await laptop.git('commit', '-qm', 'notes');
  const text = await laptop.read();
  await laptop.write(text.replace(/(id: A\nstatus: )todo/, '$1in_progress'));

  await gitUser(laptop.dir, s.env, 'pull', '-q', '--rebase', '--autostash');
  assert.equal(await laptop.statusInFile('A'), 'in_progress', "the user's edit is back, without conflict markers");
  assert.doesNotMatch(await laptop.read(), /<<<<<<<|>>>>>>>/);
  assert.equal((await laptop.git('log', '-1', '--format=%s', '--', PLAN)).trim(), 'initial plan', 'no writeback commit landed under the stash');
});

test('a rewrite record the hub could not take waits in the clone and goes with the next run: a reopen in the hub stands', async (t) => {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  const laptop = await s.clone('laptop');
  assert.equal((await laptop.cli('install')).code, 0);

  // The laptop writes back the hub's done and keeps the commit unpushed.
  assert.equal((await ws.cli('task', 'set', 'A', 'done')).code, 0);
  assert.equal((await laptop.run('--fix')).code, 0);
  assert.equal(await laptop.statusInFile('A'), 'done');
  // Elsewhere a commit reaches origin, so the laptop's pull rebases its writeback commit...
  await ws.write('# acme, renamed\n', 'README.md');
  await ws.git('commit', '-qam', 'readme');
  await ws.git('push', '-q', 'origin', 'main');
  // ...while the hub is down: its database cannot be opened (a folder stands where the file was).
  const hubFile = s.env.CUSTODIAN_HUB!;
  const aside = (from: string, to: string) => Promise.all(['', '-wal', '-shm'].map((x) => rename(`${from}${x}`, `${to}${x}`).catch(() => undefined)));
  await aside(hubFile, `${hubFile}.away`);
  await mkdir(hubFile);
  const down = await gitUser(laptop.dir, s.env, 'pull', '-q', '--rebase');
  await rmdir(hubFile);
  await aside(`${hubFile}.away`, hubFile);
  assert.match(down, /post-rewrite/);
  const waiting = readOutbox(path.join(laptop.dir, '.git'));
  assert.equal(waiting.length, 1, 'the rewrite record waits in the clone');

  // The hub is back, and someone reopens A there. The laptop's push must not undo that.
  assert.equal((await ws.cli('task', 'set', 'A', 'todo')).code, 0);
  await gitUser(laptop.dir, s.env, 'push', '-q', 'origin', 'main');
  assert.equal(await s.hubStatus('A'), 'todo', 'the reopen stands');
  const again = await laptop.run('--fix');
  assert.equal(again.code, 0, again.stderr);
  assert.equal(await laptop.statusInFile('A'), 'todo', 'and is written back on the next run');
  assert.deepEqual(readOutbox(path.join(laptop.dir, '.git')), [], 'and has left it, delivered');
});

test('in a blobless partial clone offline, blame fails: the task is reported and left alone, never decided by rank', async (t) => {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  await ws.edit('A', 'done');
  await ws.git('push', '-q', 'origin', 'main');
  assert.equal((await ws.run('--fix')).code, 0);
  await git(s.origin, ['config', 'uploadpack.allowFilter', 'true']);
  const laptopDir = path.join(s.root, 'laptop');
  await git(s.root, ['clone', '-q', '--filter=blob:none', `file://${s.origin}`, laptopDir]);
  assert.equal((await ws.cli('task', 'set', 'A', 'todo')).code, 0, 'reopened in the hub');

  // Offline: the origin cannot be reached, so blame cannot fetch the older blobs it needs.
  await rename(s.origin, `${s.origin}.away`);
  const result = await runCli(laptopDir, ['run', '--fix', '--json'], s.env);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { findings: { code: string; taskId?: string }[]; actions: unknown[] };
  assert.deepEqual(
    report.findings.filter((f) => f.code !== 'C-14').map((f) => [f.code, f.taskId]),
    [['C-27', 'A']],
  );
  assert.deepEqual(report.actions, []);
  assert.equal(await s.hubStatus('A'), 'todo', 'the reopen stands');
});
