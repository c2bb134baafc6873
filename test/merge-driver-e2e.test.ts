import assert from 'node:assert/strict';
import { execa } from 'execa';
import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { git } from '../src/git/run.js';
import { unpackPackage } from './helpers/packed.js';
import { packedTeam } from './helpers/packed-team.js';
import { PLAN } from './helpers/scene.js';
import { commitFiles } from './helpers/temp-repo.js';

let packed: Awaited<ReturnType<typeof unpackPackage>>;
before(async () => {
  packed = await unpackPackage();
});
after(() => packed?.remove());

const edit = (text: string, id: string, status: string) => text.replace(new RegExp(`(id: ${id}\\r?\\nstatus: )\\w+`), `$1${status}`);

/** The team of hooks-e2e, each clone's hooks and merge driver from the packed package, both synced with the hub. */
async function team(t: TestContext) {
  const w = await packedTeam(t, packed.cli);
  await w.gitUser(w.remote, 'pull', '-q');
  /** git as the user runs it, whatever its exit code: a conflicted pull is an answer here. */
  const gitTry = async (cwd: string, ...args: string[]) => {
    const result = await execa('git', args, { cwd, env: { ...w.env, GIT_TERMINAL_PROMPT: '0' }, reject: false, stdin: 'ignore' });
    return { code: result.exitCode ?? -1, stderr: String(result.stderr), stdout: String(result.stdout) };
  };
  const must = async (cwd: string, ...args: string[]) => {
    const ran = await w.cli(cwd, ...args);
    assert.equal(ran.exitCode, 0, `${args.join(' ')}: ${ran.stderr}`);
    return ran;
  };
  /** A person sets a status in the file and commits it. */
  const setByHand = async (cwd: string, id: string, status: string) =>
    commitFiles(cwd, { [PLAN]: edit(await readFile(path.join(cwd, PLAN), 'utf8'), id, status) }, `${id} → ${status}`);
  const read = (cwd: string) => readFile(path.join(cwd, PLAN), 'utf8');
  const unmerged = async (cwd: string) => (await git(cwd, ['diff', '--name-only', '--diff-filter=U'])).trim();
  return { ...w, gitTry, must, setByHand, read, unmerged };
}

test('two writebacks from different hub moments: the pull merges with no conflict, to the hub’s value, and both clones converge', async (t) => {
  const w = await team(t);
  await w.must(w.ws, 'task', 'set', 'A', 'in_progress');
  await w.must(w.ws, 'run', '--fix');
  assert.equal((await w.fileStatuses(w.ws)).A, 'in_progress', 'the workstation wrote back in_progress');
  await w.must(w.remote, 'task', 'set', 'A', 'done');
  await w.must(w.remote, 'run', '--fix');
  await w.gitUser(w.remote, 'push', '-q');

  const pulled = await w.gitTry(w.ws, 'pull', '--no-rebase');
  assert.equal(pulled.code, 0, pulled.stderr + pulled.stdout);
  assert.match(pulled.stderr, /task 'A' \(ours in_progress, theirs done\): merged as done/);
  assert.equal(await w.unmerged(w.ws), '');
  assert.deepEqual(await w.fileStatuses(w.ws), { A: 'done', B: 'todo' });
  assert.equal((await git(w.ws, ['status', '--porcelain'])).trim(), '');
  await w.gitUser(w.ws, 'push', '-q');
  await w.gitUser(w.remote, 'pull', '-q');
  assert.deepEqual(await w.fileStatuses(w.remote), { A: 'done', B: 'todo' });
  assert.deepEqual(await w.hubStatuses(), { A: 'done', B: 'todo' });
  const check = await w.cli(w.ws, 'run', '--json');
  assert.deepEqual(JSON.parse(check.stdout).findings, [], 'a check finds nothing left to do');
});

test('a clone moved to another folder still runs its merge driver: git finds it from the repository, not by a path', async (t) => {
  const w = await team(t);
  await w.must(w.ws, 'task', 'set', 'A', 'in_progress');
  await w.must(w.ws, 'run', '--fix');
  await w.must(w.remote, 'task', 'set', 'A', 'done');
  await w.must(w.remote, 'run', '--fix');
  await w.gitUser(w.remote, 'push', '-q');
  const moved = `${w.ws}-moved`;
  await rename(w.ws, moved);
  const pulled = await w.gitTry(moved, 'pull', '--no-rebase');
  assert.equal(pulled.code, 0, pulled.stderr + pulled.stdout);
  assert.match(pulled.stderr, /task 'A' \(ours in_progress, theirs done\): merged as done/);
  assert.equal(await w.unmerged(moved), '');
  assert.deepEqual(await w.fileStatuses(moved), { A: 'done', B: 'todo' });
});

