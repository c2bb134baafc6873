import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { execa } from 'execa';
import { git } from '../src/git/run.js';
import { CLI } from './helpers/paths.js';
import { PLAN } from './helpers/scene.js';
import { commitFiles, tempDir, cloneAs } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

/**
 * husky 9, lefthook 2.2.1 and simple-git-hooks as a team gets them from the registry, installed
 * once into a folder every test app links as its node_modules.
 */
let tools: string;
before(async () => {
  tools = await mkdtemp(path.join(tmpdir(), 'custodian-managers-'));
  await writeFile(path.join(tools, 'package.json'), '{ "name": "tools", "private": true }\n');
  await execa('npm', ['install', '--no-audit', '--no-fund', '--save-exact', 'husky@9', 'lefthook@2.2.1', 'simple-git-hooks@2'], { cwd: tools });
});
after(() => rm(tools, { recursive: true, force: true }));

/** Every file of a folder with its bytes (and whether it runs), to compare before and after. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = (await readFile(file)).toString('base64');
  }
  return out;
}

/** An app on an origin, with a hub, two machines, and the tool's config committed by the first. */
async function app(t: TestContext, files: Record<string, string>) {
  const root = await tempDir(t);
  const env = { XDG_STATE_HOME: path.join(root, 'state'), CUSTODIAN_HUB: path.join(root, 'hub.sqlite'), NO_COLOR: '1', GIT_TERMINAL_PROMPT: '0' };
  const origin = path.join(root, 'app.git');
  await git(root, ['init', '-q', '--bare', '-b', 'main', origin]);
  const clone = async (name: string) => {
    const dir = path.join(root, name);
    await cloneAs(origin, dir, name);
    await symlink(path.join(tools, 'node_modules'), path.join(dir, 'node_modules'));
    return dir;
  };
  const run = async (cwd: string, command: string, ...args: string[]) => {
    const result = await execa(command, args, {
      cwd,
      env: { ...env, PATH: `${path.join(cwd, 'node_modules', '.bin')}:${process.env.PATH}` },
      reject: false,
      stdin: 'ignore',
    });
    assert.equal(result.exitCode, 0, `${command} ${args.join(' ')}: ${result.stderr}`);
    return `${result.stdout}\n${result.stderr}`;
  };
  const cli = (cwd: string, ...args: string[]) => run(cwd, process.execPath, CLI, ...args);
  const first = await clone('first');
  await commitFiles(first, { [PLAN]: workplan([{ id: 'T1', status: 'todo' }]), '.gitignore': 'node_modules\n', ...files }, 'app');
  await git(first, ['push', '-q', 'origin', 'main']);
  const second = await clone('second');
  assert.match(await cli(second, 'run', '--fix'), /created as todo/);

  /** Another machine moves the branch and an agent marks T1 done: the second machine's pull merges, and its post-merge writes back. */
  const newsFromElsewhere = async (n: number) => {
    await git(first, ['pull', '-q', 'origin', 'main']);
    await commitFiles(first, { [`notes-${n}.txt`]: `${n}\n` }, `note ${n}`);
    await git(first, ['push', '-q', 'origin', 'main']);
    await cli(first, 'task', 'set', 'T1', n % 2 === 1 ? 'done' : 'in_progress');
    return n % 2 === 1 ? 'done' : 'in_progress';
  };
  const statusIn = async (dir: string) => /id: T1\nstatus: (\w+)/.exec(await readFile(path.join(dir, PLAN), 'utf8'))?.[1];
  const fired = (dir: string) => readFile(path.join(dir, '.git', 'fired'), 'utf8').catch(() => '');
  return { second, run, cli, newsFromElsewhere, statusIn, fired };
}

type App = Awaited<ReturnType<typeof app>>;

/**
 * A pull fires the tool's post-merge and ours (which writes the hub's status back); a push fires
 * both pre-push hooks. The pull is a fast-forward: after a true merge, git runs post-merge while
 * MERGE_HEAD still exists, which the reconciler takes for a merge in progress (a defect of its own).
 */
