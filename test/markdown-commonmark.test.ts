import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Parser, type Node as CommonMarkNode } from 'commonmark';
import MarkdownIt from 'markdown-it';
import { scanMarkdown } from '../src/workplan/markdown.js';
import { parseWorkplan } from '../src/workplan/parse.js';

/**
 * The workplan scanner against a CommonMark parser (markdown-it's commonmark preset): over generated
 * documents of paragraphs, headings, HTML blocks of every kind, quotes, indented code and fences, the
 * two agree on which lines open and close a ```task block and on each one's heading.
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
  '>',
  '> # quoted heading',
  '> ```',
  '> text',
  '<br>',
  '<pre/>',
  '\u00a0',
  'Foo',
  '    - bar',
];
/** List items at the margin: the second property's, where no line below is indented into them. */
const ITEM_LINES = ['*', '- item', '2. bar', '1. one'];

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
const MARGIN_PIECES = [...PIECES.filter((piece) => !piece.startsWith(' ')), ...ITEM_LINES];

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

/** A heading's text, and a scanned title, compared by their letters and digits: the parsers' inline text differs in escapes and code spans. */
const lettersOf = (title: string | null) => title?.replace(/[^A-Za-z0-9]+/g, '') || null;

/**
 * The top-level ```task blocks of commonmark.js, the spec's reference parser, with the heading above
 * each. Used where markdown-it reads a line dedented below a list item's content without its
 * indentation (a four-space `<!DOCTYPE html>` ends the item's paragraph there), where the spec reads
 * it at the column of the item that still holds it.
 */
function commonmarkReference(text: string): Array<[number, number | null, string | null]> {
  const lines = text.split('\n');
  const found: Array<[number, number | null, string | null]> = [];
  const textOf = (node: CommonMarkNode) => {
    let out = '';
    const walker = node.walker();
    for (let step = walker.next(); step; step = walker.next())
      if (step.entering)
        out += ['text', 'code', 'html_inline'].includes(step.node.type) ? (step.node.literal ?? '') : step.node.type === 'softbreak' ? ' ' : '';
    return out;
  };
  let title: string | null = null;
  for (let node = new Parser().parse(text).firstChild; node; node = node.next) {
    if (node.type === 'heading') title = lettersOf(textOf(node));
    const [open, close] = [node.sourcepos[0][0] - 1, node.sourcepos[1][0] - 1];
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(lines[open] ?? '')?.[1];
    if (node.type !== 'code_block' || !fence || (node.info ?? '').trim().split(/\s+/)[0] !== 'task') continue;
    const last = (lines[close] ?? '').replace(/^ {0,3}/, '').trimEnd();
    const closes = close > open && last.length >= fence.length && last === fence[0]!.repeat(last.length);
    found.push([open, closes ? close : null, title]);
  }
  return found;
}

/** List markers (with the spaces after them that set the item's content column) and indentations of the lines below. */
const MARKERS = ['- ', '* ', '+\t', '1. ', '2) ', '10. ', '100. ', '   1. ', '-   ', '-      ', '-', '- - '];
const INDENTS = ['', ' ', '  ', '   ', '    ', '     ', '      ', '        ', '\t', '\t\t'];

test("lines indented into a list item are the item's: a fence there is no task and ends with the item, as CommonMark reads it", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.tuple(fc.constantFrom(...MARKERS), fc.constantFrom(...PIECES)).map(([marker, piece]) => marker + piece),
          fc.tuple(fc.constantFrom(...INDENTS), fc.constantFrom(...PIECES)).map(([indent, piece]) => indent + piece),
        ),
        { maxLength: 20 },
      ),
      (lines) => {
        const text = ['# Top', ...lines].join('\n');
        const ours = scanMarkdown(text).taskBlocks.map((b) => [b.openLine, b.closeLine, lettersOf(b.title)]);
        assert.deepEqual(ours, commonmarkReference(text), text);
      },
    ),
    { numRuns: Number(process.env.MARKDOWN_RUNS ?? 3000) },
  );
});