/** Both clones hold A as the hub has it (in_progress), written back on one and pulled by the other. */
async function startedTogether(t: TestContext) {
  const w = await team(t);
  await w.must(w.ws, 'task', 'set', 'A', 'in_progress');
  await w.must(w.ws, 'run', '--fix');
  await w.gitUser(w.ws, 'push', '-q');
  await w.gitUser(w.remote, 'pull', '-q');
  return w;
}

test('a reopen made by hand against a stale writeback of done: the reopen is kept and reaches the hub', async (t) => {
  const w = await startedTogether(t);
  await w.must(w.ws, 'task', 'set', 'A', 'done');
  await w.must(w.ws, 'run', '--fix');
  await w.must(w.remote, 'run', '--fix');
  await w.setByHand(w.remote, 'A', 'todo');
  // Pushed from a machine whose hooks are off: the hub has not heard of the reopen.
  await w.gitTry(w.remote, '-c', 'core.hooksPath=/dev/null', 'push', '-q');
  assert.equal((await w.hubStatuses()).A, 'done');

  const pulled = await w.gitTry(w.ws, 'pull', '--no-rebase');
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.match(pulled.stderr, /task 'A' \(ours done, theirs todo\): merged as todo: theirs is news to the hub/);
  assert.equal((await w.fileStatuses(w.ws)).A, 'todo');
  assert.equal((await w.hubStatuses()).A, 'todo', 'post-merge pushed the reopen');
});

test('two hand edits at once: the higher rank wins (C-22); two of the same rank stay a conflict for the person', async (t) => {
  const w = await team(t);
  await w.setByHand(w.ws, 'A', 'in_progress');
  await w.setByHand(w.ws, 'B', 'in_progress');
  await w.setByHand(w.remote, 'A', 'done');
  await w.setByHand(w.remote, 'B', 'blocked');
  await w.gitTry(w.remote, '-c', 'core.hooksPath=/dev/null', 'push', '-q');

  const pulled = await w.gitTry(w.ws, 'pull', '--no-rebase');
  assert.notEqual(pulled.code, 0, 'B is still a conflict');
  assert.match(
    pulled.stderr,
    /task 'A' \(ours in_progress, theirs done\): merged as done: both sides changed it since the hub last heard: the higher rank won \(C-22\)/,
  );
  assert.match(pulled.stderr, /task 'B' \(ours in_progress, theirs blocked\): left as a conflict/);
  assert.equal(await w.unmerged(w.ws), PLAN);
  const text = await w.read(w.ws);
  assert.match(text, /id: A\nstatus: done\n/, 'A is merged');
  assert.match(text, /<<<<<<< HEAD\nstatus: in_progress\n=======\nstatus: blocked\n>>>>>>> /, 'B is left as git leaves it');
});

test('the hub down, or a hunk that changes more than a status: the conflict stays as git leaves it', async (t) => {
  const w = await startedTogether(t);
  await w.must(w.ws, 'task', 'set', 'A', 'done');
  await w.must(w.ws, 'task', 'set', 'B', 'done');
  await w.must(w.ws, 'run', '--fix');
  const text = await w.read(w.remote);
  await commitFiles(
    w.remote,
    { [PLAN]: edit(text, 'A', 'blocked').replace(/(id: A\nstatus: blocked\n)priority: medium/, '$1priority: high') },
    'A blocked, urgent',
  );
  await commitFiles(w.remote, { [PLAN]: edit(await w.read(w.remote), 'B', 'blocked') }, 'B blocked');
  await w.gitTry(w.remote, '-c', 'core.hooksPath=/dev/null', 'push', '-q');
  await w.stopHub();

  const pulled = await w.gitTry(w.ws, 'pull', '--no-rebase');
  assert.notEqual(pulled.code, 0);
  assert.match(pulled.stderr, /status conflicts left for you: /);
  assert.doesNotMatch(pulled.stderr, /merged as/);
  const merged = await w.read(w.ws);
  assert.match(merged, /<<<<<<< HEAD\nstatus: done\npriority: medium\n=======\nstatus: blocked\npriority: high\n>>>>>>> /, 'A changed more than its status');
  assert.match(merged, /<<<<<<< HEAD\nstatus: done\n=======\nstatus: blocked\n>>>>>>> /, 'B is left while the hub is down');
});

/** Writebacks of two hub moments, in_progress on the workstation and done pushed from the remote: the conflict of the first test. */
async function writebacksApart(w: Awaited<ReturnType<typeof team>>) {
  await w.must(w.ws, 'task', 'set', 'A', 'in_progress');
  await w.must(w.ws, 'run', '--fix');
  await w.must(w.remote, 'task', 'set', 'A', 'done');
  await w.must(w.remote, 'run', '--fix');
  await w.gitUser(w.remote, 'push', '-q');
}

