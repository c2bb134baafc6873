import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import picomatch from 'picomatch';
import { git } from '../src/git/run.js';
import { gitGlobs } from '../src/hook/attribute-patterns.js';
import { hookWork } from '../src/hook/fast-path.js';
import { workplanPathspec } from '../src/hook/state.js';
import { PLAN, scene } from './helpers/scene.js';
import { commitFiles, tempRepo } from './helpers/temp-repo.js';

const FILES = [
  'top.md',
  'README.markdown',
  'docs/plan.md',
  'docs/plan.markdown',
  'docs/x.md',
  'docs/deep/a.md',
  'plans/q3/b.md',
  'plans/notes.txt',
  'other/c.md',
  '.hidden/d.md',
  'we ird/e f.md',
  'docs/1/g.md',
  'docs/2/g.md',
  'docs/9/g.md',
];

const GLOBS = [
  '**/*.md',
  '*.md',
  'docs/*.md',
  './docs/*.md',
  'docs/**',
  '{docs,plans}/**/*.md',
  'docs/*.{md,markdown}',
  'docs/+(plan|x).md',
  'docs/*.@(md|markdown)',
  'docs/!(x).md',
  '**/*.+(md|markdown)',
  'docs/{1..3}/*.md',
  'docs/[!x]*.md',
  'we ird/*.md',
  'plans/q?/*.md',
];

test("every file a workplan glob selects is in git's pathspec for it; a glob git can say, exactly", async (t) => {
  const dir = await tempRepo(t, Object.fromEntries(FILES.map((f) => [f, `${f}\n`])));
  for (const glob of GLOBS) {
    const selects = picomatch(glob, { dot: true });
    const selected = FILES.filter((f) => selects(f)).sort();
    const listed = (await git(dir, ['ls-files', '-z', '--', ...workplanPathspec([glob])])).split('\0').filter(Boolean).sort();
    assert.deepEqual(
      selected.filter((f) => !listed.includes(f)),
      [],
      `${glob}: hidden from the hooks`,
    );
    if (gitGlobs(glob)) assert.deepEqual(listed, selected, `${glob}: said exactly`);
  }
});

test('with workplans given by braces or extglobs, a commit that changes a workplan is one the hooks reconcile', async (t) => {
  for (const glob of ['{docs,plans}/**/*.md', 'docs/*.+(md|markdown)']) {
    const s = await scene(t, [{ id: 'A', status: 'todo' }]);
    const ws = s.workstation;
    await commitFiles(ws.dir, { '.custodian.yml': `workplans: ["${glob}"]\n` }, 'workplans');
    assert.equal((await ws.cli('run', '--fix')).code, 0);
    assert.equal((await hookWork('post-merge', ws.dir, '', s.env)).kind, 'nothing', `${glob}: settled`);
    await ws.edit('A', 'done');
    const work = await hookWork('post-merge', ws.dir, '', s.env);
    assert.equal(work.kind, 'touched', glob);
    assert.deepEqual(work.kind === 'touched' && work.scope.files, [PLAN]);
  }
});

test('a settled state an older version wrote is not trusted: its pathspec may hide workplans', async (t) => {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const ws = s.workstation;
  assert.equal((await ws.cli('run', '--fix')).code, 0);
  const file = path.join(ws.dir, '.git', 'custodian-hooks', 'state.json');
  const { form: _, ...older } = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(file, JSON.stringify(older));
  assert.equal((await hookWork('post-merge', ws.dir, '', s.env)).kind, 'everything');
});
