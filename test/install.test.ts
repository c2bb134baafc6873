import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { execa } from 'execa';
import { git } from '../src/git/run.js';
import { runCli } from './helpers/cli.js';
import { CLI } from './helpers/paths.js';
import { cloneAs, commitFiles, tempDir } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

/** An origin with a workplan, a clone to install in, and a second clone to push from. */
async function setup(t: TestContext) {
  const root = await tempDir(t);
  const env = { XDG_STATE_HOME: path.join(root, 'state'), CUSTODIAN_HUB: path.join(root, 'hub.sqlite') };
  const origin = path.join(root, 'acme.git');
  await git(root, ['init', '-q', '--bare', '-b', 'main', origin]);
  const clone = async (name: string) => {
    const dir = path.join(root, name);
    await cloneAs(origin, dir, name);
    return dir;
  };
  const seed = await clone('seed');
  await commitFiles(seed, { 'docs/plan.md': workplan([{ id: 'A', status: 'todo' }]) }, 'plan');
  await git(seed, ['push', '-q', 'origin', 'main']);
  const repo = await clone('repo');
  let n = 0;
  /** Pushes a commit from elsewhere and pulls it into `dir` with hooks live; returns the hooks' stderr. */
  const pullFresh = async (dir = repo, extraEnv: Record<string, string> = {}) => {
    await commitFiles(seed, { [`f${++n}.txt`]: `${n}\n` }, `change ${n}`);
    await git(seed, ['push', '-q', 'origin', 'main']);
    // git by its full path, so a test can hand the hooks a PATH without git's directory.
    const gitPath = (await execa('sh', ['-c', 'command -v git'])).stdout.trim();
    const result = await execa(gitPath, ['pull', '-q'], { cwd: dir, env: { ...env, ...extraEnv }, reject: false });
    assert.equal(result.exitCode, 0, result.stderr);
    return String(result.stderr);
  };
  const cli = (cwd: string, ...args: string[]) => runCli(cwd, args, env);
  return { root, env, repo, seed, clone, pullFresh, cli };
}

const HOOK_NAMES = ['post-merge', 'post-rewrite', 'pre-push', 'post-commit'];

test('install from a subdirectory; installing twice changes nothing; uninstall leaves nothing behind', async (t) => {
  const s = await setup(t);
  const first = await s.cli(path.join(s.repo, 'docs'), 'install');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /post-merge: installed/);
  assert.match(first.stdout, /history: git's commit-graph written/);
  const chain = path.join(s.repo, '.git', 'objects', 'info', 'commit-graphs', 'commit-graph-chain');
  assert.ok(existsSync(chain), 'git has a commit-graph for the history walks');
  assert.equal((await execa('git', ['commit-graph', 'verify'], { cwd: s.repo, reject: false })).exitCode, 0);
  const hooks = path.join(s.repo, '.git', 'hooks');
  const before = await Promise.all(HOOK_NAMES.map((h) => readFile(path.join(hooks, h), 'utf8')));
  const second = await s.cli(s.repo, 'install');
  assert.match(second.stdout, /post-merge: updated/);
  assert.deepEqual(await Promise.all(HOOK_NAMES.map((h) => readFile(path.join(hooks, h), 'utf8'))), before, 'idempotent');
  for (const h of HOOK_NAMES) assert.ok(((await stat(path.join(hooks, h))).mode & 0o111) !== 0, `${h} is executable`);

  assert.match(await s.pullFresh(), /custodian-hooks: hub\s+A: created as todo/, 'the hook fired on git pull');
  const doctor = await s.cli(s.repo, 'doctor');
  assert.equal(doctor.code, 0, doctor.stdout);
  assert.match(doctor.stdout, /✓ post-merge: fires → .*node.* .*cli\.cjs/);
  assert.match(doctor.stdout, /✓ hub .*hub\.sqlite answers: 1 tasks for 'acme'/);

  const removed = await s.cli(s.repo, 'uninstall');
  assert.match(removed.stdout, /post-merge: removed/);
  for (const h of HOOK_NAMES) assert.ok(!existsSync(path.join(hooks, h)));
  assert.ok(!existsSync(path.join(hooks, '.custodian-chained')));
  const after = await s.cli(s.repo, 'doctor');
  assert.equal(after.code, 1);
  assert.match(after.stdout, /✗ post-merge: not installed: run custodian-hooks install/);
});