test('a CRLF workplan with a BOM keeps both through a merged status line', async (t) => {
  const w = await team(t);
  const crlf = `\uFEFF${(await w.read(w.ws)).replaceAll('\n', '\r\n')}`;
  await commitFiles(w.ws, { [PLAN]: crlf }, 'the plan as a Windows editor saves it');
  await w.gitUser(w.ws, 'push', '-q');
  await w.gitUser(w.remote, 'pull', '-q');
  await writebacksApart(w);

  const pulled = await w.gitTry(w.ws, 'pull', '--no-rebase');
  assert.equal(pulled.code, 0, pulled.stderr);
  const bytes = await readFile(path.join(w.ws, PLAN));
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the BOM is kept');
  const text = bytes.toString('utf8');
  assert.equal(text.replaceAll('\r\n', '').includes('\n'), false, 'every line still ends in CRLF');
  assert.equal(text, edit(crlf, 'A', 'done'));
});

test('git pull --rebase: the replayed writeback merges to the hub’s value and the rebase finishes', async (t) => {
  const w = await team(t);
  await writebacksApart(w);
  const pulled = await w.gitTry(w.ws, 'pull', '--rebase');
  assert.equal(pulled.code, 0, pulled.stderr + pulled.stdout);
  assert.match(pulled.stderr, /task 'A' \(ours done, theirs in_progress\): merged as done/);
  assert.equal(await w.unmerged(w.ws), '');
  assert.deepEqual(await w.fileStatuses(w.ws), { A: 'done', B: 'todo' });
  assert.equal((await git(w.ws, ['status', '--porcelain'])).trim(), '');
  assert.deepEqual(await w.hubStatuses(), { A: 'done', B: 'todo' });
});

/** A feature branch that sets A to `byHand` in the workstation, while on main an agent sets `inHub` and the run writes it back. */
async function featureSetByHand(t: TestContext, byHand: string, inHub: string) {
  const w = await team(t);
  await w.gitUser(w.ws, 'checkout', '-q', '-b', 'feature');
  await w.setByHand(w.ws, 'A', byHand);
  // Made an hour before: the driver takes two commits of one author in the same second for a rewrite.
  await w.gitUser(w.ws, 'commit', '-q', '--amend', '--no-edit', `--date=${new Date(Date.now() - 3_600_000).toISOString()}`);
  await w.gitUser(w.ws, 'checkout', '-q', 'main');
  await w.must(w.ws, 'task', 'set', 'A', inHub);
  await w.must(w.ws, 'run', '--fix');
  return w;
}

test("git merge of a feature branch that set a status by hand while the hub moved on: the two moved concurrently, and rank keeps the hub's value (C-22)", async (t) => {
  const w = await featureSetByHand(t, 'in_progress', 'done');

  // From the branch, the hub moved since its edit (rank keeps the hub's done); from the merge, the
  // edit reads as news only because the agreement on done lies on main, which the edit never saw.
  const merged = await w.gitTry(w.ws, 'merge', '--no-edit', 'feature');
  assert.equal(merged.code, 0, merged.stderr);
  assert.match(
    merged.stderr,
    /task 'A' \(ours done, theirs in_progress\): merged as done: it and the hub both moved: the hub's value, of higher rank or a tie \(C-22\)/,
  );
  assert.equal(await w.unmerged(w.ws), '');
  assert.deepEqual(await w.fileStatuses(w.ws), { A: 'done', B: 'todo' });
  // The run after the merge finds the two sides equal: nothing to push, nothing to write back.
  await w.must(w.ws, 'run', '--fix');
  assert.deepEqual(await w.fileStatuses(w.ws), { A: 'done', B: 'todo' });
  assert.deepEqual(await w.hubStatuses(), { A: 'done', B: 'todo' });
});

/** Merging `feature` into main, where A is the hub's done: the branch's `theirs` cannot be judged (`why`), and the line is left to the person. */
async function mergeLeavesItToThePerson(
  w: Awaited<ReturnType<typeof team>>,
  theirs: string,
  why = 'its own commit and the merge read it differently (rank-loses, news)',
) {
  const merged = await w.gitTry(w.ws, 'merge', '--no-edit', 'feature');
  assert.notEqual(merged.code, 0, merged.stderr + merged.stdout);
  const left = `task 'A' (ours done, theirs ${theirs}): left as a conflict: theirs: ${why}`;
  assert.ok(merged.stderr.includes(left), merged.stderr);
  assert.equal(await w.unmerged(w.ws), PLAN);
}

