import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { conflictPieces, type Piece } from '../src/merge/conflict-pieces.js';
import { resolvedOutput, statusHunks } from '../src/merge/status-hunks.js';
import { type Status, STATUSES } from '../src/status.js';

const dir = mkdtempSync(path.join(tmpdir(), 'custodian-hunks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** git merge-file's merge of three texts, in a conflict style and marker size as git would pass them. */
function mergeFile(base: string, ours: string, theirs: string, style: string, markerSize: number): Buffer {
  for (const [name, text] of Object.entries({ base, ours, theirs })) writeFileSync(path.join(dir, name), text);
  const args = [
    '-c',
    `merge.conflictStyle=${style}`,
    'merge-file',
    '-p',
    `--marker-size=${markerSize}`,
    '-L',
    'HEAD',
    '-L',
    'base',
    '-L',
    'theirs',
    'ours',
    'base',
    'theirs',
  ];
  const run = spawnSync('git', args, { cwd: dir });
  assert.ok(run.status !== null && run.status < 128, String(run.stderr));
  return run.stdout;
}

interface Side {
  statuses: Status[];
  /** A prose line changed under these tasks' blocks; the priority of those. */
  prose: number[];
  priority: number[];
}

const TASKS = 6;
const side = fc.record({
  statuses: fc.array(fc.constantFrom(...STATUSES), { minLength: TASKS, maxLength: TASKS }),
  prose: fc.uniqueArray(fc.nat(TASKS - 1), { maxLength: 2 }),
  priority: fc.uniqueArray(fc.nat(TASKS - 1), { maxLength: 2 }),
});
const shape = fc.record({
  eol: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
  quote: fc.constantFrom('', '"', "'"),
  comment: fc.constantFrom('', '  # set by hand'),
  style: fc.constantFrom('merge', 'diff3', 'zdiff3'),
  markerSize: fc.constantFrom(7, 9),
});

function text(s: Side, form: { eol: string; bom: boolean; quote: string; comment: string }): string {
  const blocks = s.statuses.map(
    (status, i) =>
      `### T${i}\n\n\`\`\`task\nid: T${i}\nstatus: ${form.quote}${status}${form.quote}${form.comment}\n` +
      `priority: ${s.priority.includes(i) ? 'high' : 'medium'}\n\`\`\`\n\n${s.prose.includes(i) ? 'Changed prose.' : 'Some prose.'}\n`,
  );
  return (form.bom ? '\uFEFF' : '') + `---\ntype: workplan\n---\n\n# Plan\n\n${blocks.join('\n')}`.replaceAll('\n', form.eol);
}

const statusLine = /^status: ["']?(\w+)["']?( {2}# set by hand)?\r?\n$/;

test("the driver's resolutions differ from git merge-file's output only in status values, and only in conflicts that differ in nothing else", () => {
  const seen = { resolvable: 0, leftBeside: 0 };
  fc.assert(
    fc.property(shape, side, side, side, fc.array(fc.constantFrom(...STATUSES), { minLength: TASKS, maxLength: TASKS }), (form, base, ours, theirs, picks) => {
      const output = mergeFile(text(base, form), text(ours, form), text(theirs, form), form.style, form.markerSize);
      const pieces = conflictPieces(output, form.markerSize);
      assert.ok(pieces, "git's markers are read back");
      assert.ok(Buffer.concat(pieces.flatMap((p) => p.lines)).equals(output), 'the pieces are the output, byte for byte');
      const { views, hunks } = statusHunks(pieces, 'plan.md');
      assert.ok(resolvedOutput(pieces, views, hunks, new Map()).bytes.equals(output), 'nothing chosen: exactly merge-file');

      for (const hunk of hunks) {
        const piece: Piece = pieces[hunk.piece]!;
        assert.equal(piece.kind, 'conflict');
        if (piece.kind !== 'conflict') continue;
        piece.ours.forEach((line: Buffer, k: number) => {
          const other = piece.theirs[k]!;
          if (line.equals(other)) return;
          assert.match(line.toString(), statusLine, 'only status lines differ in a resolvable hunk');
          assert.equal(line.toString().replace(/\w+/g, ''), other.toString().replace(/\w+/g, ''), 'and only in their values');
        });
      }
      // Two sides that differ from each other only in statuses: every conflict is one the driver can settle.
      const onlyStatuses = ours.prose.join() === theirs.prose.join() && ours.priority.join() === theirs.priority.join();
      const conflicts = pieces.filter((p) => p.kind === 'conflict').length;
      if (onlyStatuses && ours.prose.join() === base.prose.join() && ours.priority.join() === base.priority.join()) assert.equal(hunks.length, conflicts);

      if (hunks.length > 0) seen.resolvable++;
      if (hunks.length > 0 && conflicts > hunks.length) seen.leftBeside++;
      const chosen = new Map(hunks.flatMap((h) => h.tasks.map((task) => [task.id, picks[Number(task.id.slice(1))]!] as const)));
      const { bytes, left } = resolvedOutput(pieces, views, hunks, chosen);
      assert.equal(left, conflicts - hunks.length);
      const expected = Buffer.concat(
        pieces.flatMap((p, at) => {
          if (p.kind === 'merged') return p.lines;
          const hunk = hunks.find((h) => h.piece === at);
          if (!hunk) return p.lines;
          return p.ours.map((line, k) => {
            const task = hunk.tasks.find((x) => !line.equals(p.theirs[k]!) && x.line === hunk.start + k + 1);
            return task ? Buffer.from(line.toString().replace(task.ours, chosen.get(task.id)!)) : line;
          });
        }),
      );
      assert.ok(bytes.equals(expected), 'a resolved hunk is the ours lines with the chosen values; all else as merge-file wrote it');
      for (const h of hunks) {
        const p = pieces[h.piece]!;
        if (p.kind !== 'conflict') continue;
        const allTheirs = new Map(h.tasks.map((x) => [x.id, x.theirs]));
        const start = resolvedOutput(pieces, views, [h], allTheirs);
        assert.ok(start.bytes.includes(Buffer.concat(p.theirs)), "choosing theirs' values gives theirs' lines byte for byte");
      }
    }),
    { numRuns: 150 },
  );
  assert.ok(seen.resolvable > 50 && seen.leftBeside > 5, `the inputs reach both kinds of conflict: ${JSON.stringify(seen)}`);
});

test('markers out of order, or a conflict never closed, are not read as pieces: nothing is resolved', () => {
  const lines = (...l: string[]) => Buffer.from(l.map((x) => `${x}\n`).join(''));
  assert.equal(conflictPieces(lines('a', '<<<<<<< HEAD', 'x', '=======', 'y'), 7), null);
  assert.equal(conflictPieces(lines('<<<<<<< HEAD', 'x', '>>>>>>> theirs'), 7), null);
  assert.equal(conflictPieces(lines('<<<<<<< HEAD', '<<<<<<< HEAD', 'x', '=======', 'y', '>>>>>>> t'), 7), null);
  const longer = conflictPieces(lines('<<<<<<<< not a marker of 7', '=======', 'text'), 7);
  assert.deepEqual(
    longer?.map((p) => p.kind),
    ['merged'],
    'a longer run of < is text, and so is ======= outside a conflict (a setext heading)',
  );
});

test('a task the file holds twice, however YAML spells the second id, is no status conflict the driver may settle', () => {
  const plan = (status: string, second: string) => `# Plan\n\n\`\`\`task\nid: A\nstatus: ${status}\n\`\`\`\n\nProse.\n\n\`\`\`task\n${second}\n\`\`\`\n`;
  for (const second of ['{id: A, status: todo}', '"id": A\nstatus: todo', 'id: "\\x41"\nstatus: todo', 'id: B\nstatus: todo']) {
    const output = mergeFile(plan('todo', second), plan('done', second), plan('blocked', second), 'merge', 7);
    const pieces = conflictPieces(output, 7)!;
    const { hunks } = statusHunks(pieces, 'plan.md');
    assert.equal(hunks.length, second.startsWith('id: B') ? 1 : 0, second);
  }
});