test('the merge driver: configured and the workplans marked by install, shown by doctor, taken away by uninstall to the byte', async (t) => {
  const s = await setup(t);
  const attributes = path.join(s.repo, '.git', 'info', 'attributes');
  const own = '*.png binary';
  await mkdir(path.dirname(attributes), { recursive: true });
  await writeFile(attributes, own);
  const globs = ['docs/**/*.md', 'plans with spaces/*.md', '*.md', 'plans/{a,b}/*.md', '#notes/*.md', '@(x|y).md'];
  await writeFile(path.join(s.repo, '.custodian.yml'), `workplans: ${JSON.stringify(globs)}\nexclude: ["docs/archive/**"]\n`);
  const installed = await s.cli(s.repo, 'install');
  assert.equal(installed.code, 0, installed.stderr);
  assert.match(installed.stdout, /merge driver: configured/);
  assert.match(installed.stdout, /workplans matching @\(x\|y\)\.md are not marked \(gitattributes has no such pattern\): git merges them as text/);
  const shim = path.join(s.repo, '.git', 'custodian-hooks', 'merge-driver');
  assert.equal(
    (await git(s.repo, ['config', 'merge.custodian-hooks.driver'])).trim(),
    'driver="$(git rev-parse --git-common-dir)/custodian-hooks/merge-driver"; if [ -f "$driver" ]; then exec sh "$driver" %O %A %B %L %P %S %X %Y; else exec git merge-file --marker-size=%L -L HEAD -L base -L theirs %A %O %B; fi',
    'the command names no path: a clone moved elsewhere still finds its driver',
  );
  assert.equal((await git(s.repo, ['config', 'merge.custodian-hooks.recursive'])).trim(), 'text', "a criss-cross's inner merges stay git's");
  assert.match(await readFile(shim, 'utf8'), /^node=".*node.*"\ncli=".*cli\.cjs"$/m);
  const attr = async (file: string) => (await git(s.repo, ['check-attr', 'merge', '--', file])).trim().split(': ').pop();
  // Each as the config's picomatch reads it: anchored at the top, braces expanded, # not a comment.
  for (const [file, marked] of [
    ['docs/plan.md', true],
    ['plans with spaces/a.md', true],
    ['README.md', true],
    ['src/README.md', false],
    ['plans/a/x.md', true],
    ['plans/c/x.md', false],
    ['#notes/n.md', true],
    // Excluded: marked all the same (a !merge would outrank the team's own attribute); the driver merges it as text.
    ['docs/archive/old.md', true],
  ] as const)
    assert.equal(await attr(file), marked ? 'custodian-hooks' : 'unspecified', file);
  const marked = await readFile(attributes, 'utf8');
  await s.cli(s.repo, 'install');
  assert.equal(await readFile(attributes, 'utf8'), marked, 'installing again changes nothing');
  const doctor = await s.cli(s.repo, 'doctor');
  assert.match(doctor.stdout, /✓ merge driver: .*node.* .*cli\.cjs \(workplans marked in \.git\/info\/attributes\)/);

  assert.ok(marked.endsWith(own), "the block goes first: the user's own lines after it keep their say");
  await writeFile(attributes, `${marked}\nREADME.md merge=union\n`);
  assert.equal(await attr('README.md'), 'union');
  await s.cli(s.repo, 'uninstall');
  assert.equal(await readFile(attributes, 'utf8'), `${own}\nREADME.md merge=union\n`, 'the file as it was, with what the user added since, line for line');
  await writeFile(attributes, own);
  assert.equal((await execa('git', ['config', '--get-regexp', '^merge\\.'], { cwd: s.repo, reject: false })).stdout, '');
  assert.match((await s.cli(s.repo, 'doctor')).stdout, /✗ merge driver: not configured/);
  await rm(attributes);
  await s.cli(s.repo, 'install');
  await s.cli(s.repo, 'uninstall');
  assert.ok(!existsSync(attributes), 'a file install created is removed with its block');
});

