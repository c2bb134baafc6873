import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';
import fc from 'fast-check';
import { statusCommand } from '../src/commands/status.js';
import { git } from '../src/git/run.js';
import { lineEditDiff } from '../src/writeback/line-diff.js';
import { runCli } from './helpers/cli.js';
import { CLI } from './helpers/paths.js';
import { PLAN, scene } from './helpers/scene.js';
import { tempDir, tempRepo } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

const PACKAGE_JSON = '{\n    "name": "app",\n    "scripts": {\n        "prepare": "husky"\n    }\n}\n';

test('init writes the slug, the hub and the prepare script once; run again, it changes no byte', async (t) => {
  const dir = await tempRepo(t, { [PLAN]: workplan([{ id: 'A', status: 'todo' }]), 'package.json': PACKAGE_JSON });
  await git(dir, ['remote', 'add', 'origin', 'git@example.com:acme/app.git']);
  const env = { XDG_STATE_HOME: await tempDir(t) };

  const first = await runCli(dir, ['init', '--hub', 'https://hub.example:7420'], env);
  assert.equal(first.code, 0, first.stderr);
  const config = await readFile(path.join(dir, '.custodian.yml'), 'utf8');
  assert.match(config, /^repo: \S+\nhub: https:\/\/hub\.example:7420\n$/);
  const pkg = await readFile(path.join(dir, 'package.json'), 'utf8');
  assert.equal(
    pkg,
    '{\n    "name": "app",\n    "scripts": {\n        "prepare": "husky && custodian-hooks install"\n    }\n}\n',
    'prepended work kept, indentation kept',
  );

  const again = await runCli(dir, ['init', '--hub', 'https://hub.example:7420'], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /\.custodian\.yml: already set up/);
  assert.match(again.stdout, /prepare already runs custodian-hooks install/);
  assert.equal(await readFile(path.join(dir, '.custodian.yml'), 'utf8'), config);
  assert.equal(await readFile(path.join(dir, 'package.json'), 'utf8'), pkg);

  // The config it wrote is one the rest of the tool reads: doctor names the hub from it.
  const doctor = await runCli(dir, ['doctor'], env);
  assert.match(doctor.stdout, /every hook reaches hub https:\/\/hub\.example:7420 \(from hub in \.custodian\.yml\)/);
});

test('init keeps what a .custodian.yml already says, comments included, and adds only what is missing', async (t) => {
  const existing = '# our workplans\nworkplans:\n  - docs/**/*.md # only these\nrepo: acme-app\n';
  const dir = await tempRepo(t, { [PLAN]: workplan([{ id: 'A', status: 'todo' }]), '.custodian.yml': existing });
  const result = await runCli(dir, ['init'], { XDG_STATE_HOME: await tempDir(t), CUSTODIAN_HUB: 'http://127.0.0.1:7420' });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await readFile(path.join(dir, '.custodian.yml'), 'utf8'), `${existing}hub: http://127.0.0.1:7420\n`);
  assert.match(result.stdout, /no package\.json: each clone runs "npx custodian-hooks install" once/);
});

test('init refuses a hub that cannot be shared through the repo, and a package.json it cannot read, writing nothing', async (t) => {
  const dir = await tempRepo(t, { [PLAN]: workplan([{ id: 'A', status: 'todo' }]) });
  const env = { XDG_STATE_HOME: await tempDir(t) };
  for (const [hub, reason] of [
    ['https//typo:7420', /'https\/\/typo:7420' is not a hub location/],
    ['/srv/hub.sqlite', /SQLite file on this machine/],
    ['postgres://team:secret@db.example/hub', /'postgres:\/\/…@db\.example\/hub' holds credentials/],
    ['http://hub.example:7420/?team=a', /is a hub URL with a query or a fragment/],
    ['http://hub.example:7420/#x', /is a hub URL with a query or a fragment/],
  ] as const) {
    const result = await runCli(dir, ['init', '--hub', hub], env);
    assert.equal(result.code, 2, hub);
    assert.match(result.stderr, reason);
    assert.doesNotMatch(result.stderr, /secret/);
    assert.equal(existsSync(path.join(dir, '.custodian.yml')), false, hub);
  }
  await writeFile(path.join(dir, 'package.json'), '{ "name": "app", }\n');
  const broken = await runCli(dir, ['init'], env);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /package\.json: not valid JSON/);
  assert.equal(existsSync(path.join(dir, '.custodian.yml')), false, 'nothing half-written');
  // JSON, but not what npm reads: init would write a prepare script no install runs, or garble the scripts.
  for (const [text, reason] of [
    ['[]\n', /package\.json: not an object/],
    ['{ "name": "app", "scripts": "echo legacy" }\n', /"scripts" is not an object of named scripts/],
    ['{ "name": "app", "scripts": { "prepare": 5 } }\n', /"scripts\.prepare" is not a command line/],
  ] as const) {
    await writeFile(path.join(dir, 'package.json'), text);
    const refused = await runCli(dir, ['init'], env);
    assert.equal(refused.code, 2, text);
    assert.match(refused.stderr, reason);
    assert.equal(await readFile(path.join(dir, 'package.json'), 'utf8'), text, 'left as it was');
    assert.equal(existsSync(path.join(dir, '.custodian.yml')), false, 'nothing half-written');
  }
});

