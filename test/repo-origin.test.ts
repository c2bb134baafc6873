import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { git } from '../src/git/run.js';
import { ORIGIN_MAX_LENGTH, originIdentity } from '../src/repo-slug.js';
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

test("an origin past the hub's limit is shortened alike on every clone, and two that share a start stay two", () => {
  const long = (end: string) => `https://git.example/${'a'.repeat(1100)}${end}.git`;
  const one = originIdentity('/work/app', long('x'));
  assert.ok(one !== null && one.length <= ORIGIN_MAX_LENGTH, 'within the limit the hub checks every batch against');
  assert.equal(originIdentity('/elsewhere', `${long('x').replace('https://', 'https://me@')}`), one);
  assert.notEqual(originIdentity('/work/app', long('y')), one);
});

test("a clone whose remote URL is past the hub's limit still reconciles (the hub refused every batch of it)", async (t) => {
  const root = await tempDir(t);
  const env = { XDG_STATE_HOME: path.join(root, 'state'), CUSTODIAN_HUB: path.join(root, 'hub.sqlite') };
  const dir = path.join(root, 'clone');
  await git(root, ['init', '-q', '-b', 'main', dir]);
  await commitFiles(dir, { 'docs/plan.md': workplan([{ id: 'T-1', status: 'done' }]) }, 'plan');
  await git(dir, ['remote', 'add', 'origin', `https://git.example/${'a'.repeat(1100)}/app.git`]);
  const ran = await runCli(dir, ['run', '--fix', '--json'], env);
  assert.deepEqual(
    parseReport(ran.stdout).findings.map((f) => f.code),
    ['C-20'],
    'created in the hub, not refused (C-23)',
  );
  const again = parseReport((await runCli(dir, ['run', '--fix', '--json'], env)).stdout);
  assert.deepEqual(again.findings, [], 'the hub knows the clone as its own the second time too');
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

  // Check mode (CI) sends nothing to refuse, and says the same instead of taking the other repository's tasks for its own (C-21).
  const checked = parseReport((await runCli(second, ['run', '--json'], env)).stdout);
  assert.deepEqual(
    checked.findings.map((f) => f.code),
    ['C-23'],
  );
  assert.match(checked.findings[0]!.message, /^nothing reconciled: repo 'app' on this hub belongs to .*one\/app, not to this clone's .*two\/app/);

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

  // A copy with no remote at all (a template's files in a new repository) cannot show it is the first.
  const copy = path.join(root, 'copy');
  await git(root, ['init', '-q', '-b', 'main', copy]);
  await commitFiles(copy, { 'docs/plan.md': workplan([{ id: 'ONE-1', status: 'done' }]), '.custodian.yml': 'repo: app\n' }, 'from the template');
  for (const args of [
    ['run', '--json'],
    ['run', '--fix', '--json'],
  ]) {
    const copied = parseReport((await runCli(copy, args, env)).stdout);
    assert.match(copied.findings.find((f) => f.code === 'C-23')?.message ?? '', /this clone has no remote to show it is that repository/, args.join(' '));
  }
  assert.equal(JSON.parse((await runCli(first, ['task', 'list', '--json'], env)).stdout).tasks[0].status, 'todo', 'the copy wrote nothing');

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

/** The team's repository (`acme/app.git`, default branch `branch`) and a member's clone that has synced with the hub. */
async function teamRepository(t: TestContext, branch: string, files: Record<string, string> = {}) {
  const root = await tempDir(t);
  const env = { XDG_STATE_HOME: path.join(root, 'state'), CUSTODIAN_HUB: path.join(root, 'hub.sqlite') };
  const team = path.join(root, 'acme', 'app.git');
  await git(root, ['init', '-q', '--bare', '-b', branch, team]);
  const member = path.join(root, 'member');
  await cloneAs(team, member, 'member');
  await git(member, ['checkout', '-q', '-B', branch]);
  await commitFiles(member, { 'docs/plan.md': workplan([{ id: 'A', status: 'todo' }]), ...files }, 'plan');
  await git(member, ['push', '-q', '-u', 'origin', branch]);
  assert.equal((await runCli(member, ['run', '--fix'], env)).code, 0);
  return { root, env, team, member };
}

test("a fork's clone whose branch tracks the team's remote is the team's repository: same slug, same hub repo, nothing refused", async (t) => {
  const { root, env, team, member } = await teamRepository(t, 'main');

  // A contributor's fork: origin is the fork, upstream the team, and main tracks upstream/main.
  const fork = path.join(root, 'contributor', 'app.git');
  await git(root, ['clone', '-q', '--bare', team, fork]);
  const contributor = path.join(root, 'contributor-clone');
  await cloneAs(fork, contributor, 'contributor');
  await git(contributor, ['remote', 'add', 'upstream', team]);
  await git(contributor, ['fetch', '-q', 'upstream']);
  await git(contributor, ['branch', '-q', '-u', 'upstream/main']);
  assert.equal((await runCli(root, ['task', 'set', 'A', 'done', '--repo', 'app'], env)).code, 0, 'an agent moves A on in the hub');

  const run = await runCli(contributor, ['run', '--fix', '--json'], env);
  assert.equal(run.code, 0, run.stderr);
  const report = parseReport(run.stdout);
  assert.equal(report.repo, 'app');
  assert.deepEqual(
    report.findings.filter((f) => f.code === 'C-23'),
    [],
  );
  assert.match(await git(contributor, ['show', 'HEAD:docs/plan.md']), /id: A\nstatus: done/, "the hub's status is written back");

  // What is checked out does not change which repository the clone is: a feature branch pushed to
  // the fork, a detached HEAD (a rebase stopped, a bisect).
  await git(contributor, ['checkout', '-q', '-b', 'feature']);
  await git(contributor, ['push', '-q', '-u', 'origin', 'feature']);
  for (const checkout of [[], ['checkout', '-q', '--detach']]) {
    if (checkout.length > 0) await git(contributor, checkout);
    const there = await runCli(contributor, ['run', '--json'], env);
    assert.equal(there.code, 0, there.stderr);
    assert.equal(parseReport(there.stdout).repo, 'app');
    assert.deepEqual(
      parseReport(there.stdout).findings.filter((f) => f.code === 'C-23'),
      [],
    );
  }
  await git(contributor, ['checkout', '-q', 'main']);

  // Tracking the fork itself, the clone syncs from another repository: refused, as any other.
  await git(contributor, ['branch', '-q', '-u', 'origin/main']);
  await git(contributor, ['-c', 'user.name=c', '-c', 'user.email=c@x', 'commit', '-q', '--allow-empty', '-m', 'own work']);
  const own = await runCli(contributor, ['run', '--fix', '--json'], env);
  assert.match(
    parseReport(own.stdout).findings.find((f) => f.code === 'C-23')?.message ?? own.stderr,
    /belongs to .*acme\/app, not to this clone's .*contributor\/app/,
  );

  // The team's repository moves to a new address: the hub holds the repo to the old one until released.
  const moved = path.join(root, 'acme-moved', 'app.git');
  await git(root, ['clone', '-q', '--bare', team, moved]);
  await git(member, ['remote', 'set-url', 'origin', moved]);
  await git(member, ['-c', 'user.name=m', '-c', 'user.email=m@x', 'commit', '-q', '--allow-empty', '-m', 'after the move']);
  const refused = await runCli(member, ['run', '--fix', '--json'], env);
  assert.match(parseReport(refused.stdout).findings.find((f) => f.code === 'C-23')?.message ?? '', /custodian-hooks hub repo release app --to <new URL>\)/);
  // An address no clone could have is refused, not stored: a path that is not there.
  const nowhere = await runCli(root, ['hub', 'repo', 'release', 'app', '--to', 'acme/app', '--db', env.CUSTODIAN_HUB], env);
  assert.equal(nowhere.code, 2);
  assert.match(nowhere.stderr, /--to 'acme\/app' is not an address/);
  const release = await runCli(root, ['hub', 'repo', 'release', 'app', '--to', moved, '--db', env.CUSTODIAN_HUB], env);
  assert.equal(release.code, 0, release.stderr);
  // A clone still at the old address is the one refused now, and cannot take the repo back.
  const stale = path.join(root, 'stale');
  await cloneAs(team, stale, 'stale');
  const old = await runCli(stale, ['run', '--fix', '--json'], env);
  assert.match(parseReport(old.stdout).findings.find((f) => f.code === 'C-23')?.message ?? '', /belongs to .*acme-moved\/app, not to this clone's .*acme\/app/);
  assert.equal((await runCli(root, ['hub', 'repo', 'release', 'nope', '--db', env.CUSTODIAN_HUB], env)).code, 1);
  const claimed = await runCli(member, ['run', '--fix', '--json'], env);
  assert.deepEqual(
    parseReport(claimed.stdout).findings.filter((f) => f.code === 'C-23'),
    [],
  );
});

test('a clone whose only remote is not called origin, on a branch other than main, is that remote’s repository', async (t) => {
  const { root, env, team } = await teamRepository(t, 'trunk', { '.custodian.yml': 'branches: [trunk]\n' });

  for (const how of ['clone -o upstream', 'init, remote add, fetch']) {
    const dir = path.join(root, how.replace(/\W+/g, '-'));
    if (how.startsWith('clone')) await git(root, ['clone', '-q', '-o', 'upstream', team, dir]);
    else {
      await git(root, ['init', '-q', '-b', 'trunk', dir]);
      await git(dir, ['remote', 'add', 'upstream', team]);
      await git(dir, ['fetch', '-q', 'upstream']);
      await git(dir, ['reset', '-q', '--hard', 'upstream/trunk']);
    }
    const run = parseReport((await runCli(dir, ['run', '--json'], env)).stdout);
    assert.equal(run.repo, 'app', how);
    assert.deepEqual(
      run.findings.map((f) => f.code),
      [],
      how,
    );
  }
});
