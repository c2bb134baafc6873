import assert from 'node:assert/strict';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { git } from '../src/git/run.js';
import { valueOrigins } from '../src/git/value-origins.js';
import { openRepo } from '../src/repo.js';
import { loadWorkplans } from '../src/workplan/load.js';
import { gitAsUser } from './helpers/git-user.js';
import { createToken, spawnHub } from './helpers/hub-process.js';
import { cloneAs, commitFiles, tempDir, tempRepo } from './helpers/temp-repo.js';
import { type Machine, parseReport, scene, workstationAndLaptop, reopenedInHub } from './helpers/scene.js';
import { workplan } from './helpers/workplan-text.js';

const OTHER = 'docs/other.md';

const moves: [string, (text: string) => { [file: string]: string }][] = [
  [
    'a block moved to another workplan',
    (text) => ({
      'docs/plan.md': text.replace(/### A\n\n```task\n[^`]*```\n\nSome prose.\n/, ''),
      [OTHER]: workplan([{ id: 'A', status: /id: A\nstatus: (\w+)/.exec(text)![1]! }]),
    }),
  ],
  ['blocks reordered', (text) => ({ 'docs/plan.md': text.replace(/(### A\n[\s\S]*?)(### B\n[\s\S]*)$/, '$2\n$1') })],
  ['a comment added to the status line', (text) => ({ 'docs/plan.md': text.replace('id: A\nstatus: done', 'id: A\nstatus: done   # shipped in v1.2') })],
];

for (const [name, move] of moves) {
  test(`${name}, its value unchanged, is not news: a reopen made meanwhile in the hub stands`, async (t) => {
    const s = await reopenedInHub(t);
    const ws = s.workstation;
    await commitFiles(ws.dir, move(await ws.read()), name);
    const run = await ws.run('--fix');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await s.hubStatus('A'), 'todo', 'the reopen stands');
    const files = await ws.git('grep', '-h', '-A1', 'id: A', 'HEAD', '--', 'docs');
    assert.match(files, /status: todo/, 'and is written back where the block now is');
  });
}

const gaps: [string, (ws: Machine) => Promise<void>][] = [
  [
    'a workplan deleted and restored by git revert',
    async (ws) => {
      await ws.git('rm', '-q', 'docs/plan.md');
      await ws.git('commit', '-q', '-m', 'remove the plan (a mistake)');
      await ws.git('revert', '--no-edit', 'HEAD');
    },
  ],
  [
    'a block cut in one commit and pasted into another workplan in the next',
    async (ws) => {
      const moved = moves[0]![1](await ws.read());
      await commitFiles(ws.dir, { 'docs/plan.md': moved['docs/plan.md']! }, 'cut A');
      await commitFiles(ws.dir, { [OTHER]: moved[OTHER]! }, 'paste A');
    },
  ],
  [
    'a block cut and pasted twice, into another workplan and then into a third',
    async (ws) => {
      const moved = moves[0]![1](await ws.read());
      await commitFiles(ws.dir, { 'docs/plan.md': moved['docs/plan.md']! }, 'cut A');
      await commitFiles(ws.dir, { [OTHER]: moved[OTHER]! }, 'paste A');
      await commitFiles(ws.dir, { [OTHER]: workplan([]) }, 'cut A again');
      await commitFiles(ws.dir, { 'docs/third.md': moved[OTHER]! }, 'paste A into a third workplan');
    },
  ],
];

/** The workstation's next run keeps A's reopen in the hub and writes it back wherever A's block is. */
async function reopenStands(s: Awaited<ReturnType<typeof scene>>): Promise<void> {
  const run = await s.workstation.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'todo', 'the reopen stands');
  assert.match(await s.workstation.git('grep', '-h', '-A1', 'id: A', 'HEAD', '--', 'docs'), /status: todo/, 'and is written back');
}

for (const [name, gap] of gaps) {
  test(`${name}: the value from before the gap is not news, and a reopen made meanwhile in the hub stands`, async (t) => {
    const s = await reopenedInHub(t);
    await gap(s.workstation);
    await reopenStands(s);
  });
}

/** Tasks A and B todo, synced from the workstation, and a laptop cloned after, without the hooks. */
async function syncedWithLaptop(t: TestContext) {
  const s = await scene(t, [
    { id: 'A', status: 'todo' },
    { id: 'B', status: 'todo' },
  ]);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  return { s, ws, laptop: await s.clone('laptop') };
}

test('a block cut and pasted over a value the hub heard only on a commit this clone lacks (force-pushed away) is not news: a reopen made since stands', async (t) => {
  const { s, ws, laptop } = await syncedWithLaptop(t);
  // done is pushed without the hooks; the laptop merges it over a commit of its own, and its run
  // tells the hub on that merge, a commit the workstation never holds.
  await ws.edit('A', 'done');
  await ws.git('push', '-q', 'origin', 'main');
  await commitFiles(laptop.dir, { 'notes.txt': 'laptop\n' }, 'a note');
  await laptop.git('pull', '-q', '--no-rebase', '--no-edit');
  assert.equal((await laptop.run('--fix')).code, 0);
  assert.equal(await s.hubStatus('A'), 'done');
  await laptop.git('push', '-q', 'origin', 'main');
  await gaps[1]![1](ws);
  await ws.git('push', '-q', '--force', 'origin', 'main');
  assert.equal((await ws.cli('task', 'set', 'A', 'todo')).code, 0);
  await reopenStands(s);
});

test('a stale clone agreeing with a reopen at an old commit, in a push git refused, is not the last agreement below a cut and paste: the reopen stands', async (t) => {
  const { s, ws, laptop } = await workstationAndLaptop(t);
  await ws.edit('A', 'done');
  assert.equal((await ws.run('--fix')).code, 0);
  await ws.git('push', '-q', 'origin', 'main');
  assert.equal((await ws.cli('task', 'set', 'A', 'todo')).code, 0);
  // The laptop has not pulled: its pre-push agrees on todo at a commit of its own, on the origin
  // of the first todo, after the workstation's agreement on done; git then refuses the push.
  await commitFiles(laptop.dir, { 'notes.txt': 'laptop\n' }, 'a note');
  assert.notEqual((await gitAsUser(laptop.dir, s.env, 'push', '-q', 'origin', 'main')).code, 0);
  await gaps[1]![1](ws);
  await reopenStands(s);
});

test("a value another clone's run saw under a newer edit, in a commit this clone lacks, is not pushed by rank over the hub's next change", async (t) => {
  const { s, ws, laptop } = await syncedWithLaptop(t);
  const desk = await s.clone('desk');
  // cancelled is pushed to a branch, without the hooks; the laptop merges it, reopens A over it,
  // and runs before pushing: its run saw cancelled, though not through its upstream.
  await ws.edit('A', 'cancelled');
  await ws.git('push', '-q', 'origin', 'main:wip');
  await laptop.git('fetch', '-q', 'origin', 'wip');
  await laptop.git('merge', '-q', 'origin/wip');
  await laptop.edit('A', 'todo');
  assert.equal((await laptop.run('--fix')).code, 0);
  assert.equal((await ws.cli('task', 'set', 'A', 'in_progress')).code, 0);
  await desk.git('fetch', '-q', 'origin', 'wip');
  await desk.git('merge', '-q', 'origin/wip');
  const run = await desk.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'in_progress', 'the newer in_progress stands');
  assert.equal(parseReport(run.stdout).findings.find((f) => f.taskId === 'A')?.code, 'C-27');
  // Once the laptop has pushed, desk holds the run's commit and takes the hub's value.
  await laptop.git('push', '-q', 'origin', 'main');
  await desk.git('pull', '-q', '--no-rebase');
  assert.equal((await desk.run('--fix')).code, 0);
  assert.equal(await desk.statusInFile('A'), 'in_progress');
});

test('a commit reworded and force-pushed from a clone without hooks is the change the hub heard: a reopen made since stands in a clone that holds both', async (t) => {
  const { s, ws, laptop } = await syncedWithLaptop(t);
  await ws.edit('A', 'done');
  assert.equal((await ws.run('--fix')).code, 0);
  await ws.git('push', '-q', 'origin', 'main');
  await laptop.git('pull', '-q', '--no-rebase');
  // No hook sends the rewrite's record: only git shows the reworded commit is the one the hub heard.
  await ws.git('commit', '-q', '--amend', '-m', 'A is done (reworded)');
  await ws.git('push', '-q', '--force', 'origin', 'main');
  assert.equal((await ws.cli('task', 'set', 'A', 'todo')).code, 0);
  await laptop.git('pull', '-q', '--rebase');
  assert.equal(await laptop.head(), await ws.head(), 'the laptop is on the reworded commit, and still holds the first');
  const run = await laptop.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'todo', 'the reopen stands');
  assert.equal(await laptop.statusInFile('A'), 'todo', 'and is written back');
});

test('a run on a commit its clone then threw away holds up no push by rank of a value committed after it', async (t) => {
  const { s, ws, laptop } = await syncedWithLaptop(t);
  await commitFiles(laptop.dir, { 'notes.txt': 'experiment\n' }, 'an experiment');
  assert.equal((await laptop.run('--fix')).code, 0);
  await laptop.git('reset', '-q', '--hard', 'origin/main');
  // Commit times count in seconds: the value is committed in a later one than the run.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await ws.edit('A', 'done');
  assert.equal((await ws.cli('task', 'set', 'A', 'in_progress')).code, 0);
  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'done', 'both moved: rank decides (C-22)');
  assert.ok(parseReport(run.stdout).findings.some((f) => f.taskId === 'A' && f.code === 'C-22'));
});

test('a task added long after the history began, its status changed in the hub only, is written back: no walk back for where it was before', async (t) => {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const ws = s.workstation;
  for (let n = 0; n < 40; n++) await commitFiles(ws.dir, { 'notes.txt': `${n}\n` }, `note ${n}`);
  await commitFiles(ws.dir, { [OTHER]: workplan([{ id: 'B', status: 'todo' }]) }, 'add B');
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal((await ws.cli('task', 'set', 'B', 'done')).code, 0);
  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stdout, /C-27/);
  assert.match(await ws.read(OTHER), /id: B\nstatus: done/);
});

