import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import fc from 'fast-check';
import { STATUSES, type Status } from '../src/status.js';
import { parseWorkplan } from '../src/workplan/parse.js';
import { editStatusInText, setStatusesInBytes } from '../src/workplan/set-status.js';
import { FIXTURES } from './helpers/paths.js';

function set(text: string, id: string, status: Status): string {
  const result = editStatusInText(text, id, status);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.text;
}

test('the spec workplan: one status changes, every other byte stays', async () => {
  const text = await readFile(`${FIXTURES}CUST-WP-0026.md`, 'utf8');
  const edited = set(text, 'CUST-WP-0026-T03', 'todo');
  assert.equal(edited, text.replace(/(id: CUST-WP-0026-T03\nstatus: )done/, '$1todo'));
  assert.deepEqual(
    parseWorkplan(edited, 'p').tasks.map((t) => t.status),
    ['done', 'done', 'todo', 'done', 'done'],
  );
});

test('quotes, comments, indentation, CRLF, BOM and a missing final newline survive', () => {
  const cases: [string, string][] = [
    ['```task\nid: X\nstatus: "done"\n```', '```task\nid: X\nstatus: "todo"\n```'],
    ["```task\nid: X\nstatus: 'done'  # agreed\n```\n", "```task\nid: X\nstatus: 'todo'  # agreed\n```\n"],
    ['\uFEFF```task\r\n  id: X\r\n  status:   done\r\n```\r\n', '\uFEFF```task\r\n  id: X\r\n  status:   todo\r\n```\r\n'],
    ['```task\n{id: X, status: done}\n```', '```task\n{id: X, status: todo}\n```'],
  ];
  for (const [before, after] of cases) assert.equal(set(before, 'X', 'todo'), after);
});

test('a fence indented one to three spaces: its body reads with up to that indentation taken off, as CommonMark gives it, and only the value changes', () => {
  const cases: [string, string][] = [
    // The body as people paste it under an indented fence: one line with the fence's indentation, one without.
    ['   ```task\nid: X\n   status: done\n   ```\n', '   ```task\nid: X\n   status: todo\n   ```\n'],
    ['  ```task\n  id: X\nstatus: "done"\n  ```', '  ```task\n  id: X\nstatus: "todo"\n  ```'],
    // Deeper than the fence: YAML's own indentation, kept (the simple reader declines it, YAML reads it).
    [' ```task\n id: X\n status: {a: 1}\n tags:\n   - a\n ```\n', ''],
    [
      '  ```task\r\n  id: X\r\n  status: done # agreed\r\n  priority:\r\n    high\r\n  ```\r\n',
      '  ```task\r\n  id: X\r\n  status: todo # agreed\r\n  priority:\r\n    high\r\n  ```\r\n',
    ],
  ];
  for (const [before, after] of cases) {
    const plan = parseWorkplan(before, 'plan.md');
    if (after === '') {
      assert.equal(plan.findings[0]?.code, 'C-06', before);
      continue;
    }
    assert.deepEqual(plan.findings, [], before);
    assert.deepEqual(
      plan.tasks.map((t) => [t.id, t.status, t.line]),
      [['X', 'done', 3]],
      before,
    );
    assert.equal(set(before, 'X', 'todo'), after);
  }
});

test('refuses an absent, duplicated or malformed task, and a file with conflict markers', () => {
  const one = '```task\nid: X\nstatus: done\n```\n';
  const refusals: [string, string, RegExp][] = [
    [one, 'Y', /not in the file/],
    [one + one, 'X', /appears 2 times/],
    ['```task\nid: X\nstatus: finished\n```\n', 'X', /malformed.*unknown status/],
    ['```task\nid: X\nstatus: |\n  done\n```\n', 'X', /malformed|one-line/],
    ['```task\nid: X\nstatus: done\n', 'X', /malformed.*never closes/],
    [`<<<<<<< HEAD\n${one}>>>>>>> b\n`, 'X', /conflict markers at line 1/],
  ];
  for (const [text, id, reason] of refusals) {
    const result = editStatusInText(text, id, 'todo');
    assert.equal(result.ok, false, `${JSON.stringify(text)} should be refused`);
    if (!result.ok) assert.match(result.reason, reason);
  }
});