test('uninstall takes away only the driver settings install wrote: a key the user added to its section stays, and an empty section goes', async (t) => {
  const s = await setup(t);
  const configFile = path.join(s.repo, '.git', 'config');
  const before = await readFile(configFile, 'utf8');
  await s.cli(s.repo, 'install');
  await s.cli(s.repo, 'uninstall');
  assert.doesNotMatch(await readFile(configFile, 'utf8'), /\[merge "custodian-hooks"\]/, 'no empty section header left behind');
  assert.equal((await readFile(configFile, 'utf8')).replace(/\[core\][^[]*/, ''), before.replace(/\[core\][^[]*/, ''));

  await s.cli(s.repo, 'install');
  await git(s.repo, ['config', 'merge.custodian-hooks.note', 'kept by hand']);
  const removed = await s.cli(s.repo, 'uninstall');
  assert.match(removed.stdout, /merge driver: removed from the clone config/);
  assert.match(removed.stdout, /merge driver: merge\.custodian-hooks\.note left in the clone config, as written by hand/);
  assert.equal((await execa('git', ['config', '--get-regexp', '^merge\\.'], { cwd: s.repo })).stdout, 'merge.custodian-hooks.note kept by hand');
});

test("a clone whose path holds a % and a quote: git's driver command names no path, and doctor finds it in place", async (t) => {
  const s = await setup(t);
  const odd = path.join(s.root, "r 100%A 'q'");
  await git(s.root, ['clone', '-q', path.join(s.root, 'acme.git'), odd]);
  assert.equal((await s.cli(odd, 'install')).code, 0);
  const command = (await git(odd, ['config', 'merge.custodian-hooks.driver'])).trim();
  assert.ok(!command.includes(s.root), command);
  assert.match((await s.cli(odd, 'doctor')).stdout, /✓ merge driver: /);
});

test('init --merge-attributes marks the workplans in a committed .gitattributes; install then leaves .git/info/attributes alone', async (t) => {
  const s = await setup(t);
  await writeFile(path.join(s.repo, '.gitattributes'), '*.sh text eol=lf');
  const init = await s.cli(s.repo, 'init', '--merge-attributes');
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /\.gitattributes: workplans marked for the merge driver/);
  assert.match(init.stdout, /commit \.custodian\.yml and \.gitattributes, then run custodian-hooks install here/);
  const text = await readFile(path.join(s.repo, '.gitattributes'), 'utf8');
  assert.match(
    text,
    /^# >>> custodian-hooks merge driver >>>\n\/\*\*\/\*\.md merge=custodian-hooks\n[\s\S]*# <<< custodian-hooks merge driver <<<\n\*\.sh text eol=lf$/,
    "first: the team's own lines keep their say",
  );
  assert.match((await s.cli(s.repo, 'init', '--merge-attributes')).stdout, /\.gitattributes: workplans already marked/);
  assert.equal(await readFile(path.join(s.repo, '.gitattributes'), 'utf8'), text);
  const installed = await s.cli(s.repo, 'install');
  assert.match(installed.stdout, /merge driver: workplans marked in the committed \.gitattributes/);
  assert.ok(
    !existsSync(path.join(s.repo, '.git', 'info', 'attributes')) ||
      !(await readFile(path.join(s.repo, '.git', 'info', 'attributes'), 'utf8')).includes('custodian'),
  );
  assert.match((await s.cli(s.repo, 'doctor')).stdout, /✓ merge driver: .*\(workplans marked in \.gitattributes\)/);
});

test('a hand-written post-merge keeps running, and uninstall restores it byte for byte', async (t) => {
  const s = await setup(t);
  const own = path.join(s.repo, '.git', 'hooks', 'post-merge');
  const script = '#!/bin/sh\necho "my own hook ran" >&2\n';
  await writeFile(own, script);
  await chmod(own, 0o750);
  const prePush = path.join(s.repo, '.git', 'hooks', 'pre-push');
  await writeFile(
    prePush,
    '#!/bin/sh\nwhile read l; do echo "pre-push saw: $l" >&2; done\n[ -f "$(git rev-parse --show-toplevel)/BLOCK" ] && exit 3\nexit 0\n',
  );
  await chmod(prePush, 0o755);
  assert.match((await s.cli(s.repo, 'install')).stdout, /post-merge: installed; the hook that was there still runs first/);

  const said = await s.pullFresh();
  assert.match(said, /my own hook ran/);
  assert.match(said, /custodian-hooks: hub/);

  // The earlier pre-push still gets the refs and still decides whether the push goes.
  await commitFiles(s.repo, { BLOCK: 'x\n' }, 'blocked');
  const refused = await execa('git', ['push', '-q', 'origin', 'main'], { cwd: s.repo, env: s.env, reject: false });
  assert.notEqual(refused.exitCode, 0, 'its exit code is honoured');
  assert.match(refused.stderr, /pre-push saw: refs\/heads\/main [0-9a-f]{40} refs\/heads\/main/);

  await s.cli(s.repo, 'uninstall');
  assert.equal(await readFile(own, 'utf8'), script);
  assert.equal((await stat(own)).mode & 0o777, 0o750);
  assert.ok(existsSync(prePush));
});

test('a hook that is a symbolic link (one script for two hooks) is refused before anything is written', async (t) => {
  const s = await setup(t);
  const hooks = path.join(s.repo, '.git', 'hooks');
  await writeFile(path.join(hooks, 'pre-push'), '#!/bin/sh\necho checks\n', { mode: 0o755 });
  await symlink('pre-push', path.join(hooks, 'post-commit'));
  const before = (await readdir(hooks)).sort();
  const installed = await s.cli(s.repo, 'install');
  assert.equal(installed.code, 2);
  assert.match(installed.stderr, /post-commit -> pre-push in .*: a hook that is a symbolic link cannot be chained; .* Nothing was installed/);
  assert.deepEqual((await readdir(hooks)).sort(), before);
  assert.equal(await readFile(path.join(hooks, 'pre-push'), 'utf8'), '#!/bin/sh\necho checks\n');

  // A link to a script outside the hooks folder, by its absolute path, is chained as any hook.
  const shared = path.join(s.root, 'shared-hook');
  await writeFile(shared, '#!/bin/sh\necho shared\n', { mode: 0o755 });
  await rm(path.join(hooks, 'post-commit'));
  await symlink(shared, path.join(hooks, 'post-commit'));
  assert.equal((await s.cli(s.repo, 'install')).code, 0);
  assert.equal(await readFile(path.join(hooks, '.custodian-chained', 'post-commit'), 'utf8'), '#!/bin/sh\necho shared\n');
  assert.equal(await readFile(shared, 'utf8'), '#!/bin/sh\necho shared\n', 'never written through');
});

test('husky: installed first or after, the hooks end up called from .husky/<hook>, and uninstall restores it', async (t) => {
  const s = await setup(t);
  // husky v9's layout: core.hooksPath=.husky/_, whose scripts run .husky/<hook> through `h`.
  const husky = async () => {
    await mkdir(path.join(s.repo, '.husky', '_'), { recursive: true });
    await writeFile(
      path.join(s.repo, '.husky', '_', 'h'),
      '#!/usr/bin/env sh\nn=$(basename "$0")\ns=$(dirname "$(dirname "$0")")/$n\n[ -f "$s" ] || exit 0\nsh -e "$s" "$@"\n',
    );
    for (const hook of HOOK_NAMES) {
      await writeFile(path.join(s.repo, '.husky', '_', hook), '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n');
      await chmod(path.join(s.repo, '.husky', '_', hook), 0o755);
    }
    await git(s.repo, ['config', 'core.hooksPath', '.husky/_']);
  };
  await s.cli(s.repo, 'install');
  await husky();
  const stale = await s.cli(s.repo, 'doctor');
  assert.equal(stale.code, 1);
  assert.match(
    stale.stdout,
    /✗ post-merge: husky runs hooks from .husky\/_, and .husky\/post-merge does not call custodian-hooks: run custodian-hooks install/,
  );

  const userHook = path.join(s.repo, '.husky', 'pre-push');
  await writeFile(userHook, 'echo "husky pre-push" >&2\n');
  assert.match((await s.cli(s.repo, 'install')).stdout, /post-merge: called from husky's .husky\/post-merge/);
  assert.equal((await s.cli(s.repo, 'doctor')).code, 0);
  assert.match(await s.pullFresh(), /custodian-hooks: hub\s+A: created as todo/);

  await s.cli(s.repo, 'uninstall');
  assert.equal(await readFile(userHook, 'utf8'), 'echo "husky pre-push" >&2\n', "husky's own hook is back as it was");
  assert.ok(!existsSync(path.join(s.repo, '.husky', 'post-merge')), 'the file install created is gone');
});

test('core.hooksPath at a folder of its own, a linked worktree and a submodule', async (t) => {
  const s = await setup(t);
  // A folder git ignores is this clone's own: the shims go where git looks.
  await git(s.repo, ['config', 'core.hooksPath', 'githooks']);
  await writeFile(path.join(s.repo, '.git', 'info', 'exclude'), '/githooks/\n', { flag: 'a' });
  await s.cli(s.repo, 'install');
  assert.ok(existsSync(path.join(s.repo, 'githooks', 'post-merge')), 'installed where git looks');
  assert.match(await s.pullFresh(), /custodian-hooks: hub/);

  const other = await s.clone('other');
  const worktree = path.join(s.root, 'other-wt');
  await git(other, ['worktree', 'add', '-q', '-b', 'side', worktree]);
  assert.equal((await s.cli(worktree, 'install')).code, 0);
  assert.ok(existsSync(path.join(other, '.git', 'hooks', 'post-merge')), 'a worktree shares the main hooks');

  const parent = await s.clone('parent');
  await execa('git', ['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', path.join(s.root, 'acme.git'), 'sub'], { cwd: parent });
  const sub = path.join(parent, 'sub');
  assert.equal((await s.cli(sub, 'install')).code, 0);
  assert.ok(existsSync(path.join(parent, '.git', 'modules', 'sub', 'hooks', 'post-merge')), "a submodule's hooks live in its own git dir");
  assert.ok(!existsSync(path.join(parent, '.git', 'hooks', 'post-merge')));
});

test("core.hooksPath at the team's committed hooks folder: install writes nothing there and says what to add; with the line added the hooks run, and the team's own changes pull cleanly", async (t) => {
  const s = await setup(t);
  const teamHook = (version: number) => `#!/bin/sh\necho "team post-merge v${version}"\n`;
  await commitFiles(s.seed, { '.githooks/post-merge': teamHook(1) }, 'team hooks');
  await chmod(path.join(s.seed, '.githooks', 'post-merge'), 0o755);
  await git(s.seed, ['update-index', '--chmod=+x', '.githooks/post-merge']);
  await git(s.seed, ['commit', '-q', '-m', 'executable']);
  await git(s.seed, ['push', '-q', 'origin', 'main']);
  await git(s.repo, ['pull', '-q']);
  await git(s.repo, ['config', 'core.hooksPath', '.githooks']);

  const installed = await s.cli(s.repo, 'install');
  assert.equal(installed.code, 0);
  assert.match(installed.stdout, /core\.hooksPath is \.githooks, a folder of the working tree: install writes nothing there/);
  assert.match(installed.stdout, /\.githooks\/post-merge: {2}shim="\$\(git rev-parse --git-common-dir\)\/custodian-hooks\/post-merge"/);
  assert.equal(await git(s.repo, ['status', '--porcelain', '--untracked-files=all']), '', 'nothing written in the working tree');
  assert.equal(await readFile(path.join(s.repo, '.githooks', 'post-merge'), 'utf8'), teamHook(1));
  const doctor = await s.cli(s.repo, 'doctor');
  assert.match(doctor.stdout, /\.githooks\/post-merge does not call custodian-hooks/);

  // The team adds the line, as install said, and commits it; a pull then runs both hooks.
  const line = /\.githooks\/post-merge: {2}(.*)/.exec(installed.stdout)![1]!;
  await git(s.seed, ['pull', '-q']);
  await writeFile(path.join(s.seed, '.githooks', 'post-merge'), `${teamHook(2)}${line}\n`);
  await git(s.seed, ['commit', '-q', '-am', 'team hooks call custodian-hooks']);
  await git(s.seed, ['push', '-q', 'origin', 'main']);
  const pulled = await s.pullFresh();
  assert.match(pulled, /custodian-hooks: hub/);
  assert.equal(await git(s.repo, ['status', '--porcelain', '--untracked-files=all']), '');
  assert.equal((await s.cli(s.repo, 'install')).stdout.includes('post-merge: called from .githooks/post-merge'), true);
});

test('a clone with no commits yet: the hooks go in, and no commit-graph is claimed', async (t) => {
  const s = await setup(t);
  const empty = path.join(s.root, 'empty');
  await git(s.root, ['init', '-q', empty]);
  const result = await s.cli(empty, 'install');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /post-merge: installed/);
  assert.doesNotMatch(result.stdout, /commit-graph/);
});

test('outside a repo install says it skipped and exits 0, as husky does; a bare repo is a usage error', async (t) => {
  const s = await setup(t);
  const nowhere = await tempDir(t);
  const result = await s.cli(nowhere, 'install');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^custodian-hooks install skipped: no git repository here .*tarball$/);
  assert.deepEqual(await readdir(nowhere), [], 'nothing created');
  const bare = await s.cli(path.join(s.root, 'acme.git'), 'install');
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /bare repository: hooks run in working trees/);

  // A repository git finds only through GIT_DIR (a bare repo of dotfiles): the message says why.
  const dotfiles = { GIT_DIR: path.join(s.root, 'acme.git'), GIT_WORK_TREE: nowhere };
  const skipped = await runCli(nowhere, ['install'], { ...s.env, ...dotfiles });
  assert.equal(skipped.code, 0);
  assert.match(skipped.stdout, /skipped: not inside a git repository: .* \(GIT_DIR and GIT_WORK_TREE set: .*does not follow GIT_DIR or GIT_WORK_TREE/);
  const run = await runCli(nowhere, ['run'], { ...s.env, ...dotfiles });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /not inside a git repository: .* \(GIT_DIR and GIT_WORK_TREE set/);
  assert.deepEqual(await readdir(nowhere), [], 'nothing created');
});

