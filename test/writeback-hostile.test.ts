import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { git, gitBytes } from '../src/git/run.js';
import { openStore } from '../src/hub/open.js';
import type { Hub, RepoState, SyncBatch } from '../src/hub/types.js';
import { reconcileRepo } from '../src/sync/reconcile-repo.js';
import type { ReconcileDeps } from '../src/sync/options.js';
import { openRepo } from '../src/repo.js';
import { checkChangedPaths, landWritebackCommit } from '../src/writeback/commit.js';
import { tempDir, tempRepo } from './helpers/temp-repo.js';

const FIX = { mode: 'fix', writeback: true, pull: false } as const;

const block = (id: string, status: string) => `### ${id}\n\n\`\`\`task\nid: ${id}\nstatus: ${status}\n\`\`\`\n\n`;

/** A repo whose files (text or raw bytes) are committed, and a hub that has read them once. */
async function fixture(t: TestContext, files: Record<string, string | Buffer>) {
  const dir = await tempRepo(t);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  await git(dir, ['add', '--', ...Object.keys(files)]);
  await git(dir, ['commit', '-q', '-m', 'initial']);
  const store = await openStore(path.join(await tempDir(t), 'hub.sqlite'));
  t.after(() => store.close());
  const repo = await openRepo(dir);
  const deps: ReconcileDeps = { hub: store, hostname: 'testhost', machine: 'tester@testhost' };
  await reconcileRepo(repo, FIX, deps);
  const agent = (id: string, status: 'done' | 'blocked') => store.setStatus({ repo: repo.slug, id, status, by: 'agent' });
  return { dir, store, repo, deps, agent };
}

/** The paths the commit changed against its first parent, as git names them (NUL-separated, no renames). */
async function changedPaths(dir: string, commit = 'HEAD'): Promise<string[]> {
  const out = await git(dir, ['diff-tree', '-z', '-r', '--no-renames', '--name-only', `${commit}~1`, commit]);
  return out.split('\0').filter(Boolean);
}

const blobAt = (dir: string, rev: string, file: string) => gitBytes(dir, ['cat-file', 'blob', `${rev}:${file}`]);

test('a workplan whose name starts with a quote is the file committed, not the path git would unquote', async (t) => {
  const name = '"README.md"x.md';
  const { dir, repo, deps, agent } = await fixture(t, { 'README.md': '# readme\n', [name]: block('A', 'todo') });
  await agent('A', 'done');
  const report = await reconcileRepo(repo, FIX, deps);
  assert.deepEqual(
    report.findings.filter((f) => f.code !== 'C-13'),
    [],
  );
  assert.deepEqual(await changedPaths(dir), [name]);
  assert.equal((await blobAt(dir, 'HEAD', name)).toString(), block('A', 'done'));
  assert.equal(await readFile(path.join(dir, name), 'utf8'), block('A', 'done'));
  assert.equal(await git(dir, ['status', '--porcelain', '-z']), '', 'index and working tree agree with the commit');
});

test('a workplan name holding newlines cannot add index lines: the commit changes that file alone', async (t) => {
  const evil = (await git(await tempDir(t), ['hash-object', '--stdin'], { input: 'echo pwned\n' })).trim();
  const name = `x.md\n100644 ${evil}\tinstall.sh\n100644 ${evil}\tlast.md`;
  const { dir, repo, deps, agent } = await fixture(t, { 'install.sh': 'echo safe\n', 'evil.txt': 'echo pwned\n', [name]: block('A', 'todo') });
  await agent('A', 'done');
  await reconcileRepo(repo, FIX, deps);
  assert.deepEqual(await changedPaths(dir), [name]);
  assert.equal((await blobAt(dir, 'HEAD', 'install.sh')).toString(), 'echo safe\n');
  assert.equal((await blobAt(dir, 'HEAD', name)).toString(), block('A', 'done'));
  assert.equal(await git(dir, ['status', '--porcelain', '-z']), '');
});

