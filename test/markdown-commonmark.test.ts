import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { scanMarkdown } from '../src/workplan/markdown.js';
import { parseWorkplan } from '../src/workplan/parse.js';

/**
 * The workplan scanner against a CommonMark parser (markdown-it's commonmark preset): over generated
 * documents of paragraphs, headings, HTML blocks of every kind, quotes, indented code and fences, the
 * two agree on which lines open and close a ```task block and on each one's heading. (List items are left
 * out: a fence indented one to three spaces under one is read as a task, which CommonMark nests in the item.)
 */
const commonmark = new MarkdownIt('commonmark');

const PIECES = [
  '',
  '',
  'Some text',
  'text <b>inline</b>',
  '> quote',
  '    indented',
  '# Heading one',
  '## Two ##',
  '===',
  '---',
  '***',
  '<details>',
  '</details>',
  '<div class="x">',
  '<summary>More</summary>',
  '<pre>',
  '</pre>',
  '<script>',
  '</script>',
  '<!--',
  '-->',
  '<!-- note -->',
  '<?php',
  '?>',
  '<!DOCTYPE html>',
  '<![CDATA[',
  ']]>',
  '<span>',
  '</span>',
  '<a href="x" title=\'y\'>',
  '<custom-tag/>',
  '<pre-x>',
  '```task',
  '```task extra',
  '   ```task',
  '```',
  '~~~task',
  '~~~',
  '````task',
  '````',
  '```js',
  'id: A',
  'status: todo',
];

function reference(text: string): Array<[number, number | null, string | null]> {
  const lines = text.split('\n');
  const found: Array<[number, number | null, string | null]> = [];
  let title: string | null = null;
  const tokens = commonmark.parse(text, {});
  tokens.forEach((token, i) => {
    if (token.level !== 0) return;
    if (token.type === 'heading_open') title = tokens[i + 1]!.content.replace(/\s+/g, ' ').trim() || null;
    if (token.type !== 'fence' || token.info.trim().split(/\s+/)[0] !== 'task') return;
    const [open, next] = token.map!;
    const last = lines[next - 1]!.replace(/^ {0,3}/, '').trimEnd();
    const closes = next - 1 > open && last.length >= token.markup.length && last === token.markup[0]!.repeat(last.length);
    found.push([open, closes ? next - 1 : null, title]);
  });
  return found;
}

test('the scanner finds the task blocks and headings a CommonMark parser finds', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }), (pieces) => {
      // A heading first: a leading --- would be front matter, which CommonMark does not know.
      const text = ['# Top', ...pieces].join('\n');
      const ours = scanMarkdown(text).taskBlocks.map((b) => [b.openLine, b.closeLine, b.title?.replace(/\s+/g, ' ') ?? null]);
      assert.deepEqual(ours, reference(text), text);
    }),
    { numRuns: 3000 },
  );
});

/** List items whose fence opens on the marker's line, as units, among lines that start at the margin. */
const ITEM_UNITS = [
  ['- ```js', '  code', '  ```'],
  ['- ```task', '  id: A', '  status: todo', '  ```'],
  ['1. ```task', '   id: B'],
  ['+ ```js', '', '  ```'],
  ['* ~~~task', '  ```', '  ~~~'],
];
const MARGIN_PIECES = PIECES.filter((piece) => !piece.startsWith(' '));

test("a list item's fence is the item's: no task, and it ends with the item, as CommonMark reads it", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.constantFrom(...ITEM_UNITS),
          fc.constantFrom(...MARGIN_PIECES).map((p) => [p]),
        ),
        { maxLength: 16 },
      ),
      (units) => {
        const text = ['# Top', ...units.flat()].join('\n');
        const ours = scanMarkdown(text).taskBlocks.map((b) => [b.openLine, b.closeLine, b.title?.replace(/\s+/g, ' ') ?? null]);
        assert.deepEqual(ours, reference(text), text);
      },
    ),
    { numRuns: 3000 },
  );
});

test('a task fence in a block quote, on a list marker or indented as code is reported (C-28), never read', () => {
  const text = [
    '# Plan',
    '',
    '> ```task',
    '> id: QUOTED',
    '> ```',
    '',
    '- ```task',
    '  id: LISTED',
    '  ```',
    '',
    '    ```task',
    '    id: CODE',
    '    ```',
    '',
    '```task',
    'id: READ',
    'status: todo',
    '```',
  ].join('\n');
  const plan = parseWorkplan(text, 'plan.md');
  assert.deepEqual(
    plan.tasks.map((t) => t.id),
    ['READ'],
  );
  assert.deepEqual(
    plan.findings.map((f) => [f.code, f.severity, f.line]),
    [
      ['C-28', 'WARN', 3],
      ['C-28', 'WARN', 7],
      ['C-28', 'WARN', 11],
    ],
  );
});

test('a task fence inside raw HTML is no task, and one after the blank line that ends the HTML is', () => {
  const block = (id: string) => `\`\`\`task\nid: ${id}\nstatus: todo\n\`\`\``;
  const text = [
    'Release',
    '=======',
    '<details>',
    block('IN-DETAILS'),
    '</details>',
    '',
    '<pre>',
    '',
    block('IN-PRE'),
    '</pre>',
    '<?xml version="1.0"?>',
    '<![CDATA[',
    block('IN-CDATA'),
    ']]>',
    '<div>',
    '',
    block('AFTER-BLANK'),
  ].join('\n');
  const plan = parseWorkplan(text, 'plan.md');
  assert.deepEqual(
    plan.tasks.map((t) => [t.id, t.title]),
    [['AFTER-BLANK', 'Release']],
  );
});