test('status counts each committed workplan by status, with a bar on a terminal and a versioned JSON document', async (t) => {
  const dir = await tempRepo(t, {
    [PLAN]: workplan([
      { id: 'A', status: 'done' },
      { id: 'B', status: 'cancelled' },
      { id: 'C', status: 'in_progress' },
      { id: 'D', status: 'todo' },
    ]),
    'docs/later.md': workplan([
      { id: 'E', status: 'todo' },
      { id: 'F', status: 'nonsense' },
    ]),
    'README.md': '# not a workplan\n',
  });
  const text = await runCli(dir, ['status'], { XDG_STATE_HOME: await tempDir(t) });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /docs\/plan\.md\s+50%\s+4 tasks: 1 todo, 1 in_progress, 1 done, 1 cancelled/);
  assert.match(text.stdout, /docs\/later\.md\s+0%\s+1 tasks: 1 todo, 1 unreadable/);
  assert.match(text.stdout, /all\s+40%\s+5 tasks/);
  assert.doesNotMatch(text.stdout, /█|README/, 'no bar when stdout is not a terminal, no file without tasks');

  let shown = '';
  await statusCommand({ cwd: dir, json: false }, (s) => (shown += s), true);
  // Colours or not (CI turns them on), the bar is ten of twenty.
  assert.match(stripVTControlCharacters(shown), /docs\/plan\.md\s+█{10}░{10}\s+50%/);

  const json = JSON.parse((await runCli(dir, ['status', '--json'], { XDG_STATE_HOME: await tempDir(t) })).stdout);
  assert.equal(json.schemaVersion, 1);
  assert.equal(json.kind, 'status');
  assert.deepEqual(
    json.workplans.map((w: { file: string; total: number; progress: number }) => [w.file, w.total, w.progress]),
    [
      ['docs/later.md', 1, 0],
      ['docs/plan.md', 4, 0.5],
    ],
  );
  assert.deepEqual(json.total.counts, { todo: 2, in_progress: 1, blocked: 0, done: 1, cancelled: 1 });
});

test('run --diff prints the writeback a fix would make, as a diff git applies, and writes nothing', async (t) => {
  const s = await scene(t, [
    { id: 'A', status: 'todo' },
    { id: 'B', status: 'todo' },
    { id: 'C', status: 'in_progress' },
  ]);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal((await ws.cli('task', 'set', 'A', 'done')).code, 0);
  assert.equal((await ws.cli('task', 'set', 'C', 'blocked')).code, 0);
  const head = await ws.head();
  const planBefore = await ws.read();

  const diff = await execa(process.execPath, [CLI, 'run', '--diff'], {
    cwd: ws.dir,
    env: { ...s.env, NO_COLOR: '1' },
    reject: false,
    encoding: 'buffer',
    stripFinalNewline: false,
  });
  assert.equal(diff.exitCode, 0, diff.stderr.toString());
  const patch = Buffer.from(diff.stdout);
  assert.match(patch.toString(), /^diff --git a\/docs\/plan\.md b\/docs\/plan\.md\n--- a\/docs\/plan\.md\n\+\+\+ b\/docs\/plan\.md\n@@ /);
  assert.match(patch.toString(), /-status: todo\n\+status: done\n/);
  assert.match(patch.toString(), /-status: in_progress\n\+status: blocked\n/);
  assert.equal(await ws.head(), head, 'no commit');
  assert.equal(await ws.read(), planBefore, 'no file written');
  assert.equal(await ws.git('status', '--porcelain'), '');
  assert.equal(await s.hubStatus('A'), 'done', 'the hub is untouched too');

  // The diff is exactly what the fix then writes.
  await execa('git', ['apply', '-'], { cwd: ws.dir, input: patch });
  const applied = await ws.read();
  await ws.git('checkout', '--', PLAN);
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal(await ws.read(), applied);
  assert.equal((await runCli(ws.dir, ['run', '--diff'], s.env)).stdout, '', 'nothing left to write back');

  const both = await runCli(ws.dir, ['run', '--diff', '--fix'], s.env);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /does not go with --fix/);
  // Flags that only shape a fix are said to be idle without one, not ignored.
  for (const [flag, said] of [
    ['--no-writeback', /run --no-writeback limits what --fix writes: it goes with --fix/],
    ['--pull', /run --pull pulls before a fix: it goes with --fix/],
  ] as const) {
    const idle = await runCli(ws.dir, ['run', flag], s.env);
    assert.equal(idle.code, 2, flag);
    assert.match(idle.stderr, said);
  }
});

