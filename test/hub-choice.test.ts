import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { execa } from 'execa';
import { refuseAnotherHub, rememberCloneHub } from '../src/clone/hub.js';
import { git } from '../src/git/run.js';
import { hookWork } from '../src/hook/fast-path.js';
import { credentialsFile, hubToken } from '../src/hub/credentials.js';
import { chooseHub } from '../src/hub/location.js';
import { openStore } from '../src/hub/open.js';
import { startHub } from '../src/hub/serve.js';
import { CLI } from './helpers/paths.js';
import { runCli } from './helpers/cli.js';
import { PLAN, parseReport, scene } from './helpers/scene.js';
import { commitFiles, tempDir, cloneAs } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

test('CUSTODIAN_HUB wins over hub in .custodian.yml, which wins over the embedded store', () => {
  const env = { XDG_STATE_HOME: path.resolve('state') };
  assert.deepEqual(chooseHub(env, 'https://hub.example'), { location: 'https://hub.example', kind: 'http', source: '.custodian.yml' });
  assert.equal(chooseHub({ ...env, CUSTODIAN_HUB: 'postgres://db/x' }, 'https://hub.example').source, 'CUSTODIAN_HUB');
  assert.deepEqual(chooseHub(env), { location: path.resolve('state', 'custodian-hooks', 'hub.sqlite'), kind: 'sqlite', source: 'embedded' });
  assert.throws(() => chooseHub(env, 'https//hub.example'), /^UserError: \.custodian\.yml hub: 'https\/\/hub\.example' is not a hub location/);
});

test('tokens per user: CUSTODIAN_HUB_TOKEN, else the credentials file by hub URL; a file others can read is refused', async (t) => {
  const env = { XDG_CONFIG_HOME: await tempDir(t) };
  assert.equal(hubToken('https://hub.example', env), undefined, 'no file, no token');
  await mkdir(path.dirname(credentialsFile(env)), { recursive: true });
  await writeFile(credentialsFile(env), '# team hubs\nhttps://other.example cust_other\nhttps://hub.example/ cust_mine\n', { mode: 0o600 });
  assert.equal(hubToken('https://hub.example', env), 'cust_mine');
  assert.equal(hubToken('https://nowhere.example', env), undefined);
  assert.equal(hubToken('https://hub.example', { ...env, CUSTODIAN_HUB_TOKEN: 'cust_env' }), 'cust_env');
  if (process.platform === 'win32') return;
  await chmod(credentialsFile(env), 0o644);
  assert.throws(() => hubToken('https://hub.example', env), /others may read this file of hub tokens; make it yours alone \(chmod 600 .*credentials\)/);
  await rm(credentialsFile(env));
  await mkdir(credentialsFile(env));
  assert.throws(() => hubToken('https://hub.example', env), /credentials: not a file; the hub tokens go in a file there/);
});

/** Two clones of a repo whose `.custodian.yml` names an HTTP hub, and a shell that knows nothing of it: no CUSTODIAN_* at all. */
async function teamOnConfiguredHub(t: TestContext) {
  const root = await tempDir(t);
  const store = await openStore(path.join(root, 'hub.sqlite'));
  const token = await store.createToken('team');
  const hub = await startHub(store);
  t.after(() => hub.close());
  // As a GUI client starts git: a PATH and a home, nothing the user exported in a shell.
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: path.join(root, 'home'),
    XDG_CONFIG_HOME: path.join(root, 'config'),
    XDG_STATE_HOME: path.join(root, 'state'),
    NO_COLOR: '1',
    GIT_TERMINAL_PROMPT: '0',
  };
  await mkdir(path.join(env.XDG_CONFIG_HOME, 'custodian-hooks'), { recursive: true });
  await writeFile(path.join(env.XDG_CONFIG_HOME, 'custodian-hooks', 'credentials'), `${hub.url} ${token}\n`, { mode: 0o600 });
  const run = (cwd: string, command: string, ...args: string[]) => execa(command, args, { cwd, env, extendEnv: false, reject: false, stdin: 'ignore' });
  const cli = (cwd: string, ...args: string[]) => run(cwd, process.execPath, CLI, ...args);
  const origin = path.join(root, 'acme.git');
  await git(root, ['init', '-q', '--bare', '-b', 'main', origin]);
  const machine = async (name: string) => {
    const dir = path.join(root, name);
    await cloneAs(origin, dir, name);
    assert.equal((await cli(dir, 'install')).exitCode, 0);
    return dir;
  };
  const ws = await machine('workstation');
  const plan = workplan([
    { id: 'A', status: 'todo' },
    { id: 'B', status: 'todo' },
  ]);
  await commitFiles(ws, { [PLAN]: plan, '.custodian.yml': `repo: acme\nhub: ${hub.url}\n` }, 'plan on the team hub');
  const push = await run(ws, 'git', 'push', '-q', '-u', 'origin', 'main');
  assert.equal(push.exitCode, 0, push.stderr);
  const laptop = await machine('laptop');
  return { root, hub, env, run, cli, ws, laptop };
}

