import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { readObject } from '../src/git/objects.js';
import { GitError, git } from '../src/git/run.js';
import { blobsAtPaths, commitParents, commitShape, commitTime, madeAgain } from '../src/git/trees.js';
import { commitFiles, IDENTITY, tempDir, tempRepo } from './helpers/temp-repo.js';

const ODD = ['plain.md', 'docs/nested/deep.md', 'docs/with space.md', 'docs/"README.md"x.md', 'docs/new\nline.md', 'docs/ünï.md', 'docs/a.md', 'docs.md'];

/** What `git ls-tree -r` says of these paths: the answer blobsAtPaths must give. */
async function lsTree(dir: string, rev: string, paths: readonly string[]): Promise<[string, { mode: string; oid: string }][]> {
  const out = await git(dir, ['--literal-pathspecs', 'ls-tree', '-z', '--full-tree', rev, '--', ...paths]);
  return out
    .split('\0')
    .filter(Boolean)
    .flatMap((entry) => {
      const tab = entry.indexOf('\t');
      const [mode, type, oid] = entry.slice(0, tab).split(' ');
      return type === 'blob' ? [[entry.slice(tab + 1), { mode: mode!, oid: oid! }] as [string, { mode: string; oid: string }]] : [];
    });
}

test('paths in a tree, walked through the object reader, are what ls-tree lists: odd names, folders, links, submodules, missing paths', async (t) => {
  const dir = await tempRepo(t, Object.fromEntries(ODD.map((file, i) => [file, `file ${i}\n`])));
  await symlink('plain.md', path.join(dir, 'link.md'));
  const sub = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  await git(dir, ['update-index', '--add', '--cacheinfo', `160000,${sub},vendor/sub`]);
  await git(dir, [...IDENTITY, 'add', 'link.md']);
  await git(dir, [...IDENTITY, 'commit', '-q', '-m', 'link and submodule']);
  const asked = [...ODD, 'link.md', 'vendor/sub', 'docs', 'docs/nested', 'missing.md', 'docs/missing/x.md', 'plain.md/below'];
  for (const rev of ['HEAD', sub]) {
    assert.deepEqual([...(await blobsAtPaths(dir, rev, asked))], await lsTree(dir, rev, asked), `at ${rev}`);
  }
  await assert.rejects(blobsAtPaths(dir, 'no-such-branch', ['plain.md']), GitError);
});

test('objects: blobs byte for byte (a large one in many chunks, many asked at once), commits with their parents, unknown ids as null', async (t) => {
  const big = Buffer.alloc(5 * 2 ** 20, 'status: done\n');
  const dir = await tempRepo(t, { 'a.md': 'a\n' });
  const root = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  await commitFiles(dir, { 'big.md': big.toString() }, 'big');
  await git(dir, ['checkout', '-q', '-b', 'side', root]);
  const side = await commitFiles(dir, { 'b.md': 'b\n' }, 'side');
  await git(dir, ['checkout', '-q', '-']);
  await git(dir, [...IDENTITY, 'merge', '-q', '--no-edit', 'side']);
  const [merge, first] = (await git(dir, ['rev-parse', 'HEAD', 'HEAD^1'])).trim().split('\n') as [string, string];

  const files = (await git(dir, ['ls-files', '-s'])).trim().split('\n');
  const answers = await Promise.all(files.map((line) => readObject(dir, line.split(/\s/)[1]!)));
  for (const [i, line] of files.entries()) {
    const oid = line.split(/\s/)[1]!;
    assert.deepEqual(answers[i]!.bytes, execFileSync('git', ['cat-file', 'blob', oid], { cwd: dir, maxBuffer: 1 << 24 }));
    assert.equal(answers[i]!.type, 'blob');
  }
  assert.deepEqual(await commitParents(dir, merge), [first, side]);
  assert.deepEqual(await commitParents(dir, root), []);
  assert.equal(await commitParents(dir, '0'.repeat(40)), null);
  assert.equal(await readObject(dir, '0'.repeat(40)), null);
  assert.equal((await readObject(dir, 'HEAD^{tree}'))?.type, 'tree');
  await assert.rejects(readObject(dir, 'HEAD\nHEAD'), /not an object name/);
});

