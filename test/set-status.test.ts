import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import fc from 'fast-check';
import { STATUSES, type Status } from '../src/status.js';
import { parseWorkplan } from '../src/workplan/parse.js';
import { setStatus } from '../src/workplan/set-status.js';
import { FIXTURES } from './helpers/paths.js';

function set(text: string, id: string, status: Status): string {
  const result = setStatus(text, id, status);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.text;
}

test('the spec workplan: one status changes, every other byte stays', async () => {
  const text = await readFile(`${FIXTURES}CUST-WP-0026.md`, 'utf8');
  const edited = set(text, 'CUST-WP-0026-T03', 'todo');
  assert.equal(edited, text.replace(/(id: CUST-WP-0026-T03\nstatus: )done/, '$1todo'));
  assert.deepEqual(parseWorkplan(edited, 'p').tasks.map((t) => t.status), ['done', 'done', 'todo', 'done', 'done']);
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
    const result = setStatus(text, id, 'todo');
    assert.equal(result.ok, false, `${JSON.stringify(text)} should be refused`);
    if (!result.ok) assert.match(result.reason, reason);
  }
});

// --- property-based: generated workplans ---------------------------------------------------
const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 _.,é漢😀-]{0,20}$/u);
const prose = fc.array(fc.oneof(word, fc.constant('status: done'), fc.constant('id: T-1'), fc.constant('# not a heading?')), { maxLength: 4 }).map((l) => l.join('\n'));
const heading = fc.tuple(fc.integer({ min: 1, max: 6 }), word).map(([n, w]) => `${'#'.repeat(n)} ${w.trim() || 'x'}`);
const otherFence = fc.tuple(fc.constantFrom('```python', '```', '~~~yaml', '````markdown'), prose).map(([open, body]) => {
  const close = open.startsWith('~') ? '~~~' : open.startsWith('````') ? '````' : '```';
  return `${open}\n${body}\nstatus: todo\n\`\`\`task\nid: FAKE\nstatus: done\n${close === '```' ? '' : '```\n'}${close}`;
});
const statusValue = fc.tuple(fc.constantFrom(...STATUSES), fc.constantFrom('plain', 'double', 'single')).map(([s, q]) => (q === 'plain' ? s : q === 'double' ? `"${s}"` : `'${s}'`));
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
    fc.tuple(fc.constant(r), fc.tuple(...Array.from({ length: r.taskCount }, (_, i) => taskBlock(`T-${i + 1}`))), fc.array(fc.integer({ min: 0, max: 100 }), { minLength: r.taskCount, maxLength: r.taskCount })),
  )
  .map(([r, blocks, positions]) => {
    const parts = [...r.parts];
    for (const [i, b] of blocks.entries()) parts.splice(positions[i]! % (parts.length + 1), 0, b);
    let text = r.front + parts.join('\n\n');
    if (r.finalNewline) text += '\n';
    if (r.crlf) text = text.replace(/\n/g, '\r\n');
    return { text: (r.bom ? '\uFEFF' : '') + text, taskCount: r.taskCount };
  });

test('property: setStatus changes only the status value, re-parses to the new status, and is idempotent', () => {
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
