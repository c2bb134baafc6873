import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isMap, isScalar, parse, parseDocument } from 'yaml';
import { splitLines } from '../src/workplan/markdown.js';
import { simpleMapping, valuesOf } from '../src/workplan/simple-mapping.js';

/** A body's lines as the scan of its file gives them. */
const readSimply = (body: string) => simpleMapping(splitLines(body));

const STYLE = { PLAIN: 'plain', QUOTE_DOUBLE: 'double', QUOTE_SINGLE: 'single' } as Record<string, string>;

/** Holds the simple reader to YAML: whatever it reads, YAML reads alike, value, place and style. */
function agreesWithYaml(body: string): boolean {
  const simple = readSimply(body);
  if (simple === null) return false;
  const doc = parseDocument(body);
  assert.deepEqual(doc.errors, [], `YAML refuses what the simple reader read: ${JSON.stringify(body)}`);
  assert.deepEqual(doc.warnings, [], `YAML warns of what the simple reader read: ${JSON.stringify(body)}`);
  assert.ok(isMap(doc.contents));
  assert.deepEqual(valuesOf(simple), doc.toJS(), `values differ for ${JSON.stringify(body)}`);
  assert.deepEqual(valuesOf(simple), parse(body), `front matter values differ for ${JSON.stringify(body)}`);
  for (const [key, read] of simple) {
    const node: unknown = doc.contents.get(key, true);
    assert.ok(isScalar(node), `${key} is a scalar`);
    assert.deepEqual([read.start, read.end, read.style], [node.range![0], node.range![1], STYLE[node.type!]], `${key}'s place in ${JSON.stringify(body)}`);
  }
  return true;
}

test('the shape of real task blocks and front matter is read without a YAML parser, exactly as YAML reads it', () => {
  for (const body of [
    'id: CUST-WP-0026-T01\nstatus: in_progress        # todo, in_progress, blocked, done or cancelled\npriority: high\n',
    'id: WP-0001-T3\nstatus: todo\npriority: medium\nstate_hub_task_id: "34a76f4c-ad3f-4780-ad62-1e788ceca224"\n',
    "id: A\r\nstatus: 'done'   # shipped in v1.2\r\n\r\n# a note\r\nowner: Jane Doe\r\n",
    'id: WP-0001\ntype: workplan\ntitle: "Workplan 1: the plan"\nstatus: active',
  ]) {
    assert.ok(agreesWithYaml(body), `read simply: ${JSON.stringify(body)}`);
  }
});

test('anything past the simple shape is left to YAML', () => {
  for (const body of [
    'id: 12\nstatus: todo\n',
    'id: A\nstatus: true\n',
    'id: A\nstatus: done\nstatus: todo\n',
    'id: A\n  status: todo\n',
    'id: A\nstatus: "do\\u006ee"\n',
    "id: A\nstatus: 'don''e'\n",
    'id: A\nstatus: [done]\n',
    'id: A\nstatus: &s done\n',
    'id: A\nstatus: !!str done\n',
    'id: A\nstatus:\tdone\n',
    'id: A\nstatus: done #\u00e9\n',
    'id: A\ntitle: Café\n',
    '# only a comment\n',
    '',
    '---\nid: A\n',
    '__proto__: x\n',
  ]) {
    assert.equal(readSimply(body), null, JSON.stringify(body));
  }
});

/** Mostly what the simple reader reads, now and then what it must leave to YAML. */
const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => fc.oneof({ weight: 12, arbitrary: usual }, { weight: 1, arbitrary: odd });
const pieces = {
  key: mostly(
    fc.constantFrom('id', 'status', 'priority', 'title', 'a-b', 'x_1', 'constructor'),
    fc.constantFrom('Null', 'true', 'on', '__proto__', 'k'.repeat(130), 'a b', '-a', '? a', ''),
  ),
  gap: mostly(fc.constantFrom(' ', '  '), fc.constantFrom('\t', '', ' \t')),
  value: mostly(
    fc.constantFrom(
      'todo',
      'done',
      'in_progress',
      'yes',
      'no',
      'e5',
      'a b',
      'v1.2',
      'a -b',
      'a/b.c',
      'a- b',
      'a . b',
      'x-',
      'a_',
      '"x"',
      "'x'",
      '""',
      "''",
      '"a # b"',
      '"\'"',
      "'\"'",
      '"Workplan 1: the plan"',
    ),
    fc.oneof(
      fc.constantFrom('null', 'NULL', 'True', '123', '0x1f', '1.5', '1e5', '.inf', '.nan', '~', '', 'a  b', '-x', 'a: b', 'a:b', 'a #b', 'a#b', 'Café', 'a ,b'),
      fc.constantFrom(
        '"a\\"b"',
        '"a\\nb"',
        "'a''b'",
        '"a',
        "'a",
        '"a"b"',
        '[a, b]',
        '{a: 1}',
        '&x a',
        '*x',
        '!!str 5',
        '|',
        '>',
        '- a',
        '%a',
        '@a',
        '`a',
        'a\u00a0b',
      ),
      fc.string({ maxLength: 8 }),
    ),
  ),
  comment: mostly(fc.constantFrom('', '', ' # c', '  #c', ' #', ' # a # b'), fc.constantFrom('#c', '\t# c', ' # ü')),
  end: mostly(fc.constantFrom('', '', ' ', '\r'), fc.constantFrom('\t', ' \r')),
  indent: mostly(fc.constant(''), fc.constantFrom(' ', '  ', '\t')),
  other: fc.constantFrom('', '# note', '  ', '  # indented note', '---', '...', '- a', '\r', 'a', ':', '  b: c'),
};

const line = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(pieces.indent, pieces.key, pieces.gap, pieces.value, pieces.comment, pieces.end)
      .map(([i, k, g, v, c, e]) => `${i}${k}:${g}${v}${c}${e}`),
  },
  { weight: 1, arbitrary: pieces.other },
);

test('property: wherever the simple reader reads a mapping, YAML reads the same values at the same places in the same styles', () => {
  let read = 0;
  fc.assert(
    // Every line ends in a newline: a fence or a `---` line follows a body.
    fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
      if (agreesWithYaml(`${lines.join('\n')}\n`)) read++;
    }),
    { numRuns: 20_000 },
  );
  // The generator reaches the simple shape often enough for the property to say something.
  assert.ok(read > 1_000, `only ${read} inputs were read simply`);
});
