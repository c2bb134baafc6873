import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { git, gitBytes } from '../src/git/run.js';
import type { Writeback } from '../src/reconcile/types.js';
import { openRepo } from '../src/repo.js';
import { STATUSES, type Status } from '../src/status.js';
import { parseWorkplan } from '../src/workplan/parse.js';
import { landWritebackCommit, prepareWritebackCommit } from '../src/writeback/commit.js';
import { tempRepo } from './helpers/temp-repo.js';

// --- generated file names: quotes, backslashes, newlines, tabs, leading dashes, unicode, spaces ---
const nameChar = fc.constantFrom('a', 'Z', '0', '"', "'", '\\', '\n', '\t', ' ', '-', 'é', '漢', '😀', '*', '?', '[', ':', '\x1b');
const fileName = fc
  .tuple(fc.constantFrom('', '-', '"', ' ', ':'), fc.array(nameChar, { minLength: 1, maxLength: 8 }))
  .map(([lead, chars]) => `${lead}${chars.join('')}.md`);

// --- generated workplan bytes: valid and invalid UTF-8, BOM, CRLF, quotes, comments ---
type Part = { bytes: Buffer } | { task: number; status: Status; quote: string };
const junk = fc.constantFrom(
  Buffer.from('Some prose, é漢😀.'),
  Buffer.from('# Heading'),
  Buffer.from('status: done'),
  Buffer.from([0x43, 0x61, 0x66, 0xe9]), // Latin-1 "Café"
  Buffer.from([0xff, 0xfe, 0x20, 0xc3]), // no UTF-8 at all, and a cut sequence
  Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate
  Buffer.from('```python\nstatus: todo\n```'),
);
const workplanBytes = fc
  .record({
    bom: fc.boolean(),
    eol: fc.constantFrom('\n', '\r\n'),
    prose: fc.array(junk, { maxLength: 5 }),
    tasks: fc.array(
      fc.record({
        status: fc.constantFrom(...STATUSES),
        quote: fc.constantFrom('', '"', "'"),
        comment: fc.constantFrom(Buffer.alloc(0), Buffer.from(' # é'), Buffer.from([0x20, 0x23, 0x20, 0xff])),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    order: fc.array(fc.nat(), { maxLength: 9 }),
  })
  .map(({ bom, eol, prose, tasks, order }) => {
    const parts: Part[][] = [...prose.map((bytes) => [{ bytes: Buffer.from(bytes.toString('latin1').replace(/\n/g, eol), 'latin1') }])];
    tasks.forEach((t, i) => {
      const at = (order[i] ?? 0) % (parts.length + 1);
      parts.splice(at, 0, [
        { bytes: Buffer.from(`\`\`\`task${eol}id: T-${i}${eol}status: `) },
        { task: i, status: t.status, quote: t.quote },
        { bytes: Buffer.concat([t.comment, Buffer.from(`${eol}\`\`\`${eol}`)]) },
      ]);
    });
    const joined = parts.flatMap((p, i) => (i === 0 ? p : [{ bytes: Buffer.from(eol) }, ...p]));
    return { parts: bom ? [{ bytes: Buffer.from([0xef, 0xbb, 0xbf]) }, ...joined] : joined, tasks };
  });

/** The file's bytes with each task's status taken from `statuses`: the oracle, built without the parser. */
function render(parts: readonly Part[], statuses: readonly Status[]): Buffer {
  return Buffer.concat(parts.map((p) => ('bytes' in p ? p.bytes : Buffer.from(p.quote + statuses[p.task]! + p.quote))));
}

const planFile = fc.record({ name: fileName, plan: workplanBytes, writes: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...STATUSES)), { maxLength: 4 }) });

test('property: a writeback commit changes exactly the planned files, and no byte outside status values', async (t) => {
  // One repo for all runs, each in a folder of its own: git's process starts are most of the cost.
  const dir = await tempRepo(t, { 'README.md': '# readme\n' });
  const repo = await openRepo(dir);
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.uniqueArray(planFile, { minLength: 1, maxLength: 4, selector: (f) => f.name }), async (generated) => {
      const folder = `run-${++run}`;
      await mkdir(path.join(dir, folder));
      const files = generated.map((f) => ({ ...f, name: `${folder}/${f.name}` }));
      for (const f of files)
        await writeFile(
          path.join(dir, f.name),
          render(
            f.plan.parts,
            f.plan.tasks.map((task) => task.status),
          ),
        );
      await git(dir, ['add', '-A']);
      await git(dir, ['commit', '-q', '-m', 'plans']);
      const head = (await git(dir, ['rev-parse', 'HEAD'])).trim();

      const writebacks: Writeback[] = [];
      const expected = new Map<string, Buffer>();
      for (const f of files) {
        const statuses = f.plan.tasks.map((task) => task.status);
        const read = parseWorkplan((await readFile(path.join(dir, f.name))).toString('utf8'), f.name);
        for (const [pick, to] of f.writes) {
          const task = read.tasks[pick % read.tasks.length]!;
          const n = Number(task.id.slice(2));
          if (to === statuses[n] || writebacks.some((w) => w.file === f.name && w.taskId === task.id)) continue;
          writebacks.push({ taskId: task.id, title: task.title, file: f.name, line: task.line, from: task.status, to });
          statuses[n] = to;
        }
        if (writebacks.some((w) => w.file === f.name)) expected.set(f.name, render(f.plan.parts, statuses));
      }
      if (writebacks.length === 0) return;

      const { prepared, refused } = await prepareWritebackCommit(repo, head, writebacks, 'testhost');
      assert.deepEqual(refused, []);
      await landWritebackCommit(repo, 'refs/heads/main', prepared!);
      const changed = (await git(dir, ['diff-tree', '-z', '-r', '--no-renames', '--name-only', head, 'HEAD'])).split('\0').filter(Boolean);
      assert.deepEqual(changed.sort(), [...expected.keys()].sort());
      for (const [name, bytes] of expected) {
        assert.deepEqual(await gitBytes(dir, ['cat-file', 'blob', `HEAD:${name}`]), bytes, `${JSON.stringify(name)} at HEAD`);
        assert.deepEqual(await readFile(path.join(dir, name)), bytes, `${JSON.stringify(name)} in the working tree`);
      }
      assert.equal(await git(dir, ['status', '--porcelain', '-z']), '', 'index and working tree agree with HEAD');
    }),
    { numRuns: 25 },
  );
});
