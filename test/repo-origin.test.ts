import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { git } from '../src/git/run.js';
import { originIdentity } from '../src/repo-slug.js';
import { runCli } from './helpers/cli.js';
import { parseReport } from './helpers/scene.js';
import { cloneAs, commitFiles, tempDir } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

test('one repository, however its origin is spelled, is one origin; credentials and .git never count', () => {
  const top = '/work/app';
  const same = ['https://github.com/acme/app.git', 'https://me:secret@GitHub.com/acme/app', 'ssh://git@github.com/acme/app.git', 'git@github.com:acme/app.git'];
  assert.deepEqual(new Set(same.map((url) => originIdentity(top, url))), new Set(['github.com/acme/app']));
  assert.equal(originIdentity(top, 'https://gitlab.com/acme/app.git'), 'gitlab.com/acme/app');
  assert.equal(originIdentity(top, '../elsewhere/app.git'), '/work/elsewhere/app');
  assert.equal(originIdentity(top, ''), null);
});

test('a clone of another repository under a slug the hub knows is refused, says how to resolve it, and writes nothing; repo: resolves it', async (t) => {
  const root = await tempDir(t);
  const env = { XDG_STATE_HOME: path.join(root, 'state'), CUSTODIAN_HUB: path.join(root, 'hub.sqlite') };
  // Two teams' repositories, both called app.
  const clones: string[] = [];
  for (const team of ['one', 'two']) {
    const origin = path.join(root, team, 'app.git');
    await git(root, ['init', '-q', '--bare', '-b', 'main', origin]);
    const dir = path.join(root, `${team}-clone`);
    await cloneAs(origin, dir, team);
    await commitFiles(dir, { 'docs/plan.md': workplan([{ id: `${team.toUpperCase()}-1`, status: 'todo' }]) }, 'plan');
    await git(dir, ['push', '-q', 'origin', 'main']);
    clones.push(dir);
  }
  const [first, second] = clones as [string, string];
  assert.equal((await runCli(first, ['run', '--fix', '--json'], env)).code, 0);

  const refused = await runCli(second, ['run', '--fix', '--json'], env);
  const finding = parseReport(refused.stdout).findings.find((f) => f.code === 'C-23');
  assert.match(
    finding?.message ?? refused.stderr,
    /repo 'app' on this hub belongs to .*one\/app, not to this clone's .*two\/app: .*"repo:" in \.custodian\.yml/,
  );
  const tasks = await runCli(first, ['task', 'list', '--json'], env);
  assert.deepEqual(
    (JSON.parse(tasks.stdout) as { tasks: { id: string }[] }).tasks.map((x) => x.id),
    ['ONE-1'],
    "the other repository's task never reached the hub",
  );

  await writeFile(path.join(second, '.custodian.yml'), 'repo: two-app\n');
  await git(second, ['add', '.custodian.yml']);
  await git(second, ['commit', '-q', '-m', 'its own slug']);
  const own = await runCli(second, ['run', '--fix', '--json'], env);
  assert.equal(own.code, 0, own.stderr);
  assert.deepEqual(
    parseReport(own.stdout).findings.map((f) => f.code),
    ['C-20'],
  );
});