test('only the five statuses are ever written: anything else is refused, naming the value', () => {
  const one = '```task\nid: X\nstatus: done\n```\n';
  for (const status of ['finished', 'done\n```\n# injected', '', 'DONE', 'todo ']) {
    const result = editStatusInText(one, 'X', status);
    assert.equal(result.ok, false, JSON.stringify(status));
    if (!result.ok) assert.match(result.reason, /is not a status \(expected todo, in_progress, blocked, done, cancelled\)/);
  }
});

test('ids are matched as YAML reads them; an id with a control character is refused, never written into a message', () => {
  const text = '```task\nid: "A\\u0042"\nstatus: todo\n```\n```task\nid: "C\\tD"\nstatus: todo\n```\n';
  assert.equal(set(text, 'AB', 'done'), text.replace('status: todo', 'status: done'));
  const tab = editStatusInText(text, 'C\tD', 'done');
  assert.equal(tab.ok, false);
  if (!tab.ok) assert.equal(tab.reason, 'task "C\\tD" has a control character in its id; its status is not written back');
});

test('many edits in one file are made from one scan; a refused one leaves the others', () => {
  const text = Array.from({ length: 50 }, (_, i) => `\`\`\`task\nid: T${i}\nstatus: todo\n\`\`\`\n`).join('\n');
  const tasks = parseWorkplan(text, 'p.md').tasks;
  const edits = [
    ...tasks.filter((_, i) => i % 2 === 0).map((t) => ({ taskId: t.id, status: 'done', line: t.line })),
    { taskId: 'T1', status: 'blocked', line: 1 }, // a stale line: found by id instead
    { taskId: 'T99', status: 'done' },
  ];
  const result = setStatusesInBytes(Buffer.from(text), edits);
  assert.deepEqual(
    result.refused.map((r) => [r.edit.taskId, r.reason]),
    [['T99', "task 'T99' is not in the file"]],
  );
  const after = parseWorkplan(result.bytes.toString(), 'p.md').tasks;
  assert.deepEqual(
    after.map((t) => t.status),
    tasks.map((_, i) => (i === 1 ? 'blocked' : i % 2 === 0 ? 'done' : 'todo')),
  );
});

test('bytes that are not UTF-8 before a status value on its own line refuse that task alone; elsewhere they stay', () => {
  const bytes = Buffer.concat([
    Buffer.from('```task\n{id: X, note: "'),
    Buffer.from([0xff]),
    Buffer.from('", status: todo}\n```\n\xe9\n```task\nid: Y\nstatus: todo # '),
    Buffer.from([0xfe, 0x0a]),
    Buffer.from('```\n'),
  ]);
  const result = setStatusesInBytes(bytes, [
    { taskId: 'X', status: 'done', line: 2 },
    { taskId: 'Y', status: 'done', line: 7 },
  ]);
  assert.deepEqual(
    result.refused.map((r) => r.reason),
    ["line 2 holds bytes that are not UTF-8 before the status of task 'X'"],
  );
  assert.deepEqual(result.bytes, Buffer.from(bytes.toString('latin1').replace('status: todo #', 'status: done #'), 'latin1'));
});

// --- property-based: generated workplans ---------------------------------------------------
const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 _.,é漢😀-]{0,20}$/u);
const prose = fc
  .array(fc.oneof(word, fc.constant('status: done'), fc.constant('id: T-1'), fc.constant('# not a heading?')), { maxLength: 4 })
  .map((l) => l.join('\n'));
const heading = fc.tuple(fc.integer({ min: 1, max: 6 }), word).map(([n, w]) => `${'#'.repeat(n)} ${w.trim() || 'x'}`);
const otherFence = fc.tuple(fc.constantFrom('```python', '```', '~~~yaml', '````markdown'), prose).map(([open, body]) => {
  const close = open.startsWith('~') ? '~~~' : open.startsWith('````') ? '````' : '```';
  return `${open}\n${body}\nstatus: todo\n\`\`\`task\nid: FAKE\nstatus: done\n${close === '```' ? '' : '```\n'}${close}`;
});
const statusValue = fc
  .tuple(fc.constantFrom(...STATUSES), fc.constantFrom('plain', 'double', 'single'))
  .map(([s, q]) => (q === 'plain' ? s : q === 'double' ? `"${s}"` : `'${s}'`));
