import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { chmod, readdir, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { workplanPathspec, writeHookState } from '../src/hook/state.js';
import { hookDeadline, hookWork } from '../src/hook/fast-path.js';
import { HttpHub } from '../src/hub/http-hub.js';
import { HubUnavailableError } from '../src/hub/types.js';
import { hubTrickling } from './helpers/rogue-hubs.js';
import { PLAN, scene } from './helpers/scene.js';
import { runCli } from './helpers/cli.js';
import { CLI } from './helpers/paths.js';
import { commitFiles } from './helpers/temp-repo.js';

// A hang is what these tests look for: each has a timeout far above what the deadlines allow, so
// that on a hang it fails instead of holding the suite.
const HANG = { timeout: 120_000 };

/**
 * A workstation whose last settled run was against a hub that now trickles its answer, and a
 * laptop that pushed a commit for it to pull; the workstation has the hooks.
 */
async function pullFromTricklingHub(t: TestContext) {
  const hubUrl = await hubTrickling(t);
  const s = await scene(t, [{ id: 'A', status: 'todo' }], { hubUrl, token: 'cust_x' });
  const env = { ...s.env, XDG_CACHE_HOME: path.join(s.root, 'cache'), NO_COLOR: '1', GIT_TERMINAL_PROMPT: '0' };
  const ws = s.workstation;
  assert.equal((await ws.cli('install')).code, 0);
  await ws.git('branch', '--set-upstream-to', 'origin/main');
  writeHookState(path.join(ws.dir, '.git'), {
    head: await ws.head(),
    etag: '"1.x"',
    hub: hubUrl,
    hubSource: 'CUSTODIAN_HUB',
    config: '',
    slug: 'acme',
    pathspec: workplanPathspec(undefined),
  });
  const laptop = await s.clone('laptop');
  await commitFiles(laptop.dir, { 'notes.txt': 'work\n' }, 'work');
  await laptop.git('push', '-q', 'origin', 'main');
  const pull = (extra: Record<string, string> = {}) =>
    execa('git', ['pull', '-q', '--no-rebase'], { cwd: ws.dir, env: { ...env, ...extra }, reject: false, stdin: 'ignore' });
  return { hubUrl, ws, pull, env };
}

test('the HTTP client gives up on a hub that trickles its answer: the deadline is for the whole request', HANG, async (t) => {
  const url = await hubTrickling(t);
  const hub = new HttpHub(url, undefined, { timeoutMs: 1000, readRetries: 0 });
  await assert.rejects(hub.readRepo('acme'), (error: Error) => error instanceof HubUnavailableError && /ETIMEDOUT|[Tt]imeout/.test(error.message));
});

test("the hooks' fast path gives up on a hub that trickles its answer and takes the full path", HANG, async (t) => {
  const { hubUrl, ws } = await pullFromTricklingHub(t);
  const work = await hookWork('post-merge', ws.dir, '', { CUSTODIAN_HUB: hubUrl });
  assert.equal(work.kind, 'everything');
});

test('git pull finishes against a hub that trickles its answer; the hook says the hub did not answer', HANG, async (t) => {
  const { ws, pull } = await pullFromTricklingHub(t);
  const pulled = await pull();
  assert.equal(pulled.exitCode, 0, pulled.stderr);
  assert.match(pulled.stderr, /custodian-hooks: WARN C-23 hub unreachable.*(ETIMEDOUT|[Tt]imeout)/);
  assert.equal(await ws.git('log', '-1', '--format=%s'), 'work\n');
});

test('a hook that runs out of time says so in one line and lets git go on', HANG, async (t) => {
  const { ws, pull } = await pullFromTricklingHub(t);
  const pulled = await pull({ CUSTODIAN_HOOK_TIMEOUT: '0.5' });
  assert.equal(pulled.exitCode, 0, pulled.stderr);
  assert.equal(pulled.stderr.trim(), 'custodian-hooks - post-merge: gave up after 0.5 s (CUSTODIAN_HOOK_TIMEOUT); the git operation is not affected');
  assert.equal(await ws.git('log', '-1', '--format=%s'), 'work\n');
});

test('CUSTODIAN_HOOK_TIMEOUT past what a timer holds is a day, and one that is no number is said; neither makes the hook give up at once', () => {
  assert.deepEqual(hookDeadline({ CUSTODIAN_HOOK_TIMEOUT: '3000000' }), {
    ms: 86_400_000,
    problem: 'CUSTODIAN_HOOK_TIMEOUT=3000000 is more than a day: a day used',
  });
  for (const given of ['abc', '-1', '0', '5s', 'Infinity'])
    assert.deepEqual(hookDeadline({ CUSTODIAN_HOOK_TIMEOUT: given }), {
      ms: 30_000,
      problem: `CUSTODIAN_HOOK_TIMEOUT="${given}" is not a number of seconds above 0: 30 s used`,
    });
  assert.deepEqual(hookDeadline({ CUSTODIAN_HOOK_TIMEOUT: '0.5' }), { ms: 500, problem: null });
  assert.deepEqual(hookDeadline({}), { ms: 30_000, problem: null });
});

test('a hook given a timeout past what a timer holds runs its course and says what it used', HANG, async (t) => {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const ws = s.workstation;
  assert.equal((await ws.cli('install')).code, 0);
  await ws.git('branch', '--set-upstream-to', 'origin/main');
  assert.equal((await ws.run('--fix')).code, 0);
  await ws.edit('A', 'in_progress');
  const pushed = await execa('git', ['push', '-q'], { cwd: ws.dir, env: { ...s.env, CUSTODIAN_HOOK_TIMEOUT: '3000000' }, reject: false, stdin: 'ignore' });
  assert.equal(pushed.exitCode, 0, pushed.stderr);
  assert.equal(pushed.stderr.split('\n')[0], 'custodian-hooks - pre-push: CUSTODIAN_HOOK_TIMEOUT=3000000 is more than a day: a day used');
  assert.doesNotMatch(pushed.stderr, /gave up|TimeoutOverflowWarning/);
  assert.equal(await s.hubStatus('A'), 'in_progress', 'the push reached the hub: the hook did not give up');
});

test('git push finishes against a hub that trickles its answer', HANG, async (t) => {
  const { ws, pull, env } = await pullFromTricklingHub(t);
  assert.equal((await pull({ CUSTODIAN_HOOK_TIMEOUT: '0.5' })).exitCode, 0);
  await commitFiles(ws.dir, { 'more.txt': 'more\n' }, 'more');
  const pushed = await execa('git', ['push', '-q', 'origin', 'main'], { cwd: ws.dir, env, reject: false, stdin: 'ignore' });
  assert.equal(pushed.exitCode, 0, pushed.stderr);
  assert.match(pushed.stderr, /custodian-hooks: WARN C-23 hub unreachable/);
});

/**
 * A synced workstation whose next fix run writes A back (the hub has it done), and a folder to put
 * first on PATH where git is the real git with its branch move made `seconds` slow.
 */
async function writebackDueWithSlowGit(t: TestContext, seconds: number) {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal((await ws.cli('task', 'set', 'A', 'done')).code, 0);
  const slow = path.join(s.root, 'slow-git');
  const realGit = (await execa('sh', ['-c', 'command -v git'])).stdout.trim();
  await writeFile(slow, `#!/bin/sh\ncase "$*" in *"update-ref -m custodian-hooks"*) sleep ${seconds};; esac\nexec '${realGit}' "$@"\n`);
  await chmod(slow, 0o755);
  const bin = path.join(s.root, 'bin');
  await execa('mkdir', [bin]);
  await execa('ln', ['-s', slow, path.join(bin, 'git')]);
  return { s, ws, bin };
}

test(
  "a hook whose deadline falls while it lands a writeback lets the landing finish first: no lock is left, and the user's next commit keeps the status",
  HANG,
  async (t) => {
    // The branch move seven seconds slow, as on a slow disk: the deadline falls inside the landing,
    // even on a machine so busy that reaching the landing takes seconds (a 1 s deadline fell before it).
    const { s, ws, bin } = await writebackDueWithSlowGit(t, 7);
    const hook = await runCli(ws.dir, ['run', '--hook', 'post-merge', '--', '0'], {
      ...s.env,
      PATH: `${bin}:${process.env.PATH}`,
      CUSTODIAN_HOOK_TIMEOUT: '4',
    });
    assert.match(hook.stderr, /gave up after 4 s/);
    // The landing under way was let finish: branch, index and file moved together.
    assert.equal(await ws.statusInFile('A'), 'done');
    assert.equal(await ws.git('status', '--porcelain'), '');
    const gitDir = path.join(ws.dir, '.git');
    assert.equal(existsSync(path.join(gitDir, 'index.lock')), false, "git's index lock is not left behind");
    assert.deepEqual(
      (await readdir(gitDir)).filter((f) => f.startsWith('index.custodian-') || f === 'custodian-hooks.lock'),
      [],
    );
    assert.equal(existsSync(path.join(gitDir, 'custodian-hooks', 'landing.json')), false, 'nothing left for the next run to finish');
    await commitFiles(ws.dir, { 'notes.txt': 'work\n' }, 'work');
    assert.match(await ws.git('show', `HEAD:${PLAN}`), /status: done/);
    assert.equal((await ws.run('--fix')).code, 0);
    assert.equal(await s.hubStatus('A'), 'done');
  },
);

test(
  'Ctrl-C or a kill while run --fix lands a writeback lets the landing finish or undo itself first: no lock is left for git, and the next run settles',
  HANG,
  async (t) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const group of [true, false]) {
        const { s, ws, bin } = await writebackDueWithSlowGit(t, 2);
        const gitDir = path.join(ws.dir, '.git');
        // As a terminal's Ctrl-C reaches the whole process group (git's child too), or a kill the process alone.
        const run = execa(process.execPath, [CLI, 'run', '--fix'], {
          cwd: ws.dir,
          env: { ...s.env, NO_COLOR: '1', PATH: `${bin}:${process.env.PATH}` },
          reject: false,
          stdin: 'ignore',
          detached: true,
        });
        while (!existsSync(path.join(gitDir, 'index.lock')) && run.exitCode === null) await new Promise((r) => setTimeout(r, 20));
        process.kill(group ? -run.pid! : run.pid!, signal);
        const ended = await run;
        assert.equal(ended.exitCode, 128 + constants.signals[signal], `${signal}${group ? ' to the group' : ''}: the run ends as the signal ends it`);
        assert.equal(existsSync(path.join(gitDir, 'index.lock')), false, `${signal}: git's index lock is not left behind`);
        assert.deepEqual(
          (await readdir(gitDir)).filter((f) => f.startsWith('index.custodian-') || f.startsWith('custodian-hooks.lock')),
          [],
        );
        // Landed whole or not at all: the user's commit works, and the next run settles.
        await commitFiles(ws.dir, { 'notes.txt': 'work\n' }, 'work');
        assert.equal((await ws.run('--fix')).code, 0);
        assert.equal(await ws.statusInFile('A'), 'done');
        assert.equal(await ws.git('status', '--porcelain'), '');
      }
    }
  },
);
