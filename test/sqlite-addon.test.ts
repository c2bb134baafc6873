import assert from 'node:assert/strict';
import { cp, mkdir, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { ROOT } from './helpers/paths.js';
import { tempDir, tempRepo } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

test('without better-sqlite3 built (npm install --ignore-scripts), a SQLite hub is refused in one line that names the fix', async (t) => {
  // The shipped bundle beside a node_modules whose better-sqlite3 has its package but no build.
  const install = await tempDir(t);
  await cp(path.join(ROOT, 'dist/bundle'), path.join(install, 'dist/bundle'), { recursive: true });
  await cp(path.join(ROOT, 'package.json'), path.join(install, 'package.json'));
  const modules = path.join(install, 'node_modules');
  await mkdir(path.join(modules, 'better-sqlite3'), { recursive: true });
  for (const name of await readdir(path.join(ROOT, 'node_modules'))) {
    if (name !== 'better-sqlite3') await symlink(path.join(ROOT, 'node_modules', name), path.join(modules, name));
  }
  await cp(path.join(ROOT, 'node_modules/better-sqlite3/package.json'), path.join(modules, 'better-sqlite3/package.json'));

  const repo = await tempRepo(t, { 'docs/plan.md': workplan([{ id: 'T-1', status: 'done' }]) });
  const ran = await execa(process.execPath, [path.join(install, 'dist/bundle/cli.cjs'), 'run', '--fix'], {
    cwd: repo,
    reject: false,
    env: { NO_COLOR: '1', CUSTODIAN_HUB: path.join(repo, '..', 'hub.sqlite'), XDG_STATE_HOME: path.join(install, 'state') },
  });
  assert.equal(ran.exitCode, 1, ran.stderr);
  assert.match(ran.stderr, /^custodian-hooks: the SQLite hub needs better-sqlite3's native addon, and it is not built .*: run `npm rebuild better-sqlite3`/);
  assert.doesNotMatch(ran.stderr, /__filename|this is a bug|\n {4}at /, 'one line, not a stack');
});
