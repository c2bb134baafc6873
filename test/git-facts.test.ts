import assert from 'node:assert/strict';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { isAncestor, lastChangedIn, readTreeState, trackedBranches } from '../src/git/facts.js';
import { git } from '../src/git/run.js';
import { changedFiles, openRepo } from '../src/repo.js';
import { commitFiles, configure, tempDir, tempRepo } from './helpers/temp-repo.js';

test('the working tree state: branch, upstream and its commit, the remote default branch, an operation in progress', async (t) => {
  const origin = await tempRepo(t, { 'a.txt': 'a\n' });
  await git(origin, ['branch', '-m', 'trunk']);
  const root = await tempDir(t);
  const dir = path.join(root, 'clone');
  await git(root, ['clone', '-q', origin, dir]);
  await configure(dir);
  const repo = await openRepo(dir);
  const first = (await git(dir, ['rev-parse', 'HEAD'])).trim();

  const cloned = await readTreeState(repo);
  assert.deepEqual(cloned, {
    head: first,
    branchRef: 'refs/heads/trunk',
    upstreamRef: 'refs/remotes/origin/trunk',
    upstream: first,
    remote: 'origin',
    remoteDefault: 'trunk',
    operation: null,
  });
  assert.deepEqual(trackedBranches(repo, cloned), ['trunk'], "the remote's default branch, not main or master");

  // Ahead of the upstream: the upstream's commit is the tracking ref's, not HEAD.
  const ahead = await commitFiles(dir, { 'b.txt': 'b\n' }, 'local work');
  assert.deepEqual(await readTreeState(repo), { ...cloned, head: ahead });

  // A branch without upstream, and a remote whose default branch is unknown.
  await git(dir, ['checkout', '-q', '-b', 'feature']);
  await git(dir, ['remote', 'set-head', 'origin', '--delete']);
  const feature = await readTreeState(repo);
  assert.deepEqual(feature, {
    head: ahead,
    branchRef: 'refs/heads/feature',
    upstreamRef: null,
    upstream: null,
    remote: null,
    remoteDefault: null,
    operation: null,
  });
  assert.deepEqual(trackedBranches(repo, feature), ['main', 'master']);

  // An upstream configured but never fetched: named, with no commit, and the next read still answers.
  await git(dir, ['config', 'branch.feature.remote', 'origin']);
  await git(dir, ['config', 'branch.feature.merge', 'refs/heads/never-fetched']);
  assert.deepEqual(await readTreeState(repo), { ...feature, upstreamRef: 'refs/remotes/origin/never-fetched', remote: 'origin' });
  // Still missing, whatever else git could read its name as: a tag of that name, or describe output.
  await git(dir, ['tag', 'refs/remotes/origin/never-fetched', first]);
  assert.deepEqual(await readTreeState(repo), { ...feature, upstreamRef: 'refs/remotes/origin/never-fetched', remote: 'origin' });
  await git(dir, ['config', 'branch.feature.merge', `refs/heads/v1-g${ahead.slice(0, 7)}`]);
  assert.deepEqual(await readTreeState(repo), { ...feature, upstreamRef: `refs/remotes/origin/v1-g${ahead.slice(0, 7)}`, remote: 'origin' });
  // A local branch as the upstream.
  await git(dir, ['config', 'branch.feature.remote', '.']);
  await git(dir, ['config', 'branch.feature.merge', 'refs/heads/trunk']);
  assert.deepEqual(await readTreeState(repo), { ...feature, upstreamRef: 'refs/heads/trunk', upstream: ahead, remote: '.' });
  await git(dir, ['config', '--unset', 'branch.feature.remote']);
  await git(dir, ['config', '--unset', 'branch.feature.merge']);
  await git(dir, ['tag', '-d', 'refs/remotes/origin/never-fetched']);

  await git(dir, ['checkout', '-q', '--detach']);
  await writeFile(path.join(dir, '.git', 'MERGE_HEAD'), `${ahead}\n`);
  assert.deepEqual(await readTreeState(repo), { ...feature, branchRef: null, operation: 'a merge' });
});

test('the state of a repo with no commits yet', async (t) => {
  const repo = await openRepo(await tempRepo(t));
  assert.deepEqual(await readTreeState(repo), {
    head: null,
    branchRef: null,
    upstreamRef: null,
    upstream: null,
    remote: null,
    remoteDefault: null,
    operation: null,
  });
});

test('is-ancestor: a commit is its own, asked of no process; a missing one is no', async (t) => {
  const dir = await tempRepo(t, { 'a.txt': 'a\n' });
  const repo = await openRepo(dir);
  const first = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  const second = await commitFiles(dir, { 'b.txt': 'b\n' }, 'second');
  assert.equal(await isAncestor(repo, first, second), true);
  assert.equal(await isAncestor(repo, second, first), false);
  // After a fast-forward pull the upstream is HEAD: answered without git, which lacks this one.
  const absent = 'e'.repeat(40);
  assert.equal(await isAncestor(repo, absent, absent), true);
  assert.equal(await isAncestor(repo, absent, second), false, 'what git cannot answer is no');
});

test("the newest commit that changed each file holds it as HEAD does, a merge's side change included", async (t) => {
  const dir = await tempRepo(t, { 'docs/a.md': 'a\n', 'docs/b.md': 'b\n', 'docs/c d.md': 'c\n', 'other.txt': 'o\n' });
  const repo = await openRepo(dir);
  const first = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  const main = (await git(dir, ['branch', '--show-current'])).trim();
  await git(dir, ['checkout', '-q', '-b', 'side']);
  await commitFiles(dir, { 'docs/a.md': 'a on the side\n' }, 'side');
  await git(dir, ['checkout', '-q', main]);
  const changedB = await commitFiles(dir, { 'docs/b.md': 'b2\n' }, 'b');
  await git(dir, ['merge', '-q', '--no-ff', '-m', 'merge side', 'side']);
  const merge = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  const head = await commitFiles(dir, { 'other.txt': 'o2\n' }, 'not a workplan');

  const found = await lastChangedIn(repo, head, ['docs/a.md', 'docs/b.md', 'docs/c d.md', 'docs/absent.md']);
  // The side's commit is no first parent: the merge brought the change to this chain.
  assert.deepEqual(Object.fromEntries(found), { 'docs/a.md': merge, 'docs/b.md': changedB, 'docs/c d.md': first });
  for (const [file, commit] of found) assert.equal(await git(dir, ['show', `${commit}:${file}`]), await git(dir, ['show', `${head}:${file}`]));
  assert.deepEqual(await lastChangedIn(repo, head, []), new Map());
});

test("asking which files changed never writes the index: a hook must not hold index.lock while the user's next git command wants it", async (t) => {
  const dir = await tempRepo(t, { 'plan.md': 'plan\n' });
  const repo = await openRepo(dir);
  const index = path.join(repo.gitDir, 'index');
  // The same bytes with a newer time: the index's stat data is stale, and a refresh would rewrite it.
  await writeFile(path.join(dir, 'plan.md'), 'plan\n');
  const later = new Date(Date.now() + 60_000);
  await utimes(path.join(dir, 'plan.md'), later, later);
  const before = await readFile(index);

  assert.deepEqual([...(await changedFiles(repo))], []);
  assert.deepEqual(await readFile(index), before, 'the index is as it was');
  // The control: git's own status, optional locks allowed, refreshes and writes it.
  await git(dir, ['status', '--porcelain'], { env: { GIT_OPTIONAL_LOCKS: '1' } });
  assert.notDeepEqual(await readFile(index), before, 'git status left to itself rewrites the index');
});