test('an idle reader holds nothing open: a process that read an object ends without waiting for it', async (t) => {
  const dir = await tempRepo(t, { 'a.md': 'a\n' });
  const script = `
    const { readObject } = await import(${JSON.stringify(pathToFileURL(path.join(import.meta.dirname, '../src/git/objects.js')).href)});
    const pending = readObject(process.argv[1], 'HEAD');
    const asking = process.getActiveResourcesInfo();
    const object = await pending;
    console.log(JSON.stringify({ type: object.type, asking, answered: process.getActiveResourcesInfo() }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, dir], { encoding: 'utf8' }));
  assert.equal(out.type, 'commit');
  assert.ok(out.asking.includes('ProcessWrap'), 'a request holds the event loop open');
  assert.deepEqual(
    out.answered.filter((r: string) => r === 'ProcessWrap' || r === 'PipeWrap'),
    [],
    'answered, the reader holds nothing open',
  );
});

test('a reader whose git fails fails its requests as a GitError, and the next request starts another', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(readObject(dir, 'HEAD'), GitError, 'not a repository: git exits at once');
  await git(dir, ['init', '-q']);
  await commitFiles(dir, { 'a.md': 'a\n' }, 'first');
  assert.equal((await readObject(dir, 'HEAD'))?.type, 'commit');
});

test('a repository deleted and made again at the same path is read afresh, not from the old one', async (t) => {
  const root = await tempDir(t);
  const dir = path.join(root, 'clone');
  const make = async (text: string) => {
    await rm(dir, { recursive: true, force: true });
    await git(root, ['init', '-q', dir]);
    return commitFiles(dir, { 'a.md': text }, text);
  };
  const first = await make('first\n');
  assert.equal((await readObject(dir, 'HEAD'))?.oid, first);
  const second = await make('second\n');
  assert.notEqual(second, first);
  assert.equal((await readObject(dir, 'HEAD'))?.oid, second, 'within the old reader’s idle second');
  assert.equal(await readObject(dir, first), null);
});

test("a commit's time is its committer line's; a forged one no date holds is no time, never an error", async (t) => {
  const dir = await tempRepo(t, { 'a.md': 'a\n' });
  const head = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  const seconds = Number((await git(dir, ['show', '-s', '--format=%ct', head])).trim());
  assert.equal(await commitTime(dir, head), seconds * 1000);
  const tree = (await git(dir, ['rev-parse', 'HEAD^{tree}'])).trim();
  const forged = `tree ${tree}\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 99999999999999999999 +0000\n\nforged\n`;
  const id = execFileSync('git', ['hash-object', '-t', 'commit', '-w', '--literally', '--stdin'], { cwd: dir, input: forged }).toString().trim();
  assert.equal(await commitTime(dir, id), null);
  assert.equal(await commitTime(dir, '0'.repeat(40)), null, 'a commit git does not have');
});

test('a commit reworded is made again; the same tree on the same parents by another author line only maybe; another file or parent, no', async (t) => {
  const dir = await tempRepo(t, { 'a.md': 'a\n' });
  await commitFiles(dir, { 'b.md': 'b\n' }, 'b');
  const first = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  await git(dir, ['commit', '-q', '--amend', '-m', 'b, reworded']);
  const reworded = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  assert.notEqual(reworded, first);
  const shape = async (commit: string) => (await commitShape(dir, commit))!;
  assert.equal(madeAgain(await shape(first), await shape(reworded)), 'yes');
  // The same files on the same parent at another time, or by someone else: a rewrite that reset the author, or a second change.
  const madeBy = (author: Record<string, string>) =>
    execFileSync('git', [...IDENTITY, 'commit-tree', `${first}^{tree}`, '-p', `${first}^`, '-m', 'b'], { cwd: dir, env: { ...process.env, ...author } })
      .toString()
      .trim();
  const later = madeBy({ GIT_AUTHOR_DATE: '@1 +0000' });
  const other = madeBy({ GIT_AUTHOR_NAME: 'Other', GIT_AUTHOR_EMAIL: 'other@example.com' });
  assert.equal(madeAgain(await shape(first), await shape(later)), 'maybe');
  assert.equal(madeAgain(await shape(first), await shape(other)), 'maybe');
  // An author's name stored in Latin-1 (no valid UTF-8) is compared byte for byte.
  const tree = (await git(dir, ['rev-parse', `${first}^{tree}`])).trim();
  const parent = (await git(dir, ['rev-parse', `${first}^`])).trim();
  const latin1 = (last: number) =>
    execFileSync('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], {
      cwd: dir,
      input: Buffer.concat([
        Buffer.from(`tree ${tree}\nparent ${parent}\nauthor Jos`),
        Buffer.from([last]),
        Buffer.from(' <j@x> 1 +0000\ncommitter J <j@x> 1 +0000\nencoding ISO-8859-1\n\nb\n'),
      ]),
    })
      .toString()
      .trim();
  assert.equal(madeAgain(await shape(latin1(0xe9)), await shape(latin1(0xe8))), 'maybe');
  await commitFiles(dir, { 'c.md': 'c\n' }, 'c');
  const child = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  assert.equal(madeAgain(await shape(child), await shape(reworded)), 'no');
  assert.equal(await commitShape(dir, '0'.repeat(40)), null, 'a commit git does not have');
});