test("the same merge where the branch holds the hub's value under another commit (a cherry-pick) before its edit: it may have been set on top of it, so it is left to the person", async (t) => {
  const w = await team(t);
  await w.gitUser(w.ws, 'branch', 'feature');
  await w.must(w.ws, 'task', 'set', 'A', 'done');
  await w.must(w.ws, 'run', '--fix');
  const writeback = (await git(w.ws, ['rev-parse', 'HEAD'])).trim();
  // The branch takes the writeback of done by cherry-pick (a new commit id, no rewrite record), then reopens.
  await w.gitUser(w.ws, 'checkout', '-q', 'feature');
  await w.gitUser(w.ws, 'cherry-pick', '-x', writeback);
  await w.setByHand(w.ws, 'A', 'in_progress');
  await w.gitUser(w.ws, 'checkout', '-q', 'main');

  // The branch holds a writeback of done no record stands for (the cherry-pick's id): the reopen
  // may have been set on top of that agreement, so rank does not decide, and neither does the merge.
  await mergeLeavesItToThePerson(w, 'in_progress', 'a writeback commit agreed with the hub on its status, and no record stands for it');
});

test("the same merge where the branch moved the task on in an amend of the hub's writeback, its rewrite record never sent: it may be set on top of the agreement, so it is left to the person", async (t) => {
  const w = await team(t);
  await w.must(w.ws, 'task', 'set', 'A', 'done');
  await w.must(w.ws, 'run', '--fix');
  // The writeback amended on a branch, blocked set in the same amend, with no hook to tell the hub.
  await w.gitUser(w.ws, 'checkout', '-q', '-b', 'feature');
  await writeFile(path.join(w.ws, PLAN), edit(await w.read(w.ws), 'A', 'blocked'));
  await w.gitUser(w.ws, '-c', 'core.hooksPath=/dev/null', 'commit', '-q', '-a', '--amend', '--no-edit');
  await w.gitUser(w.ws, 'checkout', '-q', 'main');

  // The amend is a copy of the writeback no record stands for: blocked may be set on top of its agreement.
  await mergeLeavesItToThePerson(w, 'blocked', 'a writeback commit agreed with the hub on its status, and no record stands for it');
});

test('the same merge where both readings make the branch’s value win (by rank from the branch, as news from the merge): it is taken', async (t) => {
  const w = await featureSetByHand(t, 'done', 'in_progress');

  const merged = await w.gitTry(w.ws, 'merge', '--no-edit', 'feature');
  assert.equal(merged.code, 0, merged.stderr);
  assert.match(merged.stderr, /task 'A' \(ours in_progress, theirs done\): merged as done/);
  assert.deepEqual(await w.fileStatuses(w.ws), { A: 'done', B: 'todo' });
});

const NO_HOOKS = ['-c', 'core.hooksPath=/dev/null'];

/** done pushed from the workstation and blocked set on top of it by the remote, both pushed without hooks: the hub still holds todo. */
async function blockedOnTopOfDone(t: TestContext) {
  const w = await team(t);
  await w.setByHand(w.ws, 'A', 'done');
  await w.gitUser(w.ws, ...NO_HOOKS, 'push', '-q');
  await w.gitUser(w.remote, ...NO_HOOKS, 'pull', '-q', '--no-rebase');
  await w.setByHand(w.remote, 'A', 'blocked');
  await w.gitUser(w.remote, ...NO_HOOKS, 'push', '-q');
  return w;
}

for (const hubDuringAmend of ['down', 'up'] as const) {
  test(`a value set on top of another machine's push, which that machine then amended and force-pushed (the hub ${hubDuringAmend} at the amend): the older value is one ours moved on from, whatever its rank`, async (t) => {
    const w = await blockedOnTopOfDone(t);
    // The workstation rewords its pushed commit and force-pushes over blocked: git's merge base is
    // then below done. With the hub down, the rewrite's record waits in the workstation's outbox.
    if (hubDuringAmend === 'down') await w.stopHub();
    await w.gitUser(w.ws, 'commit', '-q', '--amend', '-m', 'A is done (reworded)');
    if (hubDuringAmend === 'down') await w.restartHub();
    await w.gitUser(w.ws, ...NO_HOOKS, 'push', '-q', '--force');
    assert.equal((await w.hubStatuses()).A, 'todo', 'both sides are news to the hub');

    const merged = await w.gitTry(w.remote, 'pull', '--no-rebase');
    assert.equal(merged.code, 0, merged.stderr);
    assert.match(merged.stderr, /task 'A' \(ours blocked, theirs done\): merged as blocked: ours moved on from the other side's value/);
    assert.deepEqual(await w.fileStatuses(w.remote), { A: 'blocked', B: 'todo' });
    assert.equal((await w.hubStatuses()).A, 'blocked', 'the hook after the merge sends it');
  });
}

test("the same once the amending machine's hooks told the hub of the amended commit: the hub's agreement on it is one ours holds, and ours moved on from it", async (t) => {
  const w = await blockedOnTopOfDone(t);
  await w.gitUser(w.ws, 'commit', '-q', '--amend', '-m', 'A is done (reworded)');
  // Its pre-push run does not fix (the branch has diverged from what it fetched); a run after does.
  await w.gitUser(w.ws, 'push', '-q', '--force');
  await w.must(w.ws, 'run', '--fix');
  assert.equal((await w.hubStatuses()).A, 'done', 'the hub heard done on the amended commit');

  const merged = await w.gitTry(w.remote, 'pull', '--no-rebase');
  assert.equal(merged.code, 0, merged.stderr);
  assert.match(merged.stderr, /task 'A' \(ours blocked, theirs done\): merged as blocked/);
  assert.deepEqual(await w.fileStatuses(w.remote), { A: 'blocked', B: 'todo' });
  assert.equal((await w.hubStatuses()).A, 'blocked', 'the hook after the merge sends it');
});

test('git cherry-pick of one commit: the picked commit is found from git’s command line, and its value, winning read either way, is taken', async (t) => {
  const w = await team(t);
  await w.gitUser(w.ws, 'checkout', '-q', '-b', 'side');
  const picked = await w.setByHand(w.ws, 'A', 'done');
  await w.gitUser(w.ws, 'checkout', '-q', 'main');
  await w.setByHand(w.ws, 'A', 'blocked');
  await w.must(w.ws, 'run', '--fix');
  assert.equal((await w.hubStatuses()).A, 'blocked');

  // From the picked commit, both moved and done has the higher rank; from the merge, done is news.
  // Without the picked commit, the driver would know neither and leave the line.
  const ran = await w.gitTry(w.ws, 'cherry-pick', picked);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stderr, /task 'A' \(ours blocked, theirs done\): merged as done/, 'the picked commit was found on the command line');
  assert.deepEqual(await w.fileStatuses(w.ws), { A: 'done', B: 'todo' });
});