test("a line indented less than an item's content is read at the column of the item still holding it", () => {
  const tasks = (text: string) => scanMarkdown(text).taskBlocks.map((b) => [b.openLine, b.title]);
  // Four columns into `100. ` is still inside the item: the fence there is its paragraph's lazy text, not code,
  // and the <img> below continues that paragraph instead of opening raw HTML that would hide the task.
  assert.deepEqual(tasks('# Plan\n100. Set up the build:\n    ```sh\n<img src="diagram.png">\n```task\nid: T1\n```'), [[4, 'Plan']]);
  assert.deepEqual(tasks('# Top\n  100) x\n     ---\nStep one\n===\n```task\nid: T1\n```'), [[5, 'Top']]);
});

test('the scanner stays linear on a line of nested list markers', () => {
  // Each marker's rest was once tested whole for a thematic break: 50,000 markers took seconds.
  for (const marker of ['- ', '* ', '- * ', '1. ']) assert.equal(scanMarkdown(`${marker.repeat(100_000)}a\n\`\`\`task\nid: A\n\`\`\``).taskBlocks.length, 1);
});

test('a task fence in a block quote, a list item, raw HTML or indented as code is reported (C-28), never read', () => {
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
    '',
    '- Step one',
    '  ```task',
    '  id: IN-ITEM',
    '  ```',
    '',
    '<details>',
    '```task',
    'id: IN-DETAILS',
    '```',
    '</details>',
    '',
    '<!--',
    '```task',
    'id: COMMENTED-OUT',
    '```',
    '-->',
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
      ['C-28', 'WARN', 21],
      ['C-28', 'WARN', 26],
    ],
  );
});

test("a fence opened on a list item's line below its marker ends with the item: the task blocks below it are read", () => {
  const text = [
    '# Plan',
    '',
    '1. Set up the build:',
    '   ```sh',
    '   npm ci',
    '',
    '## T1',
    '',
    '```task',
    'id: T1',
    'status: todo',
    '```',
    '',
    '## T2',
    '',
    '```task',
    'id: T2',
    'status: done',
    '```',
  ].join('\n');
  const plan = parseWorkplan(text, 'plan.md');
  assert.deepEqual(
    plan.tasks.map((t) => [t.id, t.status, t.title]),
    [
      ['T1', 'todo', 'T1'],
      ['T2', 'done', 'T2'],
    ],
  );
  assert.deepEqual(plan.findings, []);
});

test('below a block quote, raw HTML starts a block unless it continues the quote’s paragraph', () => {
  const tasks = (above: string) => scanMarkdown(`# Top\n${above}\n\`\`\`task\nid: A\n\`\`\``).taskBlocks.length;
  for (const ended of ['>\n<span>', '> # h\n<span>', '> ```\n<span>', '<pre/>', '<div>\n\u00a0']) assert.equal(tasks(ended), 0, ended);
  assert.equal(tasks('> text\n<span>'), 1, 'a lazy line of the quote’s paragraph');
});

test('headings as CommonMark makes them: link definitions are no heading text, a list item is no setext heading', () => {
  const titles = (text: string) => scanMarkdown(`# Top\n${text}\n\`\`\`task\nid: A\n\`\`\``).taskBlocks.map((b) => b.title);
  assert.deepEqual(titles('[a]: /url\n==='), ['Top'], 'a definition alone: === is text');
  assert.deepEqual(titles('[a]: /url\nRelease\n==='), ['Release']);
  assert.deepEqual(titles('Foo\n    - bar\n==='), ['Foo - bar'], 'an indented line continues the paragraph');
  assert.deepEqual(titles('Foo\n2. bar\n==='), ['Foo 2. bar'], 'an ordered item from 2 cannot interrupt it');
  assert.deepEqual(titles('- item\n==='), ['Top'], "the item's lazy text");
  assert.deepEqual(titles('> quote\n==='), ['Top'], "the quote's lazy text");
});

test('the scanner stays linear in the length of a paragraph', () => {
  // One pass: a quote line and 20,000 underlines once took seconds (each one re-read the paragraph).
  const text = `${'a\n'.repeat(20_000)}> b\n${'===\n'.repeat(20_000)}- c\n${'===\n'.repeat(20_000)}`;
  assert.equal(scanMarkdown(text).lines.length, 60_002);
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