test('"prepare": "custodian-hooks install" never fails an npm install without .git or with CUSTODIAN_HOOKS=0', async (t) => {
  const s = await setup(t);
  const app = await tempDir(t);
  await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, scripts: { prepare: 'custodian-hooks install' } }));
  await mkdir(path.join(app, 'node_modules', '.bin'), { recursive: true });
  await symlink(CLI, path.join(app, 'node_modules', '.bin', 'custodian-hooks'));
  const prepare = await execa('npm', ['run', 'prepare'], { cwd: app, env: s.env, reject: false });
  assert.equal(prepare.exitCode, 0, prepare.stderr);
  assert.match(prepare.stdout, /custodian-hooks install skipped: no git repository here/);

  const off = await runCli(s.repo, ['install'], { ...s.env, CUSTODIAN_HOOKS: '0' });
  assert.equal(off.code, 0, off.stderr);
  assert.equal(off.stdout, 'custodian-hooks install skipped: CUSTODIAN_HOOKS=0 is set');
  assert.ok(!existsSync(path.join(s.repo, '.git', 'hooks', 'post-merge')), 'no hook installed');
});

test('CUSTODIAN_HOOKS=0 makes the hooks do nothing; a PATH without node still works', async (t) => {
  const s = await setup(t);
  await s.cli(s.repo, 'install');
  assert.doesNotMatch(await s.pullFresh(s.repo, { CUSTODIAN_HOOKS: '0' }), /custodian-hooks/);
  assert.deepEqual(JSON.parse((await s.cli(s.repo, 'task', 'list', '--json')).stdout).tasks, [], 'nothing reached the hub');

  // Only git's own directory on PATH (git puts it there for hooks): the shim needs no other command.
  assert.match(await s.pullFresh(s.repo, { PATH: '/nonexistent' }), /custodian-hooks: hub\s+A: created as todo/);
});

test('protocol prints the session-close block that ships as a template', async (t) => {
  const s = await setup(t);
  const result = await s.cli(s.repo, 'protocol');
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^## Session close/);
  assert.match(result.stdout, /C-13/);
  assert.match(result.stdout, /custodian-hooks run --fix --pull/);
});