async function bothFire(a: App, n: number) {
  const expected = await a.newsFromElsewhere(n);
  const before = await a.fired(a.second);
  const said = await a.run(a.second, 'git', 'pull', '-q', '--no-edit', 'origin', 'main');
  assert.equal(await a.statusIn(a.second), expected, `our post-merge wrote the hub status back; the pull said: ${said}`);
  await a.run(a.second, 'git', 'push', '-q', 'origin', 'main');
  assert.equal((await a.fired(a.second)).slice(before.length), 'post-merge\npre-push\n', "the tool's own hooks fired too");
}

const hooksDir = (dir: string) => path.join(dir, '.git', 'hooks');
const noResidue = (dir: string) => {
  for (const left of ['.git/custodian-hooks', '.git/hooks/.custodian-chained', 'lefthook-local.yml']) assert.ok(!existsSync(path.join(dir, left)), left);
  for (const hook of ['post-merge', 'post-rewrite', 'pre-push']) assert.ok(!existsSync(path.join(hooksDir(dir), `${hook}.old`)), `${hook}.old`);
};

const LEFTHOOK_YML =
  'post-merge:\n  commands:\n    mark:\n      run: echo post-merge >> .git/fired\npre-push:\n  commands:\n    mark:\n      run: echo pre-push >> .git/fired\n';

