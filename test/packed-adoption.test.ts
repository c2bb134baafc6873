import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { git } from '../src/git/run.js';
import { openStore } from '../src/hub/open.js';
import { startHub } from '../src/hub/serve.js';
import { unpackPackage } from './helpers/packed.js';
import { ROOT } from './helpers/paths.js';
import { PLAN } from './helpers/scene.js';
import { commitFiles, tempDir, cloneAs } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

/** Issue 18, items 2 and 3, through the package as `npm pack` ships it. */
let packed: Awaited<ReturnType<typeof unpackPackage>>;
before(async () => {
  packed = await unpackPackage();
});
after(() => packed?.remove());

test('packed: a GUI-like pull (env -i: PATH and HOME only) reaches the hub of .custodian.yml with the credentials file, and writes back', async (t) => {
  const root = await tempDir(t);
  const store = await openStore(path.join(root, 'hub.sqlite'));
  const token = await store.createToken('team');
  const hub = await startHub(store);
  t.after(() => hub.close());
  const home = path.join(root, 'home');
  // What a GUI client gives git: a PATH and a home. The credentials file sits where XDG says by default.
  const gui = { PATH: process.env.PATH ?? '', HOME: home };
  await mkdir(path.join(home, '.config', 'custodian-hooks'), { recursive: true });
  await writeFile(path.join(home, '.config', 'custodian-hooks', 'credentials'), `${hub.url} ${token}\n`, { mode: 0o600 });
  const run = (cwd: string, command: string, ...args: string[]) => execa(command, args, { cwd, env: gui, extendEnv: false, reject: false, stdin: 'ignore' });
  const cli = (cwd: string, ...args: string[]) => run(cwd, process.execPath, packed.cli, ...args);

  const origin = path.join(root, 'acme.git');
  await git(root, ['init', '-q', '--bare', '-b', 'main', origin]);
  const machine = async (name: string) => {
    const dir = path.join(root, name);
    await cloneAs(origin, dir, name);
    const installed = await cli(dir, 'install');
    assert.equal(installed.exitCode, 0, installed.stderr);
    return dir;
  };
  const ws = await machine('workstation');
  await commitFiles(ws, { [PLAN]: workplan([{ id: 'A', status: 'todo' }]), '.custodian.yml': `repo: acme\nhub: ${hub.url}\n` }, 'plan on the team hub');
  assert.equal((await run(ws, 'git', 'push', '-q', '-u', 'origin', 'main')).exitCode, 0);
  const laptop = await machine('laptop');

  assert.equal((await cli(ws, 'task', 'set', 'A', 'done')).exitCode, 0);
  await commitFiles(ws, { 'README.md': '# acme\n' }, 'readme');
  assert.equal((await run(ws, 'git', 'push', '-q')).exitCode, 0);

  const pull = await run(laptop, 'git', 'pull', '-q');
  assert.equal(pull.exitCode, 0, String(pull.stderr));
  assert.match(await readFile(path.join(laptop, PLAN), 'utf8'), /id: A\nstatus: done/);
  assert.match(String((await run(laptop, 'git', 'log', '-1', '--format=%s')).stdout), /sync task status from DB/);
  assert.ok(!existsSync(path.join(home, '.local', 'state', 'custodian-hooks', 'hub.sqlite')), 'no private embedded hub was made');
});