test('a task that returns at another status than it left with is news, set where it returned', async (t) => {
  const s = await reopenedInHub(t);
  const ws = s.workstation;
  const moved = moves[0]![1](await ws.read());
  await commitFiles(ws.dir, { 'docs/plan.md': moved['docs/plan.md']! }, 'cut A');
  await commitFiles(ws.dir, { [OTHER]: moved[OTHER]!.replace('status: done', 'status: blocked') }, 'paste A, blocked');
  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'blocked', run.stderr);
});

for (const [name, gap] of gaps.slice(1))
  test(`a value set again after another status, then moved (${name}), is news set where it was set, not the older agreement on the same status below the paste`, async (t) => {
    const { s, ws, laptop } = await syncedWithLaptop(t);
    // The hub agrees on blocked below everything that follows.
    await laptop.edit('A', 'blocked');
    assert.equal((await laptop.run('--fix')).code, 0);
    await laptop.git('push', '-q', 'origin', 'main');
    await ws.git('pull', '-q', '--no-rebase');
    await ws.edit('A', 'in_progress');
    await ws.git('push', '-q', 'origin', 'main');
    // The laptop agrees on in_progress at a commit of its own that the workstation never gets.
    await commitFiles(laptop.dir, { 'notes.txt': 'laptop\n' }, 'a note');
    await laptop.git('pull', '-q', '--rebase');
    assert.equal((await laptop.run('--fix')).code, 0);
    assert.equal(await s.hubStatus('A'), 'in_progress');
    // blocked again on the workstation, on top of in_progress; then the block moves in two commits.
    await ws.edit('A', 'blocked');
    await gap(ws);
    await ws.git('push', '-q', 'origin', 'main');
    await laptop.git('pull', '-q', '--no-rebase', '--no-edit');
    const run = await laptop.run('--fix');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await s.hubStatus('A'), 'blocked', 'the newer blocked is pushed, not written over with in_progress');
  });

