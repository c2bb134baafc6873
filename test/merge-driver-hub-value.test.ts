import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { git, gitOutcome } from '../src/git/run.js';
import { CLI } from './helpers/paths.js';
import { createToken, spawnHub } from './helpers/hub-process.js';
import { PLAN, parseReport, scene } from './helpers/scene.js';
import { commitFiles, tempDir } from './helpers/temp-repo.js';

/** A hub served over HTTP on a loopback port, with a token for the clones. */
async function httpHub(t: TestContext) {
  const db = path.join(await tempDir(t), 'hub.sqlite');
  const token = await createToken(db, 'team');
  const { url } = await spawnHub(t, db);
  return { hubUrl: url, token };
}

/**
 * A scene where an agent set A to done in the hub while two people moved A by hand, neither with
 * hooks: the laptop merges the workstation's push with the built driver, and no hook runs after.
 */
async function contested(t: TestContext, hub: Parameters<typeof scene>[2] = {}) {
  const s = await scene(
    t,
    [
      { id: 'A', status: 'todo' },
      { id: 'B', status: 'todo' },
    ],
    hub,
  );
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0, 'the hub holds both at todo, with a point');
  const laptop = await s.clone('laptop');
  assert.equal((await ws.cli('task', 'set', 'A', 'done')).code, 0, 'an agent sets done in the hub');
  await ws.edit('A', 'in_progress');
  await ws.git('push', '-q', 'origin', 'main');
  await laptop.edit('A', 'blocked');
  await writeFile(path.join(laptop.dir, '.git', 'info', 'attributes'), '*.md merge=custodian-hooks\n');
  const driver = `'${process.execPath}' '${CLI}' merge-driver %O %A %B %L %P`;
  const merge = async (how: 'merge' | 'rebase' | 'squash' = 'merge') => {
    await laptop.git('fetch', '-q', 'origin');
    const args = { merge: ['merge', '-q', '--no-edit'], rebase: ['rebase', '-q'], squash: ['merge', '-q', '--squash'] }[how];
    return gitOutcome(laptop.dir, ['-c', `merge.custodian-hooks.driver=${driver}`, ...args, 'origin/main'], s.env);
  };
  return { s, ws, laptop, merge };
}