test('lefthook installed first: we join its local config, survive its reinstall, and uninstall puts every byte back', async (t) => {
  const a = await app(t, { 'lefthook.yml': LEFTHOOK_YML });
  await a.run(a.second, 'lefthook', 'install');
  const hooksBefore = await snapshot(hooksDir(a.second));
  const excludeBefore = await readFile(path.join(a.second, '.git', 'info', 'exclude'), 'utf8');

  assert.match(await a.cli(a.second, 'install'), /called from lefthook's lefthook-local\.yml[\s\S]*lefthook: hooks written from its config/);
  assert.equal(await git(a.second, ['status', '--porcelain']), '', 'the local config stays out of git status');
  await a.run(a.second, 'lefthook', 'install'); // what its postinstall does on every npm install
  await bothFire(a, 1);
  assert.match(await a.cli(a.second, 'doctor'), /✓ post-merge: fires[\s\S]*✓ pre-push: fires/);

  await a.cli(a.second, 'uninstall');
  assert.deepEqual(await snapshot(hooksDir(a.second)), hooksBefore);
  assert.equal(await readFile(path.join(a.second, '.git', 'info', 'exclude'), 'utf8'), excludeBefore);
  noResidue(a.second);
});

test('lefthook installed after us: doctor names it, install moves into its config, the .old copy goes', async (t) => {
  const a = await app(t, {});
  const hooksBefore = await snapshot(hooksDir(a.second));
  await a.cli(a.second, 'install');
  await commitFiles(a.second, { 'lefthook.yml': LEFTHOOK_YML }, 'adopt lefthook');
  await a.run(a.second, 'git', 'push', '-q', 'origin', 'main');
  await a.run(a.second, 'lefthook', 'install');
  const doctor = await execa(process.execPath, [CLI, 'doctor'], { cwd: a.second, reject: false, env: { NO_COLOR: '1' } });
  assert.match(
    String(doctor.stdout),
    /✗ post-merge: lefthook owns the hooks here, and lefthook-local\.yml does not call custodian-hooks from post-merge: run custodian-hooks install/,
  );

  await a.cli(a.second, 'install');
  assert.ok(!existsSync(path.join(hooksDir(a.second), 'post-merge.old')), 'our old shim is not left as post-merge.old');
  await a.run(a.second, 'lefthook', 'install');
  await bothFire(a, 1);

  await a.cli(a.second, 'uninstall');
  noResidue(a.second);
  const left = await snapshot(hooksDir(a.second));
  assert.deepEqual(
    Object.keys(left).filter((f) => !(f in hooksBefore)),
    ['post-merge', 'pre-push'],
    "what remains is lefthook's own hooks for its own config",
  );
});

const SGH = { 'post-merge': 'echo post-merge >> .git/fired', 'pre-push': 'echo pre-push >> .git/fired' };
const PACKAGE_JSON = `${JSON.stringify({ name: 'app', private: true, 'simple-git-hooks': SGH }, null, 2)}\n`;

test('simple-git-hooks before and after us: our calls live in its config, its reinstall keeps them, uninstall restores package.json byte for byte', async (t) => {
  const a = await app(t, { 'package.json': PACKAGE_JSON });
  await a.run(a.second, 'simple-git-hooks');
  const hooksBefore = await snapshot(hooksDir(a.second));

  assert.match(await a.cli(a.second, 'install'), /called from simple-git-hooks's package\.json[\s\S]*simple-git-hooks: hooks written from its config/);
  await a.run(a.second, 'simple-git-hooks'); // deletes every hook not in its config: ours are in it
  await bothFire(a, 1);

  await a.cli(a.second, 'uninstall');
  assert.equal(await readFile(path.join(a.second, 'package.json'), 'utf8'), PACKAGE_JSON);
  assert.deepEqual(await snapshot(hooksDir(a.second)), hooksBefore);
  noResidue(a.second);

  // Installed after us: simple-git-hooks deletes our hooks; doctor says so, install joins its config.
  const plain = await app(t, {});
  await plain.cli(plain.second, 'install');
  await commitFiles(plain.second, { 'package.json': PACKAGE_JSON }, 'adopt simple-git-hooks');
  await plain.run(plain.second, 'git', 'push', '-q', 'origin', 'main');
  await plain.run(plain.second, 'simple-git-hooks');
  const doctor = await execa(process.execPath, [CLI, 'doctor'], { cwd: plain.second, reject: false, env: { NO_COLOR: '1' } });
  assert.match(String(doctor.stdout), /✗ post-merge: simple-git-hooks owns the hooks here, and package\.json does not call custodian-hooks/);
  await plain.cli(plain.second, 'install');
  await bothFire(plain, 1);
});

test('husky 9 from the registry: a hook without a final newline comes back byte for byte', async (t) => {
  const a = await app(t, { '.husky/post-merge': 'echo post-merge >> .git/fired', '.husky/pre-push': 'echo pre-push >> .git/fired\n' });
  await a.run(a.second, 'husky');
  const huskyBefore = await snapshot(path.join(a.second, '.husky'));
  await a.cli(a.second, 'install');
  await a.run(a.second, 'husky'); // reinstalled, as its prepare script does
  await bothFire(a, 1);
  await a.cli(a.second, 'uninstall');
  assert.deepEqual(await snapshot(path.join(a.second, '.husky')), huskyBefore);
  noResidue(a.second);
});

test('husky 9 from the registry installed after us: doctor names it, install moves into .husky, uninstall leaves neither our shims nor husky changed', async (t) => {
  const a = await app(t, { '.husky/post-merge': 'echo post-merge >> .git/fired\n', '.husky/pre-push': 'echo pre-push >> .git/fired\n' });
  const hooksBefore = await snapshot(hooksDir(a.second));
  await a.cli(a.second, 'install');
  await a.run(a.second, 'husky'); // the team adopts husky: git now runs .husky/_, not .git/hooks
  const huskyBefore = await snapshot(path.join(a.second, '.husky'));
  const doctor = await execa(process.execPath, [CLI, 'doctor'], { cwd: a.second, reject: false, env: { NO_COLOR: '1' } });
  assert.equal(doctor.exitCode, 1);
  assert.match(
    String(doctor.stdout),
    /✗ post-merge: husky runs hooks from \.husky\/_, and \.husky\/post-merge does not call custodian-hooks: run custodian-hooks install/,
  );

  await a.cli(a.second, 'install');
  await a.run(a.second, 'husky');
  await bothFire(a, 1);

  await a.cli(a.second, 'uninstall');
  assert.deepEqual(await snapshot(path.join(a.second, '.husky')), huskyBefore);
  assert.deepEqual(await snapshot(hooksDir(a.second)), hooksBefore, 'the shims of the first install are gone too');
  noResidue(a.second);
});
