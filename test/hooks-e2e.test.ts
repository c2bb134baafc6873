import assert from 'node:assert/strict';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { git } from '../src/git/run.js';
import { hookWork } from '../src/hook/fast-path.js';
import { readHookState } from '../src/hook/state.js';
import { unpackPackage } from './helpers/packed.js';
import { packedTeam } from './helpers/packed-team.js';
import { PLAN } from './helpers/scene.js';
import { commitFiles, tempDir } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

let packed: Awaited<ReturnType<typeof unpackPackage>>;
before(async () => {
  packed = await unpackPackage();
});
after(() => packed?.remove());

test('npm pack ships only what runs', async () => {
  const files = await readdir(packed.root, { recursive: true });
  const shipped = files.filter((f) => !f.startsWith('node_modules')).sort();
  assert.ok(shipped.includes(path.join('dist', 'bundle', 'cli.cjs')));
  assert.ok(shipped.includes(path.join('hooks', 'shim.sh')));
  assert.ok(shipped.includes('openapi.yaml'));
  assert.ok(shipped.includes(path.join('templates', 'session-protocol.md')));
  assert.ok(
    !shipped.some((f) => f.startsWith('test') || f.startsWith(path.join('dist', 'test')) || f.startsWith(path.join('dist', 'src')) || f.endsWith('.ts')),
    shipped.join(' '),
  );
});

const teamWithHooks = (t: TestContext) => packedTeam(t, packed.cli);

const edit = (text: string, id: string, status: string) => text.replace(new RegExp(`(id: ${id}\\nstatus: )\\w+`), `$1${status}`);

/** A second workplan with a block the parser rejects: a run that reads it says so. */
const REJECTED_PLAN = { 'docs/old.md': workplan([{ id: 'C', status: 'todo' }]).replace('id: C\n', '') };

/** What the last settled run left in the clone at `dir`, as the hooks read it. */
const settledIn = (dir: string) => readHookState(path.join(dir, '.git'));

/** The clone at `dir` records a settled run at its HEAD, against the hub at `etag`. */
async function assertSettledAtHead(dir: string, etag: string) {
  assert.equal(settledIn(dir)?.head, (await git(dir, ['rev-parse', 'HEAD'])).trim());
  assert.equal(settledIn(dir)?.etag, etag);
}

test("the spec's story with plain git pull and git push: nothing regresses and everything converges", async (t) => {
  const w = await teamWithHooks(t);
  assert.deepEqual(await w.hubStatuses(), { A: 'todo', B: 'todo' }, 'the first push created the tasks');

  // The remote machine's agent finishes A: it pushes its work and marks A done in the hub.
  await commitFiles(w.remote, { 'src/a.txt': 'implemented\n' }, 'implement A');
  await w.gitUser(w.remote, 'push', '-q');
  assert.equal((await w.cli(w.remote, 'task', 'set', 'A', 'done')).exitCode, 0);

  // The workstation pulls: the hook writes A back and commits. Nothing regresses.
  const pulled = await w.gitUser(w.ws, 'pull', '-q');
  assert.match(pulled, /A: todo → done/);
  assert.deepEqual(await w.fileStatuses(w.ws), { A: 'done', B: 'todo' });
  assert.match(await git(w.ws, ['log', '-1', '--format=%s']), /^chore\(consistency\): sync task status from DB \[auto\]/);
  assert.equal((await w.hubStatuses()).A, 'done');

  // The workstation moves B along and pushes: the hub has it before the push lands. The
  // origin's pre-receive hook (which runs while the push is under way) reads the hub to prove it.
  const seenByOrigin = path.join(w.root, 'hub-during-push.json');
  const preReceive = path.join(w.root, 'acme.git', 'hooks', 'pre-receive');
  await writeFile(preReceive, `#!/bin/sh\n"${process.execPath}" "${packed.cli}" task list --repo acme --json > "${seenByOrigin}"\n`);
  await chmod(preReceive, 0o755);
  await commitFiles(w.ws, { [PLAN]: edit(await readFile(path.join(w.ws, PLAN), 'utf8'), 'B', 'in_progress') }, 'start B');
  await w.gitUser(w.ws, 'push', '-q');
  const duringPush = (JSON.parse(await readFile(seenByOrigin, 'utf8')) as { tasks: { id: string; status: string }[] }).tasks;
  assert.deepEqual(
    duringPush.map((x) => [x.id, x.status]),
    [
      ['A', 'done'],
      ['B', 'in_progress'],
    ],
  );

  // The remote pulls and converges; files on both machines equal the hub.
  await w.gitUser(w.remote, 'pull', '-q');
  const hub = await w.hubStatuses();
  assert.deepEqual(await w.fileStatuses(w.remote), hub);
  assert.deepEqual(await w.fileStatuses(w.ws), hub);
});