test('a status the hub made up is never written into a file or a commit message', async (t) => {
  const { dir, repo, deps, store } = await fixture(t, { 'plan.md': block('A', 'todo') + block('B', 'todo') });
  await store.setStatus({ repo: repo.slug, id: 'B', status: 'done', by: 'agent' });
  const hostile: Hub = Object.assign(Object.create(store) as Hub, {
    readRepo: async (...args: Parameters<Hub['readRepo']>) => {
      const state = (await store.readRepo(...args)) as RepoState;
      return { ...state, tasks: state.tasks.map((task) => (task.id === 'A' ? { ...task, status: 'done\n```\n\n# injected' as 'done' } : task)) };
    },
  });
  const head = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  const report = await reconcileRepo(repo, FIX, { ...deps, hub: hostile });
  const refusal = report.findings.find((f) => f.code === 'C-25');
  assert.match(refusal?.message ?? '', /'A'.*not a status/s);
  assert.equal(refusal?.file, 'plan.md');
  assert.equal((await blobAt(dir, 'HEAD', 'plan.md')).toString(), block('A', 'todo') + block('B', 'done'), 'B written back, A left alone');
  assert.equal((await git(dir, ['rev-parse', 'HEAD~1'])).trim(), head);
  assert.doesNotMatch(await git(dir, ['log', '-1', '--format=%B']), /injected|```/);
});

test('a task that cannot be written is skipped and reported; the others are committed', async (t) => {
  const text = `${block('A', 'todo')}\`\`\`task\nid: "B\\tX"\nstatus: todo\n\`\`\`\n\n\`\`\`task\nid: "C\\nD"\nstatus: todo\n\`\`\`\n\n\`\`\`task\nid: E\nstatus: >-\n  todo\n\`\`\`\n\n${block('F', 'todo')}`;
  const { dir, repo, deps, agent } = await fixture(t, { 'plan.md': text });
  // Ids with a tab or a newline never reach the hub: the parser reports them (C-09) and they stay as they are.
  for (const id of ['A', 'E', 'F']) await agent(id, 'done');
  const report = await reconcileRepo(repo, FIX, deps);
  assert.deepEqual(
    report.findings.filter((f) => f.code === 'C-09').map((f) => f.line),
    [8, 13],
  );
  assert.equal((await blobAt(dir, 'HEAD', 'plan.md')).toString(), text.replace(/(id: [AF]\nstatus: )todo/g, '$1done'));
  assert.deepEqual(
    report.actions.filter((a) => a.type === 'writeback').map((a) => a.taskId),
    ['A', 'F'],
  );
  const refused = report.findings.filter((f) => f.code === 'C-25').map((f) => [f.taskId, f.file, f.line]);
  assert.deepEqual(refused, [['E', 'plan.md', 20]]);
  const message = await git(dir, ['log', '-1', '--format=%B']);
  assert.deepEqual(
    message.split('\n').filter((l) => l.startsWith('- ')),
    ['- A: todo → done', '- F: todo → done'],
  );
});

test('a task that cannot be written is reported once, even when a refused batch makes the run plan again', async (t) => {
  const text = `${block('A', 'todo')}\`\`\`task\nid: E\nstatus: >-\n  todo\n\`\`\`\n`;
  const { repo, deps, store, agent } = await fixture(t, { 'plan.md': text });
  for (const id of ['A', 'E']) await agent(id, 'done');
  let raced = false;
  const racing: Hub = Object.assign(Object.create(store) as Hub, {
    sync: async (batch: SyncBatch) => {
      if (!raced) {
        raced = true;
        await store.setStatus({ repo: repo.slug, id: 'A', status: 'blocked', by: 'agent' });
      }
      return store.sync(batch);
    },
  });
  const report = await reconcileRepo(repo, FIX, { ...deps, hub: racing });
  assert.ok(raced);
  assert.deepEqual(
    report.findings.filter((f) => f.code === 'C-25').map((f) => f.taskId),
    ['E'],
  );
});

test('bytes that are not UTF-8 elsewhere in a workplan survive a writeback, in the commit and the working copy', async (t) => {
  const bytes = Buffer.concat([
    Buffer.from('# Caf'),
    Buffer.from([0xe9, 0x20, 0xff, 0xfe, 0x0a, 0x0a]),
    Buffer.from(block('A', 'todo')),
    Buffer.from([0xc3, 0x0a]),
  ]);
  const { dir, repo, deps, agent } = await fixture(t, { 'plan.md': bytes });
  await agent('A', 'done');
  await reconcileRepo(repo, FIX, deps);
  const expected = Buffer.from(bytes.toString('latin1').replace('status: todo', 'status: done'), 'latin1');
  assert.deepEqual(await blobAt(dir, 'HEAD', 'plan.md'), expected);
  assert.deepEqual(await readFile(path.join(dir, 'plan.md')), expected);
});

test('a writeback killed after the branch moved is finished by the next run, not left reverting every status', async (t) => {
  const { dir, repo, deps, agent } = await fixture(t, { 'plan.md': block('A', 'todo') + block('B', 'todo'), 'notes.md': 'not a workplan\n' });
  await agent('A', 'done');
  const killed = { update: () => Promise.reject(new Error('killed')) };
  const first = await reconcileRepo(repo, FIX, { ...deps, landCommit: (r, ref, prepared) => landWritebackCommit(r, ref, prepared, killed) });
  // The report says exactly what happened: the commit is on the branch, the files lag behind.
  assert.deepEqual(
    first.actions.map((a) => a.type),
    ['writeback', 'commit'],
  );
  assert.match(first.findings.find((f) => f.code === 'C-25')!.message, /landed, but the working copy was not updated: killed — the next run finishes it/);
  assert.equal(first.settled, null);
  // What the kill left: the branch and the index at the writeback, the file still at the parent.
  assert.deepEqual(await changedPaths(dir), ['plan.md']);
  assert.equal(await readFile(path.join(dir, 'plan.md'), 'utf8'), block('A', 'todo') + block('B', 'todo'));
  assert.match(await git(dir, ['status', '--porcelain']), /^ M plan\.md/);

  await agent('B', 'done');
  const report = await reconcileRepo(repo, FIX, deps);
  assert.deepEqual(
    report.findings.filter((f) => f.code !== 'C-13'),
    [],
  );
  assert.equal(await readFile(path.join(dir, 'plan.md'), 'utf8'), block('A', 'done') + block('B', 'done'));
  assert.equal(await git(dir, ['status', '--porcelain']), '');
  assert.deepEqual(await changedPaths(dir), ['plan.md']);
  assert.equal((await blobAt(dir, 'HEAD~1', 'plan.md')).toString(), block('A', 'done') + block('B', 'todo'));
});

test('a file edited after an interrupted writeback is left as the user made it', async (t) => {
  const { dir, repo, deps, agent } = await fixture(t, { 'plan.md': block('A', 'todo') });
  await agent('A', 'done');
  const killed = { update: () => Promise.reject(new Error('killed')) };
  await reconcileRepo(repo, FIX, { ...deps, landCommit: (r, ref, prepared) => landWritebackCommit(r, ref, prepared, killed) });
  await writeFile(path.join(dir, 'plan.md'), `${block('A', 'todo')}my own notes\n`);
  await reconcileRepo(repo, FIX, deps);
  assert.equal(await readFile(path.join(dir, 'plan.md'), 'utf8'), `${block('A', 'todo')}my own notes\n`);
});

test('a working copy that differs from the blob by checkout filters (eol=crlf) is written out through them', async (t) => {
  const { dir, repo, deps, agent } = await fixture(t, { '.gitattributes': '*.md text eol=crlf\n', 'plan.md': block('A', 'todo') });
  await rm(path.join(dir, 'plan.md'));
  await git(dir, ['checkout', '--', 'plan.md']);
  assert.equal(await readFile(path.join(dir, 'plan.md'), 'utf8'), block('A', 'todo').replace(/\n/g, '\r\n'));
  await agent('A', 'done');
  await reconcileRepo(repo, FIX, deps);
  assert.equal((await blobAt(dir, 'HEAD', 'plan.md')).toString(), block('A', 'done'));
  assert.equal(await readFile(path.join(dir, 'plan.md'), 'utf8'), block('A', 'done').replace(/\n/g, '\r\n'));
  assert.equal(await git(dir, ['status', '--porcelain']), '');
});

test("a working copy git stores otherwise than it holds it (CRLF under eol=lf, a clean filter's private text) keeps its own bytes but the status", async (t) => {
  // git status calls both clean: they store as the committed blob, and a checkout would rewrite them whole.
  const crlf = block('A', 'todo').replace(/\n/g, '\r\n');
  const { dir, repo, deps, agent } = await fixture(t, { '.gitattributes': '*.md text eol=lf\nprivate.md filter=private\n', 'plan.md': crlf });
  await git(dir, ['config', 'filter.private.clean', "sed 's/ *# private:.*//'"]);
  await git(dir, ['config', 'filter.private.smudge', 'cat']);
  const notes = `${block('B', 'todo').replace('status: todo', 'status: todo   # private: ask Bob first')}Budget 40k  # private: do not share\n`;
  await writeFile(path.join(dir, 'private.md'), notes);
  await git(dir, ['add', 'private.md']);
  await git(dir, ['commit', '-q', '-m', 'private notes']);
  await reconcileRepo(repo, FIX, deps);
  assert.equal(await git(dir, ['status', '--porcelain']), '');

  await agent('A', 'done');
  await agent('B', 'done');
  await reconcileRepo(repo, FIX, deps);
  assert.equal((await blobAt(dir, 'HEAD', 'plan.md')).toString(), block('A', 'done'), 'the commit as git stores it');
  assert.equal(await readFile(path.join(dir, 'plan.md'), 'utf8'), block('A', 'done').replace(/\n/g, '\r\n'), 'every CRLF kept');
  assert.equal(await readFile(path.join(dir, 'private.md'), 'utf8'), notes.replace('status: todo', 'status: done'), 'the private text kept');
  assert.doesNotMatch((await blobAt(dir, 'HEAD', 'private.md')).toString(), /private/);
  assert.equal(await git(dir, ['status', '--porcelain']), '');
});

test('a commit that changes any path but the planned ones is refused with the paths named', async (t) => {
  const dir = await tempRepo(t, { 'plan.md': block('A', 'todo'), 'install.sh': 'echo safe\n' });
  await writeFile(path.join(dir, 'plan.md'), block('A', 'done'));
  await writeFile(path.join(dir, 'install.sh'), 'echo pwned\n');
  await git(dir, ['commit', '-q', '-am', 'both']);
  const repo = await openRepo(dir);
  await assert.rejects(checkChangedPaths(repo, 'HEAD~1', 'HEAD', ['plan.md']), {
    message: 'the writeback commit would change ["install.sh","plan.md"], not the planned ["plan.md"]; nothing landed',
  });
  await checkChangedPaths(repo, 'HEAD~1', 'HEAD', ['plan.md', 'install.sh']);
});

test('a workplan outside a sparse checkout keeps its skip-worktree bit through a writeback, and the next writeback lands too', async (t) => {
  const { dir, repo, deps, agent } = await fixture(t, { 'a/plan.md': block('A', 'todo'), 'b/plan.md': block('B', 'todo') });
  await git(dir, ['sparse-checkout', 'set', 'a']);
  const flags = async () => (await git(dir, ['ls-files', '-v'])).trim().split('\n');
  assert.deepEqual(await flags(), ['H a/plan.md', 'S b/plan.md']);
  for (const status of ['done', 'blocked'] as const) {
    await agent('B', status);
    const report = await reconcileRepo(repo, FIX, deps);
    assert.deepEqual(
      report.findings.filter((f) => f.code === 'C-14'),
      [],
      'not held up as an uncommitted change',
    );
    assert.equal((await blobAt(dir, 'HEAD', 'b/plan.md')).toString(), block('B', status));
    assert.deepEqual(await flags(), ['H a/plan.md', 'S b/plan.md'], 'the bit the sparse checkout set is kept');
    assert.equal(await git(dir, ['status', '--porcelain']), '', 'nothing reads as deleted');
  }
});

test('a workplan present in the working tree with skip-worktree set by hand: the landing keeps the bit and leaves the file as git hides it', async (t) => {
  const { dir, repo, deps, agent } = await fixture(t, { 'plan.md': block('A', 'todo') });
  await git(dir, ['update-index', '--skip-worktree', 'plan.md']);
  await agent('A', 'done');
  const report = await reconcileRepo(repo, FIX, deps);
  assert.deepEqual(
    report.findings.filter((f) => f.code === 'C-25'),
    [],
    'landed whole: git refuses to check a skip-worktree file out, and is not asked to',
  );
  assert.equal((await blobAt(dir, 'HEAD', 'plan.md')).toString(), block('A', 'done'));
  assert.equal((await git(dir, ['ls-files', '-v'])).trim(), 'S plan.md');
  assert.equal(existsSync(path.join(dir, '.git', 'custodian-hooks', 'landing.json')), false, 'no landing left to finish');
  const again = await reconcileRepo(repo, FIX, deps);
  assert.deepEqual(
    again.findings.filter((f) => f.severity !== 'INFO'),
    [],
  );
});
