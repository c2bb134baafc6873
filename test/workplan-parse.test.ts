import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { collectTasks } from '../src/workplan/collect.js';
import { parseWorkplan } from '../src/workplan/parse.js';
import { FIXTURES } from './helpers/paths.js';

test('the spec workplan parses into its five done tasks with titles and status lines', async () => {
  const text = await readFile(`${FIXTURES}CUST-WP-0026.md`, 'utf8');
  const plan = parseWorkplan(text, 'CUST-WP-0026.md');
  assert.deepEqual(plan.findings, []);
  assert.equal(plan.isWorkplan, true);
  assert.equal(plan.frontMatter.id, 'CUST-WP-0026');
  assert.deepEqual(
    plan.tasks.map((t) => [t.id, t.status, t.title, t.line, t.priority]),
    [
      ['CUST-WP-0026-T01', 'done', 'T01 — No-regress rule in consistency_check.py', 70, 'high'],
      ['CUST-WP-0026-T02', 'done', 'T02 — Git pull gate before --fix', 103, 'high'],
      ['CUST-WP-0026-T03', 'done', 'T03 — DB→file status writeback', 141, 'medium'],
      ['CUST-WP-0026-T04', 'done', 'T04 — Session protocol update', 185, 'medium'],
      ['CUST-WP-0026-T05', 'done', 'T05 — Makefile: fix-consistency-remote target', 220, 'low'],
    ],
  );
  assert.equal(plan.tasks[0]!.hubId, '34a76f4c-ad3f-4780-ad62-1e788ceca224');
  // The ```python and ```makefile blocks in the prose are not tasks.
  assert.equal(plan.tasks.length, 5);
});

const block = (body: string) => `# Plan\n\n### A task\n\n\`\`\`task\n${body}\`\`\`\n`;

test('finding C-01: unreadable front matter is reported at line 1 and its tasks are still read', () => {
  const plan = parseWorkplan(`---\ntype: workplan\nbad: [unclosed\n---\n${block('id: X\nstatus: todo\n')}`, 'docs/plan.md');
  assert.deepEqual(
    plan.findings.map((f) => [f.code, f.severity, f.file, f.line]),
    [['C-01', 'FAIL', 'docs/plan.md', 1]],
  );
  assert.deepEqual(
    plan.tasks.map((t) => [t.id, t.line]),
    [['X', 11]],
  );
});

const cases: { name: string; text: string; code: string; line: number }[] = [
  { name: 'invalid YAML in a task block', text: block('id: X\nstatus: todo\n  broken: : :\n'), code: 'C-02', line: 7 },
  { name: 'a task block that is a list, not a mapping', text: block('- id: X\n- status: todo\n'), code: 'C-02', line: 5 },
  { name: 'a block that never closes', text: '# Plan\n\n```task\nid: X\nstatus: todo\n', code: 'C-03', line: 3 },
  { name: 'a task without id', text: block('status: todo\n'), code: 'C-04', line: 5 },
  { name: 'an unknown status', text: block('id: X\npriority: high\nstatus: finished\n'), code: 'C-06', line: 8 },
  { name: 'a status that is a list', text: block('id: X\nstatus: [todo]\n'), code: 'C-06', line: 7 },
  { name: 'a status given through a YAML alias', text: block('id: X\npriority: &p todo\nstatus: *p\n'), code: 'C-06', line: 8 },
  { name: 'a task without status', text: block('id: X\npriority: high\n'), code: 'C-07', line: 5 },
  { name: 'an empty status', text: block('id: X\nstatus:\n'), code: 'C-07', line: 5 },
  {
    name: 'conflict markers',
    text: `# Plan\n\n<<<<<<< HEAD\n${block('id: X\nstatus: todo\n')}=======\n${block('id: X\nstatus: done\n')}>>>>>>> other\n`,
    code: 'C-08',
    line: 3,
  },
];

test('one conflict marker alone is Markdown, not a conflict: a blockquote seven deep, an example of git output', () => {
  for (const text of [
    `>>>>>>> quoted seven levels deep\n\n${block('id: X\nstatus: todo\n')}`,
    `\`\`\`text\n<<<<<<< HEAD\n\`\`\`\n\n${block('id: X\nstatus: todo\n')}`,
  ]) {
    const plan = parseWorkplan(text, 'docs/plan.md');
    assert.deepEqual(plan.findings, [], text);
    assert.deepEqual(
      plan.tasks.map((t) => t.id),
      ['X'],
    );
  }
  const halfResolved = `<<<<<<< HEAD\n${block('id: X\nstatus: todo\n')}>>>>>>> other\n`;
  assert.deepEqual(
    parseWorkplan(halfResolved, 'docs/plan.md').findings.map((f) => [f.code, f.line]),
    [['C-08', 1]],
    'a conflict whose separator a person took out is still one',
  );
});

for (const c of cases) {
  test(`finding ${c.code}: ${c.name}, with file and line, task skipped`, () => {
    const plan = parseWorkplan(c.text, 'docs/plan.md');
    assert.equal(plan.findings.length, 1, JSON.stringify(plan.findings));
    const [finding] = plan.findings;
    assert.equal(finding!.code, c.code);
    assert.equal(finding!.severity, 'FAIL');
    assert.equal(finding!.file, 'docs/plan.md');
    assert.equal(finding!.line, c.line);
    assert.deepEqual(plan.tasks, []);
  });
}