test("the team's own merge attributes still hold for the files install marks: union merges, -merge and binary keep ours, a driver of its own runs", async (t) => {
  const w = await team(t);
  const attributes = 'CHANGELOG.md merge=union\nLEGACY.md -merge\nBIN.md merge=binary\nMINE.md merge=mine\n';
  const files = (who: string) => ({ 'CHANGELOG.md': `# Changes\n- from ${who}\n`, 'LEGACY.md': `${who}\n`, 'BIN.md': `${who}\n`, 'MINE.md': `${who}\n` });
  await commitFiles(w.ws, { '.gitattributes': attributes, ...files('nobody') }, 'attributes');
  await w.gitUser(w.ws, 'push', '-q');
  await w.gitUser(w.remote, 'pull', '-q');
  // The team's own driver, its placeholders quoted as people write them.
  await git(w.ws, ['config', 'merge.mine.driver', 'cat "%B" > "%A"']);
  await commitFiles(w.ws, files('the workstation'), 'ws changes');
  await commitFiles(w.remote, files('the remote'), 'remote changes');
  await w.gitUser(w.remote, 'push', '-q');

  const pulled = await w.gitTry(w.ws, 'pull', '--no-rebase');
  assert.notEqual(pulled.code, 0, 'LEGACY.md and BIN.md are not to be merged');
  assert.deepEqual((await w.unmerged(w.ws)).split('\n').sort(), ['BIN.md', 'LEGACY.md']);
  const read = (file: string) => readFile(path.join(w.ws, file), 'utf8');
  assert.equal(await read('LEGACY.md'), 'the workstation\n', 'ours, as git keeps it');
  assert.equal(await read('BIN.md'), 'the workstation\n', 'ours, as git keeps it');
  assert.equal(await read('MINE.md'), 'the remote\n', "the team's driver ran");
  assert.equal(await read('CHANGELOG.md'), '# Changes\n- from the workstation\n- from the remote\n', 'a union, as the team asked');
});

test('-X theirs reaches the driver: a prose conflict in a workplan takes theirs, as git would', async (t) => {
  const w = await team(t);
  const prose = (text: string, line: string) => text.replace('Some prose.', line);
  await commitFiles(w.ws, { [PLAN]: prose(await w.read(w.ws), 'Prose of the workstation.') }, 'ws prose');
  await commitFiles(w.remote, { [PLAN]: prose(await w.read(w.remote), 'Prose of the remote.') }, 'remote prose');
  await w.gitUser(w.remote, 'push', '-q');
  const pulled = await w.gitTry(w.ws, 'pull', '--no-rebase', '-X', 'theirs');
  assert.equal(pulled.code, 0, pulled.stderr + pulled.stdout);
  assert.match(await w.read(w.ws), /Prose of the remote\./);
  assert.doesNotMatch(await w.read(w.ws), /<<<<<<<|Prose of the workstation/);
});