test('a shallow clone never lets rank undo a reopen the hub heard of below its boundary', async (t) => {
  const s = await reopenedInHub(t);
  const ws = s.workstation;
  await commitFiles(ws.dir, { 'README.md': '# acme, later\n' }, 'later');
  await ws.git('push', '-q', 'origin', 'main');
  const ci = path.join(s.root, 'ci');
  await git(s.root, ['clone', '-q', '--depth', '1', `file://${s.origin}`, ci]);
  for (const [k, v] of [
    ['user.name', 'ci'],
    ['user.email', 'ci@example.com'],
  ]) {
    await git(ci, ['config', k!, v!]);
  }
  const { runCli } = await import('./helpers/cli.js');
  const run = await runCli(ci, ['run', '--fix', '--json'], s.env);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'todo', 'the reopen stands');
  const unknown = parseReport(run.stdout).findings.find((f) => f.taskId === 'A');
  assert.equal(unknown?.code, 'C-27');
  assert.match(unknown!.message, /git fetch --unshallow/);
});

test('a full clone fetched --depth 1 later is shallow too: its boundary cuts the trace although the older objects are still here', async (t) => {
  const s = await reopenedInHub(t);
  const ws = s.workstation;
  const ci = path.join(s.root, 'ci');
  await git(s.root, ['clone', '-q', `file://${s.origin}`, ci]);
  for (const [k, v] of [
    ['user.name', 'ci'],
    ['user.email', 'ci@example.com'],
  ]) {
    await git(ci, ['config', k!, v!]);
  }
  await commitFiles(ws.dir, { 'README.md': '# acme, later\n' }, 'later');
  await ws.git('push', '-q', 'origin', 'main');
  // A CI workspace reused: the next job fetches one commit deep.
  await git(ci, ['fetch', '-q', '--depth', '1', 'origin', 'main']);
  await git(ci, ['reset', '-q', '--hard', 'origin/main']);
  const { runCli } = await import('./helpers/cli.js');
  const run = await runCli(ci, ['run', '--fix', '--json'], s.env);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'todo', 'the reopen stands');
  const unknown = parseReport(run.stdout).findings.find((f) => f.taskId === 'A');
  assert.equal(unknown?.code, 'C-27', JSON.stringify(parseReport(run.stdout).findings));
  assert.match(unknown!.message, /git fetch --unshallow/);
});

