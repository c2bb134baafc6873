import assert from 'node:assert/strict';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { git } from '../src/git/run.js';
import { openStore } from '../src/hub/open.js';
import { startHub } from '../src/hub/serve.js';
import { defaultSlug } from '../src/repo-slug.js';
import { runCli } from './helpers/cli.js';
import { PLAN } from './helpers/scene.js';
import { commitFiles, configure, tempDir } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

test('the default slug is the hosted origin’s owner/name; a path origin or none gives the name alone', () => {
  const cases: [string, string][] = [
    ['git@github.com:acme/app.git', 'acme/app'],
    ['https://github.com/acme/app.git', 'acme/app'],
    ['https://token@github.com/acme/app/', 'acme/app'],
    ['ssh://git@git.example:2222/acme/app.git', 'acme/app'],
    ['https://gitlab.example/group/sub/app.git', 'sub/app'],
    ['https://git.example/app.git', 'app'],
    ['https://github.com/acme/my app.git', 'acme/my-app'],
    ['/srv/git/acme.git', 'acme'],
    ['file:///srv/git/acme.git', 'acme'],
    ['C:\\repos\\app.git', 'app'],
    ['', 'folder'],
  ];
  for (const [url, slug] of cases) assert.equal(defaultSlug('/work/folder', url), slug, url);
});

/**
 * A bare repo that clones reach through a hosted-looking origin URL (git's `insteadOf`), so the
 * slug comes from `https://git.example/OWNER/app.git` while every fetch and push stays local.
 */
async function hostedClone(root: string, owner: string, name: string, statuses: Record<string, string>) {
  const url = `https://git.example/${owner}/app.git`;
  const bare = path.join(root, `${owner}-app.git`);
  const dir = path.join(root, name);
  await git(root, ['init', '-q', '--bare', '-b', 'main', bare]);
  await git(root, ['init', '-q', '-b', 'main', dir]);
  await configure(dir);
  await git(dir, ['config', `url.${bare}.insteadOf`, url]);
  await git(dir, ['remote', 'add', 'origin', url]);
  await commitFiles(dir, { [PLAN]: workplan(Object.entries(statuses).map(([id, status]) => ({ id, status }))) }, 'plan');
  await git(dir, ['push', '-q', '-u', 'origin', 'main']);
  return dir;
}

async function sharedHub(t: TestContext, root: string) {
  const store = await openStore(path.join(root, 'hub.sqlite'));
  const token = await store.createToken('team');
  const hub = await startHub(store);
  t.after(() => hub.close());
  return { url: hub.url, env: { XDG_STATE_HOME: path.join(root, 'state'), CUSTODIAN_HUB: hub.url, CUSTODIAN_HUB_TOKEN: token } };
}

test('two repos named app under different owners keep their own tasks on one hub', async (t) => {
  const root = await tempDir(t);
  const { env } = await sharedHub(t, root);
  const acme = await hostedClone(root, 'acme', 'acme-clone', { T1: 'done', T2: 'todo' });
  const globex = await hostedClone(root, 'globex', 'globex-clone', { T1: 'todo' });

  for (const dir of [acme, globex]) {
    const run = await runCli(dir, ['run', '--fix', '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(
      report.findings.filter((f: { code: string }) => f.code === 'C-21'),
      [],
      "no other repo's task reported as in no file",
    );
  }
  const list = async (dir: string) => JSON.parse((await runCli(dir, ['task', 'list', '--json'], env)).stdout);
  const acmeTasks = await list(acme);
  assert.equal(acmeTasks.repo, 'acme/app');
  assert.deepEqual(
    acmeTasks.tasks.map((t: { id: string; status: string }) => `${t.id}=${t.status}`),
    ['T1=done', 'T2=todo'],
  );
  const globexTasks = await list(globex);
  assert.equal(globexTasks.repo, 'globex/app');
  assert.deepEqual(
    globexTasks.tasks.map((t: { id: string; status: string }) => `${t.id}=${t.status}`),
    ['T1=todo'],
  );
  // An agent's change through the hub reaches the right one only.
  assert.equal((await runCli(root, ['task', 'set', 'T1', 'blocked', '--repo', 'globex/app'], env)).code, 0);
  assert.equal((await runCli(acme, ['run', '--fix'], env)).code, 0);
  assert.equal((await runCli(globex, ['run', '--fix'], env)).code, 0);
  assert.equal((await list(acme)).tasks[0].status, 'done');
  assert.match(await git(globex, ['show', `HEAD:${PLAN}`]), /id: T1\nstatus: blocked/);
});

test('a clone that synced under another slug refuses until .custodian.yml names the one to keep', async (t) => {
  const root = await tempDir(t);
  const { env } = await sharedHub(t, root);
  const dir = await hostedClone(root, 'acme', 'clone', { T1: 'todo' });
  // As a clone of the old default did: its slug was the name alone.
  await commitFiles(dir, { '.custodian.yml': 'repo: app\n' }, 'pin the old name');
  assert.equal((await runCli(dir, ['run', '--fix'], env)).code, 0);
  await commitFiles(dir, { '.custodian.yml': '# defaults\n' }, 'back to the default slug');

  for (const args of [['run'], ['run', '--fix']]) {
    const refused = await runCli(dir, args, env);
    assert.equal(refused.code, 1, args.join(' '));
    assert.match(refused.stderr, /synced with its hub as repo 'app', but its slug is now 'acme\/app'.*put "repo: app" in \.custodian\.yml/);
  }
  const hook = await runCli(dir, ['run', '--hook', 'post-merge'], env);
  assert.equal(hook.code, 0, 'a hook never fails the git operation');
  assert.match(hook.stderr, /synced with its hub as repo 'app'/);
  const doctor = await runCli(dir, ['doctor'], env);
  assert.match(doctor.stdout, /✗ this clone has synced with its hub as repo 'app'/);

  await commitFiles(dir, { '.custodian.yml': 'repo: app\n' }, 'keep the old name');
  const kept = await runCli(dir, ['run', '--fix', '--json'], env);
  assert.equal(kept.code, 0, kept.stderr);
  assert.equal(JSON.parse(kept.stdout).repo, 'app');
});