test("a line the merge driver settled with the hub's value, in a pull without hooks, then changed by hand: the hand edit reaches the hub", async (t) => {
  const { s, laptop, merge } = await contested(t);
  const merged = await merge();
  assert.equal(merged.exitCode, 0, merged.stderr);
  assert.match(merged.stderr, /task 'A' \(ours blocked, theirs in_progress\): merged as done: it and the hub both moved: the hub's value/);
  assert.equal(await laptop.statusInFile('A'), 'done');

  // No post-merge ran. A person then sets cancelled, of done's rank, on top of the merge.
  await laptop.edit('A', 'cancelled');
  const fixed = await laptop.run('--fix');
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.ok(
    parseReport(fixed.stdout).findings.some((f) => f.code === 'C-11' && f.taskId === 'A'),
    `the hand edit is pushed: ${fixed.stdout}`,
  );
  assert.equal(await s.hubStatus('A'), 'cancelled', 'the hub has the hand edit');
  assert.equal(await laptop.statusInFile('A'), 'cancelled', 'the file keeps it');
  assert.equal((await git(laptop.dir, ['status', '--porcelain'])).trim(), '');
});

test("the driver reads its own notes too: a line set on top of a merge it settled from the hub is not judged older than the hub's value", async (t) => {
  const { ws, laptop, merge } = await contested(t);
  const first = await merge();
  assert.equal(first.exitCode, 0, first.stderr);
  assert.equal(await laptop.statusInFile('A'), 'done', "the hub's value, noted");

  // No hook ran. cancelled is set on top; meanwhile the workstation moves the line again.
  await laptop.edit('A', 'cancelled');
  await ws.edit('A', 'blocked');
  await ws.git('push', '-q', 'origin', 'main');
  const second = await merge();
  assert.doesNotMatch(second.stderr, /task 'A' \(ours cancelled, theirs blocked\): merged as done/, 'cancelled, set after the agreement, is not lost to it');
  // The workstation's blocked moved concurrently with the hub's done (news only from the merge, whose
  // agreement it never saw): rank keeps done over it, and cancelled, news, beats done.
  assert.match(second.stderr, /task 'A' \(ours cancelled, theirs blocked\): merged as cancelled: ours is news to the hub/);
  assert.equal(second.exitCode, 0, second.stderr);
});

for (const over of ['embedded', 'HTTP'] as const) {
  test(`another clone that pulls the merge and runs first reads the driver's note from the hub (${over}): the hand edit on top reaches the hub`, async (t) => {
    const { s, ws, laptop, merge } = await contested(t, over === 'HTTP' ? await httpHub(t) : {});
    const merged = await merge();
    assert.equal(merged.exitCode, 0, merged.stderr);
    assert.equal(await laptop.statusInFile('A'), 'done');
    const sent = (await s.hubState()).driverPoints ?? [];
    assert.deepEqual(
      sent.map((p) => [p.id, p.status, p.statusVersion, p.theirs]),
      [['A', 'done', 1, (await laptop.git('rev-parse', 'origin/main')).trim()]],
      'the driver told the hub which value it took, and on which merge',
    );

    // cancelled, of done's rank, set on top and pushed without hooks: the laptop runs nothing more.
    await laptop.edit('A', 'cancelled');
    await laptop.git('push', '-q', 'origin', 'HEAD:main');
    await ws.git('pull', '-q', '--no-rebase', 'origin', 'main');
    const fixed = await ws.run('--fix');
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.ok(
      parseReport(fixed.stdout).findings.some((f) => f.code === 'C-11' && f.taskId === 'A'),
      `the hand edit is pushed, not undone by rank: ${fixed.stdout}`,
    );
    assert.equal(await s.hubStatus('A'), 'cancelled');
    assert.equal(await ws.statusInFile('A'), 'cancelled');
  });
}

for (const over of ['embedded', 'HTTP'] as const) {
  test(`a force-push drops a merge the driver settled with the hub's value (${over}): the value it overruled, back in the file, is not pushed over the hub's newer one`, async (t) => {
    const { s, ws, laptop, merge } = await contested(t, over === 'HTTP' ? await httpHub(t) : {});
    const merged = await merge();
    assert.equal(merged.exitCode, 0, merged.stderr);
    assert.match(merged.stderr, /task 'A' \(ours blocked, theirs in_progress\): merged as done: it and the hub both moved: the hub's value/);
    await laptop.git('push', '-q', 'origin', 'HEAD:main');

    // The workstation, with the hooks, rewords its in_progress commit a while later and force-pushes
    // (no pre-push): the laptop's merge is gone from the origin, and the in_progress it overruled is
    // back, in a commit made after the merge. An agent then reopens A.
    assert.equal((await ws.cli('install')).code, 0);
    const later = `${Math.floor(Date.now() / 1000) + 60} +0000`;
    await git(ws.dir, ['commit', '-q', '--amend', '-m', 'A → in_progress, reworded'], { env: { ...s.env, GIT_COMMITTER_DATE: later } });
    await ws.git('push', '-q', '--force', '--no-verify', 'origin', 'main');
    assert.equal((await ws.cli('task', 'set', 'A', 'todo')).code, 0);

    const fixed = await ws.run('--fix');
    assert.equal(fixed.code, 0, fixed.stderr);
    const found = parseReport(fixed.stdout).findings.find((f) => f.taskId === 'A');
    assert.equal(found?.code, 'C-27', `undecided, not pushed by rank: ${fixed.stdout}`);
    assert.match(found!.message, /merge driver settled this task in a merge this clone does not have/);
    assert.equal(await s.hubStatus('A'), 'todo', "the agent's reopen stands");
    assert.equal(await ws.statusInFile('A'), 'in_progress', 'and the file is left as it is');
  });
}

test('a merge the person aborted after the driver settled a line: the clone that aborted it is not held up by its own note', async (t) => {
  const { s, ws, laptop, merge } = await contested(t);
  // Both also edit the README: the merge stops on it, after the driver settled A.
  await commitFiles(ws.dir, { 'README.md': '# acme, from the workstation\n' }, 'readme');
  await ws.git('push', '-q', 'origin', 'main');
  await commitFiles(laptop.dir, { 'README.md': '# acme, from the laptop\n' }, 'readme');
  const merged = await merge();
  assert.notEqual(merged.exitCode, 0, 'the README conflicts');
  assert.match(merged.stderr, /task 'A' \(ours blocked, theirs in_progress\): merged as done: it and the hub both moved: the hub's value/);
  await laptop.git('merge', '--abort');
  assert.equal((await ws.cli('task', 'set', 'A', 'todo')).code, 0, 'an agent reopens A');

  // The workstation cannot tell an aborted merge from one it has not pulled: it waits, and says so.
  const other = parseReport((await ws.run('--fix')).stdout).findings.find((f) => f.taskId === 'A');
  assert.equal(other?.code, 'C-27');
  assert.match(other!.message, /not pulled yet, dropped by a force-push, or aborted/);
  assert.equal(await s.hubStatus('A'), 'todo');

  // The laptop, behind the origin, only says what it would do: it knows it never made that merge,
  // and its blocked and the reopen moved apart, so rank decides, as it did before the note.
  const checked = await laptop.run('--fix');
  assert.equal(checked.code, 0, checked.stderr);
  const codes = parseReport(checked.stdout)
    .findings.filter((f) => f.taskId === 'A')
    .map((f) => f.code);
  assert.deepEqual(codes.sort(), ['C-11', 'C-22'], checked.stdout);
});

for (const how of ['rebase', 'squash'] as const)
  test(`a ${how === 'rebase' ? 'replayed commit' : 'squash merge'}'s note stays in its clone: its commit has one parent, and the note stands for this clone's commit alone`, async (t) => {
    const { s, laptop, merge } = await contested(t);
    const rebased = await merge(how);
    assert.equal(rebased.exitCode, 0, rebased.stderr);
    assert.match(rebased.stderr, /merged as done/);
    assert.deepEqual((await s.hubState()).driverPoints, [], 'nothing sent');
    const kept = await readFile(path.join(laptop.dir, '.git', 'custodian-hooks', 'driver-points.jsonl'), 'utf8');
    assert.deepEqual(
      kept
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { id: string; theirs?: string })
        .map((p) => [p.id, p.theirs]),
      [['A', undefined]],
    );
  });

/**
 * A criss-cross: from the synced start main sets A blocked and side done; each merges the other's
 * edit by hand (no driver) and keeps its own; the laptop then merges side into main with the driver.
 * The twist: the copy of blocked side merges is one main holds too (same tree, same parent, another
 * message), or the hub heard blocked and then an agent moved it on. Returns what the driver said.
 */
async function crissCross(t: TestContext, twist: 'none' | 'a copy on both lines' | 'the hub heard blocked, then moved on'): Promise<string> {
  const s = await scene(t, [
    { id: 'A', status: 'todo' },
    { id: 'B', status: 'todo' },
  ]);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  await ws.git('checkout', '-q', '-b', 'side');
  await ws.edit('A', 'done');
  const done = await ws.head();
  await ws.git('checkout', '-q', 'main');
  await ws.edit('A', 'blocked');
  let blocked = await ws.head();
  if (twist === 'the hub heard blocked, then moved on') {
    assert.equal((await ws.run('--fix')).code, 0);
    assert.equal((await ws.cli('task', 'set', 'A', 'in_progress')).code, 0);
  }
  if (twist === 'a copy on both lines') {
    // A reword: the same tree, parents and author line (git's amend keeps it) under another id.
    await ws.git('checkout', '-q', '--detach', blocked);
    await ws.git('commit', '-q', '--amend', '-m', 'A → blocked (reworded)');
    const reworded = await ws.head();
    await ws.git('checkout', '-q', 'main');
    blocked = reworded;
    await ws.git('merge', '-q', '--no-ff', '--no-edit', blocked);
  }
  for (const [branch, other] of [
    ['main', done],
    ['side', blocked],
  ] as const) {
    await ws.git('checkout', '-q', branch);
    await gitOutcome(ws.dir, ['merge', '-q', other]);
    await ws.git('checkout', '--ours', PLAN);
    await ws.git('commit', '-q', '-a', '--no-edit');
  }
  await ws.git('push', '-q', 'origin', 'main', 'side');
  const laptop = await s.clone('laptop');
  await writeFile(path.join(laptop.dir, '.git', 'info', 'attributes'), '*.md merge=custodian-hooks\n');
  const driver = `'${process.execPath}' '${CLI}' merge-driver %O %A %B %L %P`;
  const merged = await gitOutcome(laptop.dir, ['-c', `merge.custodian-hooks.driver=${driver}`, 'merge', '-q', '--no-edit', 'origin/side'], s.env);
  assert.equal(merged.exitCode, 0, merged.stderr);
  return merged.stderr;
}

// Each side's line holds the commit that set the other's value: both moved on concurrently, and
// rank decides (C-22) as it did before the driver compared the sides, never the hub's older value.
for (const [twist, why] of [
  ['none', 'both sides changed it since the hub last heard'],
  ['a copy on both lines', 'both sides changed it since the hub last heard'],
  ['the hub heard blocked, then moved on', 'it and the hub both moved'],
] as const) {
  test(`a criss-cross (${twist}): each side's line holds the other's value, and rank decides`, async (t) => {
    const said = await crissCross(t, twist);
    assert.ok(said.includes(`task 'A' (ours blocked, theirs done): merged as done: ${why}: the higher rank won (C-22)`), said);
  });
}