test('the value trace stops at a shallow boundary even where the objects below it are still here', async (t) => {
  const root = await tempDir(t);
  const origin = path.join(root, 'o.git');
  await git(root, ['init', '-q', '--bare', '-b', 'main', origin]);
  const a = path.join(root, 'a');
  await cloneAs(origin, a, 'a');
  await commitFiles(a, { 'docs/plan.md': workplan([{ id: 'A', status: 'done' }]) }, 'A done');
  await commitFiles(a, { 'README.md': 'x\n' }, 'readme');
  await git(a, ['push', '-q', 'origin', 'main']);
  const ci = path.join(root, 'ci');
  await cloneAs(origin, ci, 'ci');
  const full = await valueOrigins(await openRepo(ci), (await git(ci, ['rev-parse', 'HEAD'])).trim(), await fileTasks(ci));
  assert.deepEqual([...full], [['A', (await git(a, ['rev-parse', 'HEAD~1'])).trim()]], 'a full clone traces A to the commit that set it');

  await commitFiles(a, { 'README.md': 'y\n' }, 'readme again');
  await git(a, ['push', '-q', 'origin', 'main']);
  await git(ci, ['fetch', '-q', '--depth', '1', 'origin', 'main']);
  await git(ci, ['reset', '-q', '--hard', 'origin/main']);
  const cut = await valueOrigins(await openRepo(ci), (await git(ci, ['rev-parse', 'HEAD'])).trim(), await fileTasks(ci));
  assert.deepEqual([...cut], [['A', null]], 'past the boundary is unknown, as git takes history to end there');
});

