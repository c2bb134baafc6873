import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ROOT } from './helpers/paths.js';
import { tempDir } from './helpers/temp-repo.js';

const source = (answer: number) =>
  `const path = require('node:path');\nexports.answer = () => ${answer};\nexports.where = [__filename, path.basename(__dirname)];\n`;
const codeCache = pathToFileURL(`${ROOT}dist/src/hook/code-cache.js`).href;

/**
 * Requires `file` in a process of its own, as a hook does: V8 also keeps compiled code per
 * process, so only a new process shows what the cache on disk holds. The cache is saved at exit.
 */
async function requireInNewProcess(file: string, digest: string, cacheDir: string) {
  const script = `const { requireCompiled } = await import(${JSON.stringify(codeCache)});
const { exports, cacheHit } = requireCompiled(${JSON.stringify(file)}, ${JSON.stringify(digest)}, ${JSON.stringify(cacheDir)});
console.log(JSON.stringify({ cacheHit, answer: exports.answer(), where: exports.where }));`;
  const { stdout } = await execa(process.execPath, ['--input-type=module', '-e', script]);
  return JSON.parse(stdout) as { cacheHit: boolean; answer: number; where: [string, string] };
}

test('a CommonJS file runs from its code cache once compiled, and a cache V8 refuses is written anew', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'lib', 'm.cjs');
  await mkdir(path.dirname(file));
  await writeFile(file, source(42));
  const cacheDir = path.join(dir, 'cache');
  const load = (digest = 'd1') => requireInNewProcess(file, digest, cacheDir);
  // Caches of other builds: this file's from long ago goes, the rest stay.
  await mkdir(cacheDir);
  const longAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
  for (const name of ['m.cjs-old-1.bin', 'm.cjs-recent-1.bin', 'other.cjs-old-1.bin']) await writeFile(path.join(cacheDir, name), 'x');
  for (const name of ['m.cjs-old-1.bin', 'other.cjs-old-1.bin']) await utimes(path.join(cacheDir, name), longAgo, longAgo);

  const first = await load();
  assert.equal(first.cacheHit, false);
  assert.equal(first.answer, 42);
  assert.deepEqual(first.where, [file, 'lib'], 'the file sees its own name and folder, and requires as a module');
  const names = (await readdir(cacheDir)).sort();
  assert.deepEqual(
    names.filter((f) => !f.startsWith('m.cjs-d1-')),
    ['m.cjs-recent-1.bin', 'other.cjs-old-1.bin'],
  );
  const cacheFile = path.join(cacheDir, names.find((f) => f.startsWith('m.cjs-d1-'))!);

  const second = await load();
  assert.equal(second.cacheHit, true);
  assert.equal(second.answer, 42);

  // A cache cut short or overwritten is refused by V8: the file still runs, and the cache is rewritten.
  const good = await readFile(cacheFile);
  for (const broken of [good.subarray(0, good.length >> 1), Buffer.from('not a code cache')]) {
    await writeFile(cacheFile, broken);
    const refused = await load();
    assert.equal(refused.cacheHit, false);
    assert.equal(refused.answer, 42);
    assert.equal((await load()).cacheHit, true);
  }

  // An edit of the same length is a different file: V8 alone would take the old code for it.
  await writeFile(file, source(43));
  const later = new Date(Date.now() + 10_000);
  await utimes(file, later, later);
  const edited = await load();
  assert.equal(edited.cacheHit, false);
  assert.equal(edited.answer, 43);
  assert.equal((await load('d2')).cacheHit, false, 'another digest is another cache');
});

test('a cache that cannot be written costs nothing but the cache', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'm.cjs');
  await writeFile(file, source(7));
  for (let i = 0; i < 2; i++) {
    // A cache folder under a file cannot be made.
    const { cacheHit, answer } = await requireInNewProcess(file, 'd', path.join(file, 'cache'));
    assert.equal(cacheHit, false);
    assert.equal(answer, 7);
  }
});
