import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { isAncestor, readTreeState, trackedBranches } from '../src/git-facts.js';
import { git } from '../src/git.js';
import { openRepo } from '../src/repo.js';
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