test('packed: a typo in the hub is refused naming the value, from the environment or .custodian.yml, and nothing is created', async (t) => {
  const root = await tempDir(t);
  const repo = path.join(root, 'app');
  await git(root, ['init', '-q', '-b', 'main', repo]);
  for (const [k, v] of [
    ['user.name', 'me'],
    ['user.email', 'me@example.com'],
    ['commit.gpgsign', 'false'],
  ])
    await git(repo, ['config', k!, v!]);
  await commitFiles(repo, { [PLAN]: workplan([{ id: 'A', status: 'todo' }]) }, 'plan');
  const env = { PATH: process.env.PATH ?? '', HOME: path.join(root, 'home') };
  const cli = (extra: Record<string, string>, ...args: string[]) =>
    execa(process.execPath, [packed.cli, ...args], { cwd: repo, env: { ...env, ...extra }, extendEnv: false, reject: false, stdin: 'ignore' });
  const listing = async () => (await readdir(root, { recursive: true })).sort();
  const before = await listing();

  for (const args of [['run'], ['run', '--fix'], ['task', 'list']]) {
    const typo = await cli({ CUSTODIAN_HUB: 'https//typo:7420' }, ...args);
    assert.equal(typo.exitCode, 2, args.join(' '));
    assert.match(String(typo.stderr), /CUSTODIAN_HUB: 'https\/\/typo:7420' is not a hub location/);
  }
  await writeFile(path.join(repo, '.custodian.yml'), 'hub: postgress://db/hub\n');
  const fromConfig = await cli({}, 'run', '--fix');
  assert.equal(fromConfig.exitCode, 2);
  assert.match(String(fromConfig.stderr), /\.custodian\.yml hub: 'postgress:\/\/db\/hub' is not a hub location/);
  await writeFile(path.join(repo, '.custodian.yml'), '# no hub\n');

  // Check mode on a SQLite hub that is not there yet reads it as empty and creates nothing.
  const missing = path.join(root, 'hubs', 'team.sqlite');
  const check = await cli({ CUSTODIAN_HUB: missing }, 'run', '--json');
  assert.equal(check.exitCode, 0, String(check.stderr));
  assert.match(String(check.stdout), /"code": "C-20"/);
  // Every run keeps the slug → folder registry that `run --repo` reads; that is all it may add.
  const registry = path.join('home', '.local', 'state', 'custodian-hooks', 'repos.json');
  assert.deepEqual(
    (await listing()).filter((f) => !before.includes(f) && !f.startsWith(path.join('app', '.git')) && !registry.startsWith(f)),
    [path.join('app', '.custodian.yml')],
    'nothing but the config this test wrote',
  );
  assert.ok(!existsSync(path.join(root, 'hubs')));
});

test('packed: `npm ci` of an app whose prepare script is "custodian-hooks install" succeeds without .git, and with CUSTODIAN_HOOKS=0', async (t) => {
  // The app as a Docker build or a tarball checkout sees it: its files, no .git. The package's own
  // CLI is on PATH as an installed bin would be, so npm need not fetch and build its dependencies.
  const root = await tempDir(t);
  const app = path.join(root, 'app');
  const bin = path.join(root, 'bin');
  await mkdir(app);
  await mkdir(bin);
  await writeFile(path.join(bin, 'custodian-hooks'), `#!/bin/sh\nexec "${process.execPath}" "${packed.cli}" "$@"\n`, { mode: 0o755 });
  await writeFile(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'app', version: '1.0.0', private: true, scripts: { prepare: 'custodian-hooks install' } }),
  );
  await writeFile(
    path.join(app, 'package-lock.json'),
    JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'app', version: '1.0.0' } } }),
  );
  const env = {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    HOME: path.join(root, 'home'),
    npm_config_cache: path.join(root, 'npm-cache'),
  };
  const ci = await execa('npm', ['ci', '--no-audit', '--no-fund'], { cwd: app, env, reject: false });
  assert.equal(ci.exitCode, 0, String(ci.stderr));
  assert.match(String(ci.stdout), /custodian-hooks install skipped: no git repository here/);

  await git(app, ['init', '-q']);
  const off = await execa('npm', ['ci', '--no-audit', '--no-fund'], { cwd: app, env: { ...env, CUSTODIAN_HOOKS: '0' }, reject: false });
  assert.equal(off.exitCode, 0, String(off.stderr));
  assert.match(String(off.stdout), /custodian-hooks install skipped: CUSTODIAN_HOOKS=0 is set/);
  assert.ok(!existsSync(path.join(app, '.git', 'hooks', 'post-merge')));
});

test('packed: the package ships byte for byte the CLI every other end-to-end test runs, and names it as its bin', async () => {
  const shipped = path.join(packed.root, 'dist', 'bundle');
  const built = path.join(ROOT, 'dist', 'bundle');
  const files = (await readdir(built, { recursive: true, withFileTypes: true }))
    .filter((f) => f.isFile())
    .map((f) => path.relative(built, path.join(f.parentPath ?? f.path, f.name)))
    .sort();
  assert.ok(files.includes(path.join('merge', 'driver.js')), 'the merge driver is its own entry');
  const shippedFiles = (await readdir(shipped, { recursive: true, withFileTypes: true })).filter((f) => f.isFile());
  assert.deepEqual(shippedFiles.map((f) => path.relative(shipped, path.join(f.parentPath ?? f.path, f.name))).sort(), files);
  for (const file of files) assert.ok((await readFile(path.join(shipped, file))).equals(await readFile(path.join(built, file))), file);
  const manifest = JSON.parse(await readFile(path.join(packed.root, 'package.json'), 'utf8'));
  assert.equal(path.resolve(packed.root, manifest.bin['custodian-hooks']), packed.cli);
});