test('a pull from a GUI-like shell reaches the hub of .custodian.yml with the token of the credentials file, and writes back', async (t) => {
  const team = await teamOnConfiguredHub(t);
  const set = await team.cli(team.ws, 'task', 'set', 'A', 'done');
  assert.equal(set.exitCode, 0, set.stderr);
  await commitFiles(team.ws, { 'README.md': '# acme\n' }, 'readme');
  assert.equal((await team.run(team.ws, 'git', 'push', '-q')).exitCode, 0);

  const pull = await team.run(team.laptop, 'git', 'pull', '-q');
  assert.equal(pull.exitCode, 0, pull.stderr);
  assert.match(await readFile(path.join(team.laptop, PLAN), 'utf8'), /id: A\nstatus: done/);
  assert.match(String((await team.run(team.laptop, 'git', 'log', '-1', '--format=%s')).stdout), /sync task status from DB/);

  // The hooks' fast path resolves the same hub without CUSTODIAN_HUB: nothing changed since, nothing to do.
  assert.equal((await hookWork('post-merge', team.laptop, '', team.env)).kind, 'nothing');

  const doctor = await team.cli(team.laptop, 'doctor');
  assert.match(String(doctor.stdout), new RegExp(`every hook reaches hub ${team.hub.url} \\(from hub in \\.custodian\\.yml\\)`));
  assert.match(String(doctor.stdout), /✓ hub http:\/\/127\.0\.0\.1:\d+ answers: 2 tasks for 'acme'/);
});

test('a clone that synced with the team hub and now finds another says so and writes nothing', async (t) => {
  const team = await teamOnConfiguredHub(t);
  assert.equal((await team.cli(team.laptop, 'run', '--fix')).exitCode, 0);
  await commitFiles(
    team.laptop,
    {
      [PLAN]: workplan([
        { id: 'A', status: 'done' },
        { id: 'B', status: 'todo' },
      ]),
    },
    'A done',
  );
  const head = String((await team.run(team.laptop, 'git', 'rev-parse', 'HEAD')).stdout);
  const other = path.join(team.root, 'other.sqlite');
  const moved = await execa(process.execPath, [CLI, 'run', '--fix'], {
    cwd: team.laptop,
    env: { ...team.env, CUSTODIAN_HUB: other },
    extendEnv: false,
    reject: false,
  });
  assert.equal(moved.exitCode, 1);
  assert.match(
    String(moved.stderr),
    new RegExp(`this clone has synced with hub ${team.hub.url}, but the hub now is ${other} \\(CUSTODIAN_HUB\\): nothing reconciled, nothing written`),
  );
  assert.ok(!existsSync(other), 'the other hub was opened');
  assert.equal(String((await team.run(team.laptop, 'git', 'rev-parse', 'HEAD')).stdout), head);

  // A hook says the same in one line and lets git go on: the pull succeeds, nothing is written back.
  assert.equal((await team.cli(team.ws, 'task', 'set', 'B', 'done')).exitCode, 0);
  await commitFiles(team.ws, { 'README.md': '# acme\n' }, 'readme');
  assert.equal((await team.run(team.ws, 'git', 'push', '-q')).exitCode, 0);
  const pull = await execa('git', ['pull', '-q', '--no-edit'], {
    cwd: team.laptop,
    env: { ...team.env, CUSTODIAN_HUB: other },
    extendEnv: false,
    reject: false,
  });
  assert.equal(pull.exitCode, 0, pull.stderr);
  assert.match(String(pull.stderr), /custodian-hooks - post-merge: this clone has synced with hub .* \(the git operation is not affected\)/);
  assert.match(await readFile(path.join(team.laptop, PLAN), 'utf8'), /id: B\nstatus: todo/);
  assert.ok(!existsSync(other), 'the other hub was opened');
});