test('a workplan whose name git quotes is traced as any other: the value’s commit, not one commit a hop', async (t) => {
  // blame prints an odd name C-quoted (a quote, a non-ASCII letter); compared raw it never matched,
  // and the trace stepped back one commit at a time until it gave up.
  const dir = await tempRepo(t);
  for (const [file, id] of [
    ['docs/plän "q".md', 'Q'],
    ['docs/plain.md', 'P'],
  ] as const) {
    await commitFiles(dir, { [file]: workplan([{ id, status: 'todo' }]) }, 'plan');
    await commitFiles(dir, { [file]: workplan([{ id, status: 'done' }]) }, 'done');
  }
  const setAt = async (file: string) => (await git(dir, ['log', '-1', '--format=%H', '--', file])).trim();
  for (let i = 0; i < 40; i++) await commitFiles(dir, { 'notes.txt': `${i}\n` }, `notes ${i}`);
  const found = await valueOrigins(await openRepo(dir), (await git(dir, ['rev-parse', 'HEAD'])).trim(), await fileTasks(dir));
  assert.deepEqual([found.get('Q'), found.get('P')], [await setAt('docs/plän "q".md'), await setAt('docs/plain.md')]);
});

/** The tasks of a clone's workplans as a run hands them to the value trace. */
async function fileTasks(dir: string) {
  const loaded = await loadWorkplans(await openRepo(dir));
  return loaded.tasks.map((task) => ({ ...task, workplan: { id: 'plan', title: null } }));
}

test('a stale clone that moved a still-todo block and kept its side of the conflict does not push todo over done', async (t) => {
  const { s, ws, laptop } = await workstationAndLaptop(t);
  // The laptop moves A, still todo, to another workplan; the workstation finishes it meanwhile.
  await commitFiles(laptop.dir, moves[0]![1](await laptop.read()), 'move A to its own plan');
  await ws.edit('A', 'done');
  await ws.git('push', '-q', 'origin', 'main');
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal(await s.hubStatus('A'), 'done');

  // The pull conflicts; the laptop's owner keeps their side, which holds A as todo.
  assert.notEqual((await gitAsUser(laptop.dir, s.env, 'pull', '-q', '--no-rebase', 'origin', 'main')).code, 0, 'the pull conflicts');
  await laptop.git('checkout', '--ours', '--', 'docs/plan.md');
  await laptop.git('add', 'docs/plan.md');
  assert.equal((await gitAsUser(laptop.dir, s.env, 'commit', '-q', '--no-edit')).code, 0);
  assert.equal((await gitAsUser(laptop.dir, s.env, 'push', '-q', 'origin', 'main')).code, 0);
  assert.equal(await s.hubStatus('A'), 'done', 'the hub keeps done: todo in the laptop is old news');
});

test("a person who keeps the other side of a conflict keeps that side's old value: a reopen written back since stands", async (t) => {
  const { s, ws, laptop } = await workstationAndLaptop(t);
  await ws.edit('A', 'done');
  await ws.git('push', '-q', 'origin', 'main');
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal((await gitAsUser(laptop.dir, s.env, 'pull', '-q', '--no-rebase', 'origin', 'main')).code, 0);
  assert.equal((await ws.cli('task', 'set', 'A', 'todo')).code, 0, 'an agent reopens A');
  assert.equal((await laptop.run('--fix')).code, 0);
  assert.equal(await laptop.statusInFile('A'), 'todo', 'the laptop writes the reopen back');
  // The workstation, not yet pulled, notes something on A's old line: the laptop's pull conflicts there.
  await commitFiles(ws.dir, { 'docs/plan.md': (await ws.read()).replace('id: A\nstatus: done', 'id: A\nstatus: done   # shipped') }, 'note on A');
  await ws.git('push', '-q', 'origin', 'main');

  assert.notEqual((await gitAsUser(laptop.dir, s.env, 'pull', '-q', '--no-rebase', 'origin', 'main')).code, 0, 'the pull conflicts');
  await laptop.git('checkout', '--theirs', '--', 'docs/plan.md');
  await laptop.git('add', 'docs/plan.md');
  const concluded = await gitAsUser(laptop.dir, s.env, 'commit', '-q', '--no-edit');
  assert.equal(concluded.code, 0, concluded.stderr);
  assert.equal((await gitAsUser(laptop.dir, s.env, 'push', '-q', 'origin', 'main')).code, 0);
  assert.equal(await s.hubStatus('A'), 'todo', "the workstation's done, heard before the reopen, is old news");
  assert.equal(await laptop.statusInFile('A'), 'todo', 'and the reopen is written back again');
});