test("a rebase's -X theirs is its picks' alone: the autostash it applies at the end, and a cherry-pick made while it stands stopped, conflict as git's own merge does", async (t) => {
  const w = await team(t);
  const prose = async (cwd: string, line: string) => (await w.read(cwd)).replace(/^(Some prose\.|Prose of .*)$/m, line);
  await commitFiles(w.remote, { [PLAN]: await prose(w.remote, 'Prose of the remote.') }, 'remote prose');
  await w.gitUser(w.remote, 'push', '-q');
  await commitFiles(w.ws, { 'notes.md': 'a local commit\n' }, 'local commit');
  await writeFile(path.join(w.ws, PLAN), await prose(w.ws, 'Prose being written.'));
  const pulled = await w.gitTry(w.ws, 'pull', '--rebase', '-X', 'theirs', '--autostash');
  assert.match(pulled.stdout + pulled.stderr, /Applying autostash resulted in conflicts/, 'as git alone: the stash does not apply cleanly');
  assert.notEqual((await git(w.ws, ['stash', 'list'])).trim(), '', 'the stash is kept, as git keeps it');
  assert.match(await w.read(w.ws), /Prose of the remote\./, "the remote's line is not taken back in the working copy");
  const labels = (await w.read(w.ws)).split('\n').filter((line) => /^(<{7}|>{7})/.test(line));
  assert.deepEqual(labels, ['<<<<<<< Updated upstream', '>>>>>>> Stashed changes'], "labelled as the stash's, not the rebase's last pick");

  // A rebase with -X theirs stopped at an edit, and a commit picked by hand meanwhile.
  await git(w.ws, ['checkout', '-q', 'HEAD', '--', PLAN]);
  await git(w.ws, ['stash', 'drop', '-q']);
  await git(w.ws, ['checkout', '-q', '-b', 'side']);
  await commitFiles(w.ws, { [PLAN]: await prose(w.ws, 'Prose of the side.') }, 'side prose');
  await git(w.ws, ['checkout', '-q', 'main']);
  await commitFiles(w.ws, { [PLAN]: await prose(w.ws, 'Prose of main.') }, 'main prose');
  await commitFiles(w.ws, { 'notes.md': 'another\n' }, 'another');
  const rebase = await execa('git', ['rebase', '-q', '-i', '-X', 'theirs', 'HEAD~1'], {
    cwd: w.ws,
    env: { ...w.env, GIT_SEQUENCE_EDITOR: 'sed -i 1s/^pick/edit/' },
    reject: false,
  });
  assert.equal(rebase.exitCode, 0, rebase.stderr);
  const picked = await w.gitTry(w.ws, 'cherry-pick', 'side');
  assert.notEqual(picked.code, 0, 'a conflict, as git alone gives');
  assert.equal(await w.unmerged(w.ws), PLAN);
  assert.match(await w.read(w.ws), /Prose of main\.[\s\S]*Prose of the side\./);
});

test('an -X option the driver does not pass to git merge-file (ignore-space-change) is named where the workplan is left in conflict', async (t) => {
  const w = await team(t);
  await commitFiles(w.ws, { [PLAN]: (await w.read(w.ws)).replace('Some prose.', 'Some prose.   ') }, 'trailing spaces');
  await commitFiles(w.remote, { [PLAN]: (await w.read(w.remote)).replace('Some prose.', 'Some prose, edited.') }, 'edit');
  await w.gitUser(w.remote, 'push', '-q');
  const pulled = await w.gitTry(w.ws, 'pull', '--no-rebase', '-X', 'ignore-space-change');
  assert.notEqual(pulled.code, 0);
  assert.match(pulled.stderr, /docs\/plan\.md: merged without -X ignore-space-change, which the driver does not pass to git merge-file/);
});

test('a conflict the driver leaves is labelled as git labels it: a stash popped, a revert, a pick of a commit whose message has no blank line', async (t) => {
  const w = await team(t);
  const prose = async (line: string) => (await w.read(w.ws)).replace(/^(Some prose\.|Prose .*)$/m, line);
  const markers = async () => (await w.read(w.ws)).split('\n').filter((line) => /^(<{7}|\|{7}|>{7})/.test(line));
  const diff3 = ['-c', 'merge.conflictStyle=diff3'];

  await writeFile(path.join(w.ws, PLAN), await prose('Prose stashed.'));
  await git(w.ws, ['stash', '-q']);
  await commitFiles(w.ws, { [PLAN]: await prose('Prose committed.') }, 'committed');
  assert.notEqual((await w.gitTry(w.ws, ...diff3, 'stash', 'pop')).code, 0);
  assert.deepEqual(await markers(), ['<<<<<<< Updated upstream', '||||||| Stash base', '>>>>>>> Stashed changes']);
  await git(w.ws, ['reset', '-q', '--hard']);
  await git(w.ws, ['stash', 'drop', '-q']);

  await commitFiles(w.ws, { [PLAN]: await prose('Prose reverted later.') }, 'to revert\nsecond line');
  const reverted = (await git(w.ws, ['rev-parse', '--short', 'HEAD'])).trim();
  await commitFiles(w.ws, { [PLAN]: await prose('Prose after it.') }, 'after');
  assert.notEqual((await w.gitTry(w.ws, ...diff3, 'revert', '--no-edit', reverted)).code, 0);
  assert.deepEqual(await markers(), ['<<<<<<< HEAD', `||||||| ${reverted} (to revert)`, `>>>>>>> parent of ${reverted} (to revert)`]);
  await git(w.ws, ['revert', '--abort']);

  assert.notEqual((await w.gitTry(w.ws, ...diff3, 'cherry-pick', reverted)).code, 0);
  assert.deepEqual(await markers(), ['<<<<<<< HEAD', `||||||| parent of ${reverted} (to revert)`, `>>>>>>> ${reverted} (to revert)`]);
});