test('a relative SQLite hub is the repo’s file from any folder of it, a path spelled with // or .. is the same file, and a URL named in other letter case is the same hub', async (t) => {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  s.env.CUSTODIAN_HUB = 'team.sqlite';
  const top = s.workstation.dir;
  assert.equal((await s.workstation.run('--fix')).code, 0);
  const fromDocs = await runCli(path.join(top, 'docs'), ['run', '--json'], s.env);
  assert.equal(fromDocs.code, 0, fromDocs.stderr);
  assert.deepEqual(
    parseReport(fromDocs.stdout).findings.map((f) => f.code),
    [],
    'the tasks the top folder’s run created are found',
  );
  assert.ok(existsSync(path.join(top, 'team.sqlite')));
  assert.ok(!existsSync(path.join(top, 'docs', 'team.sqlite')), 'no second hub inside the working tree');
  assert.equal(chooseHub({ CUSTODIAN_HUB: 'team.sqlite' }, undefined, top).location, path.join(top, 'team.sqlite'));
  assert.equal(chooseHub({ CUSTODIAN_HUB: 'HTTP://Hub.Example:7420/' }, undefined, top).location, 'HTTP://Hub.Example:7420/', 'URLs are not paths');

  // The clone settled with http://hub.example: HTTP://HUB.example/ is that hub, not another.
  const gitDir = path.join(top, '.git');
  rememberCloneHub(gitDir, chooseHub({ CUSTODIAN_HUB: 'http://hub.example:7420' }));
  const place = { top, gitDir };
  assert.doesNotThrow(() => refuseAnotherHub(place, chooseHub({ CUSTODIAN_HUB: 'HTTP://HUB.example:7420/' })));
  assert.throws(() => refuseAnotherHub(place, chooseHub({ CUSTODIAN_HUB: 'http://hub.example:7421' })), /has synced with hub http:\/\/hub\.example:7420/);
  // Records an older version wrote: the location as given, relative or in other letters.
  for (const [recorded, now] of [
    ['team.sqlite', 'team.sqlite'],
    ['https://Hub.Example.com', 'https://hub.example.com'],
    // One file spelled with // or .. is one hub (each was "another hub", and the run refused).
    [path.join(top, 'team.sqlite'), `${top}//team.sqlite`],
    [`${top}/./docs/../team.sqlite`, path.join(top, 'team.sqlite')],
  ]) {
    await writeFile(path.join(gitDir, 'custodian-hooks', 'hub'), `${recorded}\n`);
    assert.doesNotThrow(() => refuseAnotherHub(place, chooseHub({ CUSTODIAN_HUB: now }, undefined, top)), recorded);
  }
  const env = { XDG_CONFIG_HOME: await tempDir(t) };
  await mkdir(path.dirname(credentialsFile(env)), { recursive: true });
  await writeFile(credentialsFile(env), 'https://Hub.Example cust_mine\n', { mode: 0o600 });
  assert.equal(hubToken('HTTPS://hub.example/', env), 'cust_mine');
});

test('a linked worktree is the same clone: it refuses another hub or slug as its main worktree does, and uninstall takes its records too', async (t) => {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal((await ws.run('--fix')).code, 0);
  assert.ok(existsSync(path.join(ws.dir, '.git', 'custodian-hooks', 'hub')), 'settled with the hub');
  const wt = path.join(s.root, 'wt');
  await ws.git('worktree', 'add', '-q', '-b', 'side', wt);
  const other = path.join(s.root, 'other.sqlite');
  const moved = await runCli(wt, ['run', '--fix'], { ...s.env, CUSTODIAN_HUB: other });
  assert.equal(moved.code, 1, moved.stdout);
  assert.match(
    moved.stderr,
    /this clone has synced with hub .*hub\.sqlite, but the hub now is .*other\.sqlite \(CUSTODIAN_HUB\): nothing reconciled, nothing written\. .*delete .*\.git\/custodian-hooks\/hub/,
  );
  assert.ok(!existsSync(other), 'no second hub');

  // A record an older version kept in the worktree's own git dir (the main worktree never ran) still counts, until the clone's is written.
  const own = path.join(ws.dir, '.git', 'worktrees', 'wt', 'custodian-hooks');
  await rm(path.join(ws.dir, '.git', 'custodian-hooks', 'slug'));
  await mkdir(own, { recursive: true });
  await writeFile(path.join(own, 'slug'), 'old-name\n');
  const renamed = await runCli(wt, ['run', '--fix'], s.env);
  assert.equal(renamed.code, 1);
  assert.match(renamed.stderr, /synced with its hub as repo 'old-name'.*delete .*worktrees\/wt\/custodian-hooks\/slug/);
  // Once the clone's own is written, it is the one that counts.
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal(await readFile(path.join(ws.dir, '.git', 'custodian-hooks', 'slug'), 'utf8'), 'acme\n');
  assert.equal((await runCli(wt, ['run', '--fix'], s.env)).code, 0);

  const uninstalled = await runCli(ws.dir, ['uninstall'], s.env);
  assert.match(uninstalled.stdout, /worktree wt's records removed/);
  assert.ok(!existsSync(own));
});