const taskBlock = (id: string) =>
  fc
    .record({
      status: statusValue,
      indent: fc.constantFrom('', '  '),
      comment: fc.constantFrom('', ' # note', '  # status: todo'),
      extra: fc.constantFrom('', 'priority: high\n', 'owner: "ann"\nnotes: "status: done"\n', 'state_hub_task_id: "abc"\n'),
      statusFirst: fc.boolean(),
    })
    .map(({ status, indent, comment, extra, statusFirst }) => {
      const idLine = `${indent}id: ${id}\n`;
      const statusLine = `${indent}status: ${status}${comment}\n`;
      const body = statusFirst ? statusLine + idLine : idLine + statusLine;
      return `\`\`\`task\n${body}${extra.replace(/^/gm, indent).replace(new RegExp(`${indent}$`), '')}\`\`\``;
    });
const generatedWorkplan = fc
  .record({
    front: fc.constantFrom('', '---\ntype: workplan\ntitle: "Plan: status"\n---\n'),
    bom: fc.boolean(),
    crlf: fc.boolean(),
    finalNewline: fc.boolean(),
    parts: fc.array(fc.oneof(prose, heading, otherFence), { maxLength: 6 }),
    taskCount: fc.integer({ min: 1, max: 4 }),
  })
  .chain((r) =>
    fc.tuple(
      fc.constant(r),
      fc.tuple(...Array.from({ length: r.taskCount }, (_, i) => taskBlock(`T-${i + 1}`))),
      fc.array(fc.integer({ min: 0, max: 100 }), { minLength: r.taskCount, maxLength: r.taskCount }),
    ),
  )
  .map(([r, blocks, positions]) => {
    const parts = [...r.parts];
    for (const [i, b] of blocks.entries()) parts.splice(positions[i]! % (parts.length + 1), 0, b);
    let text = r.front + parts.join('\n\n');
    if (r.finalNewline) text += '\n';
    if (r.crlf) text = text.replace(/\n/g, '\r\n');
    return { text: (r.bom ? '\uFEFF' : '') + text, taskCount: r.taskCount };
  });

test('property: editStatusInText changes only the status value, re-parses to the new status, and is idempotent', () => {
  fc.assert(
    fc.property(generatedWorkplan, fc.integer({ min: 1, max: 4 }), fc.constantFrom(...STATUSES), ({ text, taskCount }, pick, status) => {
      const id = `T-${((pick - 1) % taskCount) + 1}`;
      const before = parseWorkplan(text, 'p.md');
      assert.deepEqual(before.findings, []);
      assert.equal(before.tasks.length, taskCount);
      const once = set(text, id, status);
      assert.equal(set(once, id, status), once, 'applying twice equals applying once');

      const after = parseWorkplan(once, 'p.md');
      assert.deepEqual(after.findings, []);
      for (const [i, task] of after.tasks.entries()) {
        const old = before.tasks[i]!;
        assert.equal(task.status, task.id === id ? status : old.status);
        assert.deepEqual({ ...task.fields, status: null }, { ...old.fields, status: null });
        assert.equal(task.line, old.line);
        assert.equal(task.title, old.title);
      }
      // Only the bytes of the one value differ: same prefix and suffix around a status word.
      let start = 0;
      while (start < text.length && text[start] === once[start]) start++;
      let endOld = text.length;
      let endNew = once.length;
      while (endOld > start && endNew > start && text[endOld - 1] === once[endNew - 1]) {
        endOld--;
        endNew--;
      }
      const changedOld = text.slice(start, endOld);
      const changedNew = once.slice(start, endNew);
      assert.ok(/^[a-z_]*$/.test(changedOld) && /^[a-z_]*$/.test(changedNew), `changed ${JSON.stringify(changedOld)} → ${JSON.stringify(changedNew)}`);
    }),
    { numRuns: 1000 },
  );
});