test('a task the workplans hold twice (C-05) is never settled: the reconciler would skip it', async (t) => {
  const w = await team(t);
  await commitFiles(w.ws, { 'docs/other.md': '```task\nid: A\nstatus: todo\n```\n' }, 'A again, elsewhere');
  await w.gitTry(w.ws, '-c', 'core.hooksPath=/dev/null', 'push', '-q');
  await w.gitTry(w.remote, '-c', 'core.hooksPath=/dev/null', 'pull', '-q');
  await w.setByHand(w.ws, 'A', 'done');
  await w.setByHand(w.remote, 'A', 'blocked');
  await w.gitTry(w.remote, '-c', 'core.hooksPath=/dev/null', 'push', '-q');
  const pulled = await w.gitTry(w.ws, 'pull', '--no-rebase');
  assert.notEqual(pulled.code, 0);
  assert.match(pulled.stderr, /task 'A' \(ours done, theirs blocked\): left as a conflict: ours: the workplans hold it more than once \(C-05\)/);
  assert.equal(await w.unmerged(w.ws), PLAN);
});

test("ids swapped on one side while both set statuses: a status line that is one task's on one side and another's on the other is left to the person", async (t) => {
  const w = await team(t);
  // A line between id and status: git merges an edit of the id apart from one of the status.
  const plan = (first: string, second: string) =>
    `---\ntype: workplan\n---\n\n# Plan\n${[first, second].map((task) => `\n\`\`\`task\nid: ${task.replace(' ', '\npriority: medium\nstatus: ')}\n\`\`\`\n`).join('')}`;
  const hooksOff = ['-c', 'core.hooksPath=/dev/null'];
  await commitFiles(w.ws, { [PLAN]: plan('A todo', 'B todo') }, 'priority between id and status');
  await w.gitTry(w.ws, ...hooksOff, 'push', '-q');
  await w.gitTry(w.remote, ...hooksOff, 'pull', '-q');
  await commitFiles(w.ws, { [PLAN]: plan('A done', 'B blocked') }, 'A done, B blocked');
  await commitFiles(w.remote, { [PLAN]: plan('B in_progress', 'A todo') }, 'the two blocks swap ids; B in progress');
  await w.gitTry(w.remote, ...hooksOff, 'push', '-q');

  const pulled = await w.gitTry(w.ws, 'pull', '--no-rebase');
  assert.notEqual(pulled.code, 0, 'B was never done on either side: the line stays a conflict');
  assert.match(pulled.stderr, /task 'B' \(ours done, theirs in_progress\): left as a conflict: ours's own file gives it blocked/);
  assert.doesNotMatch(pulled.stderr, /merged as/);
  assert.equal(await w.unmerged(w.ws), PLAN);
});

test('node and the CLI gone from where install found them: the driver falls back to PATH, and without a CLI to git’s text merge', async (t) => {
  const w = await team(t);
  const shim = path.join(w.ws, '.git', 'custodian-hooks', 'merge-driver');
  const text = await readFile(shim, 'utf8');
  await writeFile(shim, text.replace(/^node=".*"$/m, 'node="/gone/node"'));
  const doctor = await w.cli(w.ws, 'doctor');
  assert.match(String(doctor.stdout), /✓ merge driver: .*\(node \/gone\/node is gone; the driver falls back to the node on PATH, else to git's text merge\)/);
  await writebacksApart(w);
  const pulled = await w.gitTry(w.ws, 'pull', '--no-rebase');
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.match(pulled.stderr, /merged as done/, 'the node on PATH ran it');

  await w.must(w.ws, 'task', 'set', 'B', 'in_progress');
  await w.must(w.ws, 'run', '--fix');
  await w.gitUser(w.remote, 'pull', '-q');
  await w.setByHand(w.remote, 'B', 'blocked');
  await w.gitTry(w.remote, '-c', 'core.hooksPath=/dev/null', 'push', '-q');
  await writeFile(shim, text.replace(/^cli=".*"$/m, 'cli="/gone/cli.cjs"'));
  // A package manager's bin on PATH may be a shell script of its own: run as it is, not through node.
  const bin = path.join(w.root, 'bin');
  await mkdir(bin);
  await writeFile(path.join(bin, 'custodian-hooks'), `#!/bin/sh\nexec "${process.execPath}" "${packed.cli}" "$@"\n`, { mode: 0o755 });
  const before = (await git(w.ws, ['rev-parse', 'HEAD'])).trim();
  const onPath = await execa('git', ['pull', '--no-rebase'], { cwd: w.ws, env: { ...w.env, PATH: `${bin}:${process.env.PATH}` }, reject: false });
  // Both moved, a tie of ranks: the hub's value (C-22).
  assert.match(String(onPath.stderr), /task 'B' \(ours in_progress, theirs blocked\): merged as in_progress/, 'the driver on PATH ran');
  await w.gitTry(w.ws, 'reset', '-q', '--hard', before);
  assert.equal((await git(w.ws, ['rev-parse', 'HEAD'])).trim(), before);
  const textMerge = await w.gitTry(w.ws, 'pull', '--no-rebase');
  assert.notEqual(textMerge.code, 0);
  assert.match(textMerge.stderr, /node or the CLI is gone \(reinstall: npx custodian-hooks install\); docs\/plan\.md merged as text/);
  assert.match(await w.read(w.ws), /<<<<<<< HEAD\nstatus: in_progress\n=======\nstatus: blocked\n>>>>>>> theirs\n/, 'a conflict, never ours alone');
});