test('an id YAML reads as a number is the id as written: 2.1 and 2.10 are two tasks, 007 is not 7', () => {
  const ids = ['2.1', '2.10', '007', '0x1F', '1e3', '12345678901234567891', '.inf'];
  const parsed = parseWorkplan(ids.map((id) => block(`id: ${id}\nstatus: todo\n`)).join('\n'), 'docs/plan.md');
  assert.deepEqual(parsed.findings, []);
  assert.deepEqual(
    parsed.tasks.map((t) => t.id),
    ids,
  );
  // Quoted, it was always a string; a boolean or null is no id.
  assert.deepEqual(
    parseWorkplan(block('id: "007"\nstatus: todo\n'), 'p.md').tasks.map((t) => t.id),
    ['007'],
  );
  assert.match(parseWorkplan(block('id: true\nstatus: todo\n'), 'p.md').findings[0]!.message, /no id/);
});

test("C-02 names the file's line of a block's YAML error and says the reason whole, without yaml's own count from the block", () => {
  const text = `# Plan\n\nSome prose.\n\n${block('id: X\npriority: low\nstatus: [oops\nowner: me\n')}`;
  const [finding] = parseWorkplan(text, 'docs/plan.md').findings;
  assert.equal(finding!.code, 'C-02');
  assert.equal(finding!.line, text.split('\n').indexOf('owner: me') + 1, 'where yaml noticed it, counted in the file');
  assert.match(finding!.message, /^invalid YAML in task block: Flow sequence in block collection must be sufficiently indented and end with a \]$/);
  const [duplicate] = parseWorkplan(block('id: X\nstatus: todo\nid: Y\n'), 'p.md').findings;
  assert.equal(duplicate!.message, 'invalid YAML in task block: Map keys must be unique');
});

test('a status given through a YAML alias is named as one, not as a collection', () => {
  const [finding] = parseWorkplan(block('id: X\npriority: &p todo\nstatus: *p\n'), 'docs/plan.md').findings;
  assert.match(finding!.message, /task 'X' gives its status through a YAML alias: write the status itself there/);
});

test('finding C-05: a duplicate id anywhere in the repo names both places and skips both', () => {
  const a = parseWorkplan(block('id: X\nstatus: todo\n'), 'a.md');
  const b = parseWorkplan(`intro\n\n${block('id: X\nstatus: done\n')}`, 'b.md');
  const c = parseWorkplan(block('id: Y\nstatus: done\n'), 'c.md');
  const set = collectTasks([a, b, c]);
  assert.deepEqual(
    set.tasks.map((t) => t.id),
    ['Y'],
  );
  assert.deepEqual(set.unreadableIds, ['X']);
  assert.deepEqual(
    set.findings.map((f) => [f.code, f.file, f.line, f.taskId]),
    [
      ['C-05', 'a.md', 7, 'X'],
      ['C-05', 'b.md', 9, 'X'],
    ],
  );
  assert.match(set.findings[0]!.message, /a\.md:7, b\.md:9/);
});

test('malformed blocks keep their id as unreadable so they are never reported missing', () => {
  const plan = parseWorkplan(block('id: X\nstatus: finished\n') + block('id: "Y"\nstatus: todo\n  bad: : x\n'), 'p.md');
  assert.deepEqual(plan.unreadableIds, ['X', 'Y']);
});

test('task blocks inside longer fences, tilde fences and front matter are not tasks', () => {
  const text = [
    '---',
    'type: workplan',
    'note: "```task"',
    '---',
    '## Example',
    '````markdown',
    '```task',
    'id: NOT-A-TASK',
    'status: todo',
    '```',
    '````',
    '~~~task',
    'id: TILDE',
    'status: blocked',
    '~~~',
    '',
  ].join('\n');
  const plan = parseWorkplan(text, 'p.md');
  assert.deepEqual(plan.findings, []);
  assert.deepEqual(
    plan.tasks.map((t) => [t.id, t.status, t.title, t.line]),
    [['TILDE', 'blocked', 'Example', 14]],
  );
});

test('a file with front matter type: workplan and no tasks is a workplan; plain markdown is not', () => {
  assert.equal(parseWorkplan('---\ntype: workplan\n---\n# Empty\n', 'p.md').isWorkplan, true);
  assert.equal(parseWorkplan('# Readme\n\n```js\nstatus: 1\n```\n', 'r.md').isWorkplan, false);
});

test('CRLF and BOM files give the same tasks and lines', () => {
  const lf = block('id: X\nstatus: "in_progress" # working on it\n');
  const crlf = `\uFEFF${lf.replace(/\n/g, '\r\n')}`;
  const a = parseWorkplan(lf, 'p.md').tasks;
  const b = parseWorkplan(crlf, 'p.md').tasks;
  assert.deepEqual(
    b.map((t) => [t.id, t.status, t.line, t.title]),
    a.map((t) => [t.id, t.status, t.line, t.title]),
  );
  assert.equal(b[0]!.status, 'in_progress');
});