test('the commit that concludes a conflicted pull reconciles, as post-merge would have', async (t) => {
  const { s, ws, laptop } = await workstationAndLaptop(t);
  await laptop.edit('A', 'in_progress');
  await ws.edit('A', 'blocked');
  await ws.git('push', '-q', 'origin', 'main');
  assert.equal((await ws.cli('task', 'set', 'B', 'done')).code, 0, 'an agent finishes B meanwhile');

  assert.notEqual((await gitAsUser(laptop.dir, s.env, 'pull', '-q', '--no-rebase', 'origin', 'main')).code, 0, 'the pull conflicts');
  await laptop.git('checkout', '--theirs', '--', 'docs/plan.md');
  await laptop.git('add', 'docs/plan.md');
  assert.equal(await laptop.statusInFile('B'), 'todo');
  const concluded = await gitAsUser(laptop.dir, s.env, 'commit', '-q', '--no-edit');
  assert.equal(concluded.code, 0, concluded.stderr);
  assert.equal(await laptop.statusInFile('B'), 'done', "the hub's done is written back at once");
  const plain = await gitAsUser(laptop.dir, s.env, 'commit', '-q', '--allow-empty', '-m', 'an ordinary commit');
  assert.equal(plain.stderr, '', 'an ordinary commit starts no reconcile');
});

test("a clone offline while busy clones wear out the hub's records still knows what it sent: a reopen stands", async (t) => {
  const root = await tempDir(t);
  const db = path.join(root, 'hub.sqlite');
  const token = await createToken(db, 'team');
  // Retention small enough that two busy clones evict within minutes what a day would evict.
  const hub = await spawnHub(t, db, {}, ['--keep-points', '2', '--keep-runs', '3', '--keep-days', '0']);
  const s = await scene(
    t,
    [
      { id: 'A', status: 'todo' },
      { id: 'B', status: 'todo' },
    ],
    { hubUrl: hub.url, token },
  );
  const laptop = s.workstation;
  // Done on the laptop and synced, but not pushed before it went offline.
  await laptop.edit('A', 'done');
  assert.equal((await laptop.run('--fix')).code, 0);
  assert.equal(await s.hubStatus('A'), 'done');
  // Offline: every fetch, pull and push of the origin fails; the origin it names stays the same.
  await laptop.git('config', `url.${path.join(root, 'unreachable', 'acme.git')}.insteadOf`, s.origin);

  assert.equal((await laptop.cli('task', 'set', 'A', 'todo')).code, 0, 'reopened in the hub');
  const [ws, ci] = [await s.clone('ws'), await s.clone('ci')];
  for (let round = 0; round < 4; round++) {
    for (const busy of [ws, ci]) {
      await commitFiles(busy.dir, { [`notes-${busy.name}.txt`]: `round ${round}\n` }, `work ${round}`);
      assert.equal((await busy.run('--fix')).code, 0);
    }
  }
  const run = await laptop.run('--fix', '--pull');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await s.hubStatus('A'), 'todo', 'the reopen stands');
  assert.equal(await laptop.statusInFile('A'), 'todo', 'and is written back');
});

test('post-merge after a pull that makes a merge commit writes back: git still holds MERGE_HEAD then, yet no merge is in progress', async (t) => {
  const { s, ws, laptop } = await workstationAndLaptop(t);
  await commitFiles(laptop.dir, { 'notes.txt': 'local work\n' }, 'local work');
  await commitFiles(ws.dir, { 'README.md': '# acme, later\n' }, 'later');
  await ws.git('push', '-q', 'origin', 'main');
  assert.equal((await ws.cli('task', 'set', 'B', 'done')).code, 0);

  const pulled = await gitAsUser(laptop.dir, s.env, 'pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main');
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.equal((await laptop.git('rev-list', '--count', '--merges', 'HEAD')).trim(), '1', 'the pull made a merge commit');
  assert.equal(await laptop.statusInFile('B'), 'done', pulled.stderr);
});