test('git pull --rebase with local commits converges through post-rewrite', async (t) => {
  const w = await teamWithHooks(t);
  await commitFiles(w.remote, { 'src/a.txt': 'work\n' }, 'remote work');
  await w.gitUser(w.remote, 'push', '-q');
  assert.equal((await w.cli(w.remote, 'task', 'set', 'A', 'done')).exitCode, 0);
  await commitFiles(w.ws, { 'notes.txt': 'local\n' }, 'local work');

  const pulled = await w.gitUser(w.ws, 'pull', '--rebase', '-q');
  assert.match(pulled, /A: todo → done/);
  assert.deepEqual(await w.fileStatuses(w.ws), { A: 'done', B: 'todo' });
  assert.equal(await git(w.ws, ['status', '--porcelain']), '');
  assert.match(await git(w.ws, ['log', '--format=%s', '-3']), /^chore\(consistency\).*\nlocal work\nremote work\n$/);
  await w.gitUser(w.ws, 'push', '-q');
  await w.gitUser(w.remote, 'pull', '-q');
  assert.deepEqual(await w.fileStatuses(w.remote), await w.hubStatuses());
});

test('with the hub stopped, pull and push still succeed with one warning line each; with it back, the next pull converges', async (t) => {
  const w = await teamWithHooks(t);
  await w.stopHub();
  await commitFiles(w.remote, { 'src/a.txt': 'x\n' }, 'remote work');
  const pushed = await w.gitUser(w.remote, 'push', '-q');
  const pulled = await w.gitUser(w.ws, 'pull', '-q');
  for (const said of [pushed, pulled]) {
    const lines = said.split('\n').filter((l) => l.includes('custodian-hooks'));
    assert.equal(lines.length, 1, said);
    assert.match(lines[0]!, /C-23 hub unreachable, nothing reconciled: hub did not answer .*ECONNREFUSED/);
  }

  await w.restartHub();
  assert.equal((await w.cli(w.remote, 'task', 'set', 'B', 'blocked')).exitCode, 0);
  await commitFiles(w.remote, { 'src/b.txt': 'y\n' }, 'more work');
  await w.gitUser(w.remote, 'push', '-q');
  await w.gitUser(w.ws, 'pull', '-q');
  assert.deepEqual(await w.fileStatuses(w.ws), { A: 'todo', B: 'blocked' });
});

test('a pull whose commits change a status and change it back is reconciled, so a later reopen in the hub is written back, not undone', async (t) => {
  const w = await teamWithHooks(t);
  await commitFiles(w.ws, { [PLAN]: edit(await readFile(path.join(w.ws, PLAN), 'utf8'), 'A', 'done') }, 'finish A');
  await w.gitUser(w.ws, 'push', '-q');
  await w.gitUser(w.remote, 'pull', '-q');
  assert.deepEqual(await w.fileStatuses(w.remote), { A: 'done', B: 'todo' });
  // Both clones settled against the same hub state: their hooks may skip what changes no workplan.
  assert.equal((await w.cli(w.ws, 'run', '--fix')).exitCode, 0);

  // Two commits that end where they started: the files at both ends are equal, their history is not.
  await commitFiles(w.ws, { [PLAN]: edit(await readFile(path.join(w.ws, PLAN), 'utf8'), 'A', 'todo') }, 'oops');
  await commitFiles(w.ws, { [PLAN]: edit(await readFile(path.join(w.ws, PLAN), 'utf8'), 'A', 'done') }, 'undo oops');
  await w.gitUser(w.ws, 'push', '-q');
  await w.gitUser(w.remote, 'pull', '-q');

  // An agent reopens A. The remote's clone still says done, in a line its last pull brought:
  // the hub has heard of that line, so the reopen wins.
  assert.equal((await w.cli(w.remote, 'task', 'set', 'A', 'in_progress')).exitCode, 0);
  const fixed = await w.cli(w.remote, 'run', '--fix');
  assert.equal(fixed.exitCode, 0, fixed.stdout);
  assert.equal((await w.hubStatuses()).A, 'in_progress');
  assert.deepEqual(await w.fileStatuses(w.remote), { A: 'in_progress', B: 'todo' });
});