test('a criss-cross history: the merge of the merge bases stays git’s, and the outer merge is the one the driver settles', async (t) => {
  const w = await team(t);
  const dated = (date: string, ...args: string[]) =>
    execa('git', args, { cwd: w.ws, env: { ...w.env, CUSTODIAN_HOOKS: '0', GIT_COMMITTER_DATE: date }, reject: false, stdin: 'ignore' });
  const set = async (status: string, date: string) => {
    await writeFile(path.join(w.ws, PLAN), edit(await w.read(w.ws), 'A', status));
    await dated(date, 'commit', '-q', '-am', `A ${status}`);
  };
  await w.gitUser(w.ws, 'checkout', '-q', '-b', 'x');
  await set('done', '2030-01-01T00:00:00');
  const x1 = (await git(w.ws, ['rev-parse', 'HEAD'])).trim();
  await w.gitUser(w.ws, 'checkout', '-q', '-b', 'y', 'main');
  await set('blocked', '2030-01-05T00:00:00');
  // Each branch merges the other and keeps its own value, by hand.
  for (const [branch, other] of [
    ['x', 'y'],
    ['y', x1],
  ] as const) {
    await w.gitUser(w.ws, 'checkout', '-q', branch);
    await dated('2030-01-06T00:00:00', 'merge', '-q', other!);
    await w.gitUser(w.ws, 'checkout', '-q', '--ours', PLAN);
    await dated('2030-01-06T00:00:00', 'commit', '-q', '-am', `merge into ${branch}`);
  }
  await w.gitUser(w.ws, 'checkout', '-q', 'x');
  assert.equal((await git(w.ws, ['merge-base', '--all', 'x', 'y'])).trim().split('\n').length, 2);

  const merged = await w.gitTry(w.ws, 'merge', '--no-edit', 'y');
  const said = /task 'A' \(ours (\w+), theirs (\w+)\): merged as (\w+)/.exec(merged.stderr);
  if (said) assert.equal((await w.fileStatuses(w.ws)).A, said[3], `the file holds what the driver said: ${merged.stderr}`);
  else assert.notEqual(merged.code, 0, 'else git stops on the conflict');
  assert.deepEqual(said?.slice(1, 3), ['done', 'blocked'], 'the driver was asked about the real sides, not the merge bases');
});

test('a conflict the driver leaves reads as git’s own: the same markers and labels, merge and rebase, diff3 style', async (t) => {
  const w = await team(t);
  const prose = (text: string, line: string) => text.replace('Some prose.', line);
  await commitFiles(w.remote, { [PLAN]: prose(await w.read(w.remote), 'Prose of the remote.') }, 'remote prose');
  await w.gitUser(w.remote, 'push', '-q');
  await commitFiles(w.ws, { [PLAN]: prose(await w.read(w.ws), 'Prose of the workstation.') }, 'ws prose');
  await git(w.ws, ['config', 'merge.conflictStyle', 'diff3']);
  const plain = path.join(w.root, 'plain');
  await cp(w.ws, plain, { recursive: true });
  await rm(path.join(plain, '.git', 'info', 'attributes'));
  for (const how of ['--no-rebase', '--rebase']) {
    const results = [];
    for (const dir of [w.ws, plain]) {
      const pulled = await w.gitTry(dir, '-c', 'core.hooksPath=/dev/null', 'pull', how);
      assert.notEqual(pulled.code, 0);
      results.push(await w.read(dir));
      await w.gitTry(dir, how === '--rebase' ? 'rebase' : 'merge', '--abort');
    }
    assert.match(results[0]!, /\|\|\|\|\|\|\| /);
    assert.equal(results[0], results[1], `pull ${how}: the driver's file is git's`);
  }
});
