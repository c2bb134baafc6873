import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { parseConfig } from '../src/config-schema.js';
import { printable } from '../src/output/printable.js';
import { parseWorkplan } from '../src/workplan/parse.js';
import { runCli } from './helpers/cli.js';
import { tempDir, tempRepo } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

const isolated = async (t: TestContext) => ({ XDG_STATE_HOME: await tempDir(t) });
const block = (title: string, body: string) => `### ${title}\n\n\`\`\`task\n${body}\`\`\`\n\n`;
/** A task block whose YAML expands 101 aliases: past yaml's limit against "billion laughs". */
const ALIASES = `anchor: &a x\nlist: [${Array.from({ length: 101 }, () => '*a').join(', ')}]\n`;

test('a task block with more than 100 aliases is C-02 for that block; the other tasks sync', async (t) => {
  const text = `# Plan\n\n${block('Bomb', `id: BOMB\nstatus: todo\n${ALIASES}`)}${block('Fine', 'id: FINE\nstatus: todo\n')}`;
  const plan = parseWorkplan(text, 'plan.md');
  assert.deepEqual(
    plan.findings.map((f) => [f.code, f.line, f.taskId]),
    [['C-02', 5, 'BOMB']],
  );
  assert.match(plan.findings[0]!.message, /alias/i);
  assert.deepEqual(
    plan.tasks.map((t) => t.id),
    ['FINE'],
  );
  assert.deepEqual(plan.unreadableIds, ['BOMB'], 'never flagged as missing from the files');

  const repo = await tempRepo(t, { 'plan.md': text });
  const result = await runCli(repo, ['run', '--fix', '--json'], await isolated(t));
  assert.equal(result.code, 1, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.deepEqual(
    report.actions.map((a: { type: string; taskId: string }) => [a.type, a.taskId]),
    [['create', 'FINE']],
  );
});

test('more than 100 aliases in .custodian.yml or in front matter is a clear error, not a crash', async (t) => {
  assert.throws(() => parseConfig(ALIASES), /^UserError: \.custodian\.yml:1: .*alias/i);
  const plan = parseWorkplan(`---\n${ALIASES}---\n\n${block('Fine', 'id: FINE\nstatus: todo\n')}`, 'plan.md');
  assert.deepEqual(
    plan.findings.map((f) => [f.code, f.line]),
    [['C-01', 1]],
  );
  assert.deepEqual(
    plan.tasks.map((t) => t.id),
    ['FINE'],
  );

  const repo = await tempRepo(t, { 'plan.md': workplan([{ id: 'A', status: 'todo' }]), '.custodian.yml': ALIASES });
  const result = await runCli(repo, ['run', '--fix'], await isolated(t));
  assert.equal(result.code, 2, 'a configuration error');
  assert.match(result.stderr, /^custodian-hooks: \.custodian\.yml:1: .*alias/i);
  assert.doesNotMatch(result.stderr, /this is a bug/);
});

test('C-09: ids, titles and priorities the hub cannot store are refused per task, by position', () => {
  const cases: [string, string, RegExp][] = [
    ['a lone surrogate id', block('T', 'id: "\\uD800"\nstatus: todo\n'), /task id "\\ud800" is not valid Unicode/],
    ['a NUL in an id', block('T', 'id: "a\\0b"\nstatus: todo\n'), /task id "a\\u0000b" contains a control character/],
    ['a tab in an id', block('T', 'id: "a\\tb"\nstatus: todo\n'), /task id "a\\tb" contains a control character/],
    ['a newline in an id', block('T', 'id: "a\\nb"\nstatus: todo\n'), /task id "a\\nb" contains a control character/],
    ['the id ".."', block('T', 'id: ".."\nstatus: todo\n'), /task id "\.\." cannot be addressed in a URL/],
    ['an id over 200 characters', block('T', `id: ${'x'.repeat(201)}\nstatus: todo\n`), /is longer than 200 characters/],
    ['a NUL in a heading', block('T\0itle', 'id: X\nstatus: todo\n'), /task 'X': title holds a NUL character/],
    ['a lone surrogate priority', block('T', 'id: X\nstatus: todo\npriority: "\\uDC00"\n'), /task 'X': priority is not valid Unicode/],
  ];
  for (const [name, body, message] of cases) {
    const plan = parseWorkplan(`# Plan\n\n${block('Fine', 'id: FINE\nstatus: done\n')}${body}`, 'plan.md');
    assert.deepEqual(
      plan.tasks.map((t) => t.id),
      ['FINE'],
      name,
    );
    assert.deepEqual(
      plan.findings.map((f) => [f.code, f.severity, f.line]),
      [['C-09', 'FAIL', 12]],
      name,
    );
    assert.match(plan.findings[0]!.message, message, name);
  }

  const front = parseWorkplan(`---\nid: "\\uD800"\ntitle: "a\\0b"\n---\n${block('Fine', 'id: FINE\nstatus: done\n')}`, 'plan.md');
  assert.deepEqual(
    front.findings.map((f) => [f.code, f.line]),
    [['C-09', 1]],
  );
  assert.match(front.findings[0]!.message, /front matter id is not valid Unicode.*; title holds a NUL/);
  assert.deepEqual([front.frontMatter.id, front.frontMatter.title], [undefined, undefined], 'the path stands in for the workplan');
  assert.deepEqual(
    front.tasks.map((t) => t.id),
    ['FINE'],
  );
});

test('a task with an unstorable id does not stop the rest of the repo from syncing, run after run', async (t) => {
  const text = `# Plan\n\n${block('Bad', 'id: "\\uD800"\nstatus: todo\n')}${block('Nul', 'id: X\nstatus: todo\n').replace('Nul', 'N\0l')}${block('Fine', 'id: FINE\nstatus: todo\n')}`;
  const repo = await tempRepo(t, { 'plan.md': text });
  const env = await isolated(t);
  for (let run = 0; run < 2; run++) {
    const result = await runCli(repo, ['run', '--fix', '--json'], env);
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(report.findings.map((f: { code: string }) => f.code).sort(), run === 0 ? ['C-09', 'C-09', 'C-20'] : ['C-09', 'C-09']);
    assert.deepEqual(
      report.actions.map((a: { type: string; taskId: string }) => [a.type, a.taskId]),
      run === 0 ? [['create', 'FINE']] : [],
    );
  }
  const list = await runCli(repo, ['task', 'list', '--json'], env);
  assert.deepEqual(
    JSON.parse(list.stdout).tasks.map((task: { id: string }) => task.id),
    ['FINE'],
  );
});

test('run --repo with a slug that names an Object property finds no repo, and says so', async (t) => {
  const env = await isolated(t);
  const repo = await tempRepo(t, { 'plan.md': workplan([{ id: 'A', status: 'todo' }]), '.custodian.yml': 'repo: __proto__\n' });
  assert.equal((await runCli(repo, ['run'], env)).code, 0, 'registers __proto__ as an ordinary slug');
  for (const slug of ['constructor', 'toString', 'hasOwnProperty']) {
    const result = await runCli(await tempDir(t), ['run', '--repo', slug], env);
    assert.equal(result.code, 2, `${slug}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`no repo registered as '${slug}'`));
  }
  const found = await runCli(await tempDir(t), ['run', '--repo', '__proto__', '--json'], env);
  assert.equal(found.code, 0, found.stderr);
  assert.equal(JSON.parse(found.stdout).repo, '__proto__');
});

test('control characters in file names and ids are printed escaped, never as terminal escapes', async (t) => {
  assert.equal(printable('plan\x1b[2J\x9b.md\n'), 'plan\\u001b[2J\\u009b.md\\u000a');
  assert.equal(printable('ordinary — ünïcode ✓'), 'ordinary — ünïcode ✓');

  const repo = await tempRepo(t, {
    'plan\x1b[31mred.md': workplan([
      { id: 'A', status: 'todo' },
      { id: 'B', status: 'finished' },
    ]),
  });
  const env = await isolated(t);
  for (const args of [['run', '--fix', '--verbose'], ['run']]) {
    const result = await runCli(repo, args, env);
    assert.ok(!(result.stdout + result.stderr).includes('\x1b'), args.join(' '));
    assert.match(result.stdout, /plan\\u001b\[31mred\.md:21 .*'B' has unknown status/);
  }
});