test('run --diff on a hub that does not answer says so on stderr and prints no diff', async (t) => {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const result = await runCli(s.workstation.dir, ['run', '--diff'], { ...s.env, CUSTODIAN_HUB: 'http://127.0.0.1:9', CUSTODIAN_HUB_TOKEN: 'x' });
  assert.equal(result.code, 0);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /C-23 hub unreachable/);
});

/** Lines unique enough that git's diff pairs them one to one, as a writeback's lines are. */
const fileOf = (lines: readonly string[], finalNewline: boolean) => Buffer.from(lines.join('\n') + (finalNewline ? '\n' : ''));

test("the writeback diff equals git's own diff of the same two files, hunk for hunk", async (t) => {
  const dir = await tempDir(t);
  const cases = fc.record({
    size: fc.integer({ min: 1, max: 30 }),
    changed: fc.uniqueArray(fc.integer({ min: 0, max: 29 }), { minLength: 1, maxLength: 6 }),
    finalNewline: fc.boolean(),
  });
  await fc.assert(
    fc.asyncProperty(cases, async ({ size, changed, finalNewline }) => {
      const before = Array.from({ length: size }, (_, i) => `line ${i}: status: todo`);
      const after = before.map((line, i) => (changed.includes(i) ? `line ${i}: status: done` : line));
      if (after.every((line, i) => line === before[i])) return;
      const [a, b] = [fileOf(before, finalNewline), fileOf(after, finalNewline)];
      await writeFile(path.join(dir, 'a'), a);
      await writeFile(path.join(dir, 'b'), b);
      const theirs = await execa('git', ['diff', '--no-index', '--no-color', '-U3', 'a', 'b'], { cwd: dir, reject: false, stripFinalNewline: false });
      // git names the enclosing "function" after a hunk's header; a writeback diff does not guess one.
      const hunks = (diff: string) => diff.slice(diff.indexOf('\n@@')).replace(/^(@@ [^@]+ @@).*$/gm, '$1');
      assert.equal(hunks(lineEditDiff('plan.md', a, b).toString()), hunks(theirs.stdout));
    }),
    { numRuns: 60 },
  );
});

test('a writeback diff names a hostile path as git does, and git applies it', async (t) => {
  const name = 'we"ird\tplan.md';
  const before = '```task\nid: A\nstatus: todo\n```';
  const dir = await tempRepo(t, { [name]: before });
  const patch = lineEditDiff(name, Buffer.from(before), Buffer.from(before.replace('todo', 'done')));
  assert.match(patch.toString(), /^diff --git "a\/we\\"ird\\tplan\.md" "b\/we\\"ird\\tplan\.md"\n/);
  assert.ok(patch.toString().endsWith('\n ```\n\\ No newline at end of file\n'), 'a last line without a newline is marked as git marks it');
  await execa('git', ['apply', '-'], { cwd: dir, input: patch });
  assert.equal(await readFile(path.join(dir, name), 'utf8'), before.replace('todo', 'done'));
});

test('every --json document opens with its schema version and kind; run --diff does not take --json', async (t) => {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const run = JSON.parse((await s.workstation.run('--fix')).stdout);
  assert.deepEqual([run.schemaVersion, run.kind, run.repo], [1, 'run', 'acme']);
  const list = JSON.parse((await s.workstation.cli('task', 'list', '--json')).stdout);
  assert.deepEqual([list.schemaVersion, list.kind, list.tasks.length], [1, 'task-list', 1]);
  const both = await s.workstation.cli('run', '--diff', '--json');
  assert.equal(both.code, 2);
  assert.match(both.stderr, /run --diff prints a unified diff .* it does not go with --json/);
});