test('a pull that brings no workplan change, with the hub unchanged, leaves the hub alone and moves the settled head', async (t) => {
  const w = await teamWithHooks(t);
  for (const dir of [w.remote, w.ws]) assert.equal((await w.cli(dir, 'run', '--fix')).exitCode, 0);
  const etag = await w.hubEtag();
  await commitFiles(w.ws, { 'src/a.txt': 'work\n' }, 'work');
  await w.gitUser(w.ws, 'push', '-q');
  await w.gitUser(w.remote, 'pull', '-q');
  assert.equal(await w.hubEtag(), etag, 'neither hook wrote to the hub');
  assert.equal(settledIn(w.remote)?.head, (await git(w.remote, ['rev-parse', 'HEAD'])).trim());
});

test('the fast path asks git about the clone it runs in, whatever GIT_DIR and GIT_INDEX_FILE the hook inherits', async (t) => {
  const w = await teamWithHooks(t);
  assert.equal((await w.cli(w.remote, 'run', '--fix')).exitCode, 0);
  // What git exports to some hooks, pointing elsewhere: the full path's git drops it, and so must the fast path's.
  const elsewhere = await tempDir(t);
  const inherited = { GIT_DIR: process.env.GIT_DIR, GIT_INDEX_FILE: process.env.GIT_INDEX_FILE };
  Object.assign(process.env, { GIT_DIR: path.join(elsewhere, '.git'), GIT_INDEX_FILE: path.join(elsewhere, 'index') });
  t.after(() => {
    for (const [name, value] of Object.entries(inherited)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  assert.equal((await hookWork('post-merge', w.remote, '', w.env)).kind, 'nothing');
});

test('a pull that changes one workplan, with the hub unchanged: post-merge reconciles that file alone and settles', async (t) => {
  const w = await teamWithHooks(t);
  await commitFiles(w.ws, REJECTED_PLAN, 'old plan');
  await w.gitUser(w.ws, 'push', '-q');
  await w.gitUser(w.remote, 'pull', '-q');
  const first = await w.cli(w.remote, 'run', '--fix');
  assert.equal(first.exitCode, 1, 'the rejected block fails the run');
  assert.match(first.stdout, /docs\/old\.md/);
  // A machine without hooks pushes a status change: the hub has not heard of it.
  await commitFiles(w.ws, { [PLAN]: edit(await readFile(path.join(w.ws, PLAN), 'utf8'), 'A', 'in_progress') }, 'start A');
  await git(w.ws, ['push', '-q', '--no-verify']);

  const said = await w.gitUser(w.remote, 'pull', '-q');
  assert.match(said, /A: todo → in_progress/);
  assert.doesNotMatch(said, /docs\/old\.md/, 'the untouched workplan was not read');
  assert.deepEqual(await w.hubStatuses(), { A: 'in_progress', B: 'todo' });
  await assertSettledAtHead(w.remote, await w.hubEtag());
  // A full run agrees there is nothing left to do, and does read the other file.
  const full = await w.cli(w.remote, 'run', '--fix', '--json');
  assert.deepEqual(JSON.parse(full.stdout).actions, []);
  assert.match(full.stdout, /docs\/old\.md/);
  // The hooks that reconciled kept the full hook's compiled code for the next one.
  assert.deepEqual(
    (await readdir(path.join(w.root, 'cache', 'custodian-hooks'))).map((f) => f.replace(/-.*/, '')),
    ['hook.cjs'],
  );
});

test('a push of a commit that changes one workplan, with the hub unchanged: pre-push reconciles that file alone', async (t) => {
  const w = await teamWithHooks(t);
  await commitFiles(w.ws, REJECTED_PLAN, 'old plan');
  assert.match(await w.gitUser(w.ws, 'push', '-q'), /docs\/old\.md/, 'the push that brings it reads it');

  await commitFiles(w.ws, { [PLAN]: edit(await readFile(path.join(w.ws, PLAN), 'utf8'), 'A', 'in_progress') }, 'start A');
  const said = await w.gitUser(w.ws, 'push', '-q');
  assert.match(said, /A: todo → in_progress/);
  assert.doesNotMatch(said, /docs\/old\.md/, 'the untouched workplan was not read');
  assert.deepEqual(await w.hubStatuses(), { A: 'in_progress', B: 'todo' });
  await assertSettledAtHead(w.ws, await w.hubEtag());
});

test('git push --dry-run sends nothing, so pre-push tells the hub nothing; the real push then does', async (t) => {
  const w = await teamWithHooks(t);
  await commitFiles(w.ws, { [PLAN]: edit(await readFile(path.join(w.ws, PLAN), 'utf8'), 'A', 'cancelled') }, 'cancel A?');
  const settled = settledIn(w.ws);
  for (const dryRun of [['--dry-run'], ['-qn']]) {
    const said = await w.gitUser(w.ws, 'push', ...dryRun);
    assert.doesNotMatch(said, /custodian-hooks/);
    assert.deepEqual(await w.hubStatuses(), { A: 'todo', B: 'todo' });
    assert.deepEqual(settledIn(w.ws), settled);
  }
  assert.match(await w.gitUser(w.ws, 'push', '-q'), /A: todo → cancelled/);
  assert.deepEqual(await w.hubStatuses(), { A: 'cancelled', B: 'todo' });
});

test('a reopen made by amending the writeback commit, or squashed into it, reaches the hub and is not written over', async (t) => {
  for (const how of ['amend', 'fixup'] as const) {
    const w = await teamWithHooks(t);
    assert.equal((await w.cli(w.remote, 'task', 'set', 'A', 'done')).exitCode, 0);
    assert.match(String((await w.cli(w.ws, 'run', '--fix')).stdout), /A: todo → done/);
    const writeback = (await git(w.ws, ['rev-parse', 'HEAD'])).trim();
    // A was not done after all: the person takes the writeback's change back, as git's parent had it, and says why.
    await writeFile(path.join(w.ws, PLAN), `${edit(await readFile(path.join(w.ws, PLAN), 'utf8'), 'A', 'todo')}\nA: its tests still fail.\n`);
    if (how === 'amend') await w.gitUser(w.ws, 'commit', '-q', '-a', '--amend', '-m', 'Reopen A');
    else {
      await w.gitUser(w.ws, 'commit', '-q', '-a', `--fixup=${writeback}`);
      await w.gitUser(w.ws, '-c', 'sequence.editor=:', 'rebase', '-q', '-i', '--autosquash', '@{upstream}');
    }
    assert.deepEqual(await w.fileStatuses(w.ws), { A: 'todo', B: 'todo' }, how);
    // Only this clone holds the commit the rewrite replaced: post-rewrite told the hub already.
    assert.equal((await w.hubStatuses()).A, 'todo', `${how}: post-rewrite told the hub`);
    await w.gitUser(w.ws, 'push', '-q');
    assert.equal((await w.hubStatuses()).A, 'todo', `${how}: the reopen reached the hub`);
    await w.gitUser(w.remote, 'pull', '-q');
    assert.deepEqual(await w.fileStatuses(w.remote), { A: 'todo', B: 'todo' }, how);
    assert.deepEqual(await w.fileStatuses(w.ws), { A: 'todo', B: 'todo' }, how);
  }
});

test('an amend that changes a status the hub has already heard: the amended status wins, the hub does not undo it', async (t) => {
  const w = await teamWithHooks(t);
  await commitFiles(w.ws, { [PLAN]: edit(await readFile(path.join(w.ws, PLAN), 'utf8'), 'A', 'in_progress') }, 'start A');
  assert.equal((await w.cli(w.ws, 'run', '--fix')).exitCode, 0);
  assert.equal((await w.hubStatuses()).A, 'in_progress');

  // The user fixes up the commit: A was in fact done. post-rewrite records what the amend changed.
  await writeFile(path.join(w.ws, PLAN), edit(await readFile(path.join(w.ws, PLAN), 'utf8'), 'A', 'done'));
  await w.gitUser(w.ws, 'commit', '-q', '--amend', '-a', '--no-edit');
  const fixed = await w.cli(w.ws, 'run', '--fix');
  assert.equal(fixed.exitCode, 0, fixed.stdout);
  assert.equal((await w.hubStatuses()).A, 'done', fixed.stdout);
  assert.deepEqual(await w.fileStatuses(w.ws), { A: 'done', B: 'todo' });
});

test('a status amended away and back again is news: the last amend is not the first made again, whatever git keeps of it', async (t) => {
  const w = await teamWithHooks(t);
  const setA = async (status: string) => writeFile(path.join(w.ws, PLAN), edit(await readFile(path.join(w.ws, PLAN), 'utf8'), 'A', status));
  await setA('done');
  await w.gitUser(w.ws, 'commit', '-q', '-a', '-m', 'A done');
  assert.equal((await w.cli(w.ws, 'run', '--fix')).exitCode, 0);
  assert.equal((await w.hubStatuses()).A, 'done');
  // Reopened by an amend, then done again by another: the same tree, parent and author line as the first commit.
  for (const status of ['todo', 'done']) {
    await setA(status);
    await w.gitUser(w.ws, 'commit', '-q', '--amend', '--allow-empty', '-a', '--no-edit');
    const ran = await w.cli(w.ws, 'run', '--fix');
    assert.equal(ran.exitCode, 0, ran.stdout);
    assert.equal((await w.hubStatuses()).A, status, ran.stdout);
  }
  assert.deepEqual(await w.fileStatuses(w.ws), { A: 'done', B: 'todo' });
});
