import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { test } from 'node:test';
import { deliveredFromOutbox, keepInOutbox, readOutbox } from '../src/clone/outbox.js';
import type { Rewrite } from '../src/hub/types.js';
import { tempDir } from './helpers/temp-repo.js';

const record = (n: number, changed: string[] = []): Rewrite => ({ old: n.toString(16).padStart(40, '0'), new: 'f'.repeat(40), changed });

test('the outbox keeps each record once, and delivering some leaves the others', async (t) => {
  const gitDir = await tempDir(t);
  assert.deepEqual(readOutbox(gitDir), []);
  keepInOutbox(gitDir, [record(1), record(2, ['A'])]);
  keepInOutbox(gitDir, [record(2, ['A']), record(3)]);
  assert.deepEqual(
    readOutbox(gitDir).map((r) => r.old),
    [record(1), record(2), record(3)].map((r) => r.old),
  );
  deliveredFromOutbox(gitDir, [record(1), record(3)]);
  assert.deepEqual(readOutbox(gitDir), [record(2, ['A'])]);
  deliveredFromOutbox(gitDir, [record(2)]);
  assert.deepEqual(readOutbox(gitDir), []);
});

test('a record a crash left half-written, or an edit by hand spoilt, is skipped alone', async (t) => {
  const gitDir = await tempDir(t);
  keepInOutbox(gitDir, [record(1)]);
  const folder = path.join(gitDir, 'custodian-hooks', 'outbox');
  await writeFile(path.join(folder, `${record(2).old}-${record(2).new}.json`), '{"old": "00');
  await writeFile(path.join(folder, 'notes.json'), '{"old": 1}\n');
  assert.deepEqual(readOutbox(gitDir), [record(1)]);
});

test('records an older version kept in one outbox.json are read, and leave it as they are delivered', async (t) => {
  const gitDir = await tempDir(t);
  const legacy = path.join(gitDir, 'custodian-hooks', 'outbox.json');
  await mkdir(path.dirname(legacy), { recursive: true });
  await writeFile(legacy, `${JSON.stringify([record(1), record(2, ['B'])])}\n`);
  keepInOutbox(gitDir, [record(3)]);
  assert.deepEqual(
    readOutbox(gitDir)
      .map((r) => r.old)
      .sort(),
    [record(1), record(2), record(3)].map((r) => r.old),
  );
  deliveredFromOutbox(gitDir, [record(1)]);
  assert.deepEqual(
    readOutbox(gitDir)
      .map((r) => r.old)
      .sort(),
    [record(2), record(3)].map((r) => r.old),
  );
  assert.deepEqual(await readdir(path.dirname(legacy)), ['outbox'], 'the old file is gone once its records have their own');
});

/**
 * Another process keeps `n` records one at a time, as post-rewrite does, by `keeping` (a module's
 * code, given `keep(i)`), while this one delivers whatever it reads, as a run does: how many were
 * neither delivered nor left waiting.
 */
async function lostBesideARun(gitDir: string, n: number, keeping: string): Promise<number> {
  const keeper = spawn(process.execPath, ['--input-type=module', '-e', `${keeping}\nfor (let i = 0; i < ${n}; i++) keep(i);`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => keeper.on('exit', resolve));
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const delivered = new Set<string>();
  while (!done) {
    const waiting = readOutbox(gitDir);
    if (waiting.length > 0) deliveredFromOutbox(gitDir, waiting);
    for (const r of waiting) delivered.add(r.old);
    await turn();
  }
  assert.equal(await exited, 0);
  for (const r of readOutbox(gitDir)) delivered.add(r.old);
  return n - delivered.size;
}

const n = 400;
const recordOf = `(i) => ({ old: i.toString(16).padStart(40, '0'), new: '${'f'.repeat(40)}', changed: [] })`;

test('a record post-rewrite keeps while a run delivers others is never lost (no read, change and write back of one shared file)', async (t) => {
  const gitDir = await tempDir(t);
  const outbox = new URL('../src/clone/outbox.js', import.meta.url).href;
  const keeping = `const { keepInOutbox } = await import(${JSON.stringify(outbox)});
const keep = (i) => keepInOutbox(${JSON.stringify(gitDir)}, [(${recordOf})(i)]);`;
  assert.equal(await lostBesideARun(gitDir, n, keeping), 0, 'records were neither delivered nor kept');
});

test("an older version's post-rewrite, still writing outbox.json beside a run, loses no record to it", async (t) => {
  const gitDir = await tempDir(t);
  // What versions before one file a record did: read the array, add, write it back through a rename.
  const keeping = `import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
const file = ${JSON.stringify(path.join(gitDir, 'custodian-hooks', 'outbox.json'))};
mkdirSync(${JSON.stringify(path.join(gitDir, 'custodian-hooks'))}, { recursive: true });
const keep = (i) => {
  let kept = [];
  try { kept = JSON.parse(readFileSync(file, 'utf8')); } catch {}
  writeFileSync(file + '.' + process.pid, JSON.stringify([...kept, (${recordOf})(i)]) + '\\n');
  renameSync(file + '.' + process.pid, file);
};`;
  assert.equal(await lostBesideARun(gitDir, n, keeping), 0, 'records were neither delivered nor kept');
});
