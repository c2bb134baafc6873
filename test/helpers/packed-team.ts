import assert from 'node:assert/strict';
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { git } from '../../src/git/run.js';
import { HttpHub } from '../../src/hub/http-hub.js';
import { openStore } from '../../src/hub/open.js';
import { startHub } from '../../src/hub/serve.js';
import type { RepoState } from '../../src/hub/types.js';
import { PLAN } from './scene.js';
import { commitFiles, tempDir, cloneAs } from './temp-repo.js';
import { workplan } from './workplan-text.js';

/** A bare origin, a shared HTTP hub, and machines whose hooks come from the packed package. */
export async function packedWorld(t: TestContext, packedCli: string) {
  const root = await tempDir(t);
  const db = path.join(root, 'hub.sqlite');
  const store = await openStore(db);
  const token = await store.createToken('team');
  let hub = await startHub(store);
  t.after(() => hub.close());
  const env: Record<string, string> = {
    XDG_STATE_HOME: path.join(root, 'state'),
    XDG_CACHE_HOME: path.join(root, 'cache'),
    CUSTODIAN_HUB: hub.url,
    CUSTODIAN_HUB_TOKEN: token,
    NO_COLOR: '1',
  };
  const origin = path.join(root, 'acme.git');
  await git(root, ['init', '-q', '--bare', '-b', 'main', origin]);

  const cli = (cwd: string, ...args: string[]) => execa(process.execPath, [packedCli, ...args], { cwd, env, reject: false, stdin: 'ignore' });
  /** Runs git as the user would, with the hooks firing; returns what the hooks said on stderr. */
  const gitUser = async (cwd: string, ...args: string[]) => {
    const result = await execa('git', args, { cwd, env: { ...env, GIT_TERMINAL_PROMPT: '0' }, reject: false, stdin: 'ignore' });
    assert.equal(result.exitCode, 0, `git ${args.join(' ')}: ${result.stderr}`);
    return String(result.stderr);
  };
  const machine = async (name: string) => {
    const dir = path.join(root, name);
    await cloneAs(origin, dir, name);
    return dir;
  };
  const hubStatuses = async () => {
    const state = (await new HttpHub(hub.url, undefined).readRepo('acme')) as RepoState;
    return Object.fromEntries(state.tasks.map((x) => [x.id, x.status]));
  };
  const fileStatuses = async (dir: string) => {
    const text = await readFile(path.join(dir, PLAN), 'utf8');
    return Object.fromEntries([...text.matchAll(/id: (\w+)\nstatus: (\w+)/g)].map((m) => [m[1], m[2]]));
  };
  // Back at the same address: a clone that finds its hub at another one refuses it.
  const restartHub = async () => {
    hub = await startHub(await openStore(db), { port: Number(new URL(hub.url).port) });
  };
  const hubEtag = async () => ((await new HttpHub(hub.url, undefined).readRepo('acme')) as RepoState).etag;
  return { root, env, cli, gitUser, machine, hubStatuses, hubEtag, fileStatuses, stopHub: () => hub.close(), restartHub };
}

/** The workstation with tasks A and B pushed, and a remote machine: both with the packed package's hooks. */
export async function packedTeam(t: TestContext, packedCli: string) {
  const w = await packedWorld(t, packedCli);
  const ws = await w.machine('workstation');
  await commitFiles(
    ws,
    {
      [PLAN]: workplan([
        { id: 'A', status: 'todo' },
        { id: 'B', status: 'todo' },
      ]),
    },
    'plan',
  );
  const installed = await w.cli(ws, 'install');
  assert.equal(installed.exitCode, 0, installed.stderr);
  await w.gitUser(ws, 'push', '-q', '-u', 'origin', 'main');
  const remote = await w.machine('remote');
  assert.equal((await w.cli(remote, 'install')).exitCode, 0);
  return { ...w, ws, remote };
}
