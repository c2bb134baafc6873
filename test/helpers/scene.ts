import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { git } from '../../src/git/run.js';
import { HttpHub } from '../../src/hub/http-hub.js';
import { SqlStore } from '../../src/hub/sql-store.js';
import { openSqlite } from '../../src/hub/sql/sqlite-driver.js';
import type { HubTask, RepoState } from '../../src/hub/types.js';
import { runCli } from './cli.js';
import { commitFiles, tempDir, cloneAs } from './temp-repo.js';
import { workplan } from './workplan-text.js';

export const PLAN = 'docs/plan.md';

/**
 * A multi-machine scene: a bare origin, clones that stand for machines, and one hub (a SQLite
 * file every machine's CLI points at through CUSTODIAN_HUB, unless an HTTP hub is given).
 */
export async function scene(t: TestContext, tasks: { id: string; status: string }[], options: { hubUrl?: string; token?: string } = {}) {
  const root = await tempDir(t);
  const origin = path.join(root, 'acme.git');
  await git(root, ['init', '-q', '--bare', '-b', 'main', origin]);
  const env: Record<string, string> = {
    XDG_STATE_HOME: path.join(root, 'state'),
    CUSTODIAN_HUB: options.hubUrl ?? path.join(root, 'hub.sqlite'),
    ...(options.token ? { CUSTODIAN_HUB_TOKEN: options.token } : {}),
  };

  const clone = async (name: string) => {
    const dir = path.join(root, name);
    await cloneAs(origin, dir, name);
    return machine(dir, name);
  };

  const machine = (dir: string, name: string) => ({
    dir,
    name,
    run: (...args: string[]) => runCli(dir, ['run', '--json', ...args], env),
    cli: (...args: string[]) => runCli(dir, args, env),
    git: (...args: string[]) => git(dir, args),
    read: (file = PLAN) => readFile(path.join(dir, file), 'utf8'),
    write: (text: string, file = PLAN) => writeFile(path.join(dir, file), text),
    /** Sets a status in the file and commits it, as a person editing the workplan does. */
    async edit(id: string, status: string, message = `${id} → ${status}`) {
      const text = await this.read();
      const next = text.replace(new RegExp(`(id: ${id}\\nstatus: )\\w+`), `$1${status}`);
      if (next === text) throw new Error(`edit(${id}, ${status}) changed nothing`);
      return commitFiles(dir, { [PLAN]: next }, message);
    },
    async statusInFile(id: string) {
      return new RegExp(`id: ${id}\\nstatus: (\\w+)`).exec(await this.read())?.[1];
    },
    head: async () => (await git(dir, ['rev-parse', 'HEAD'])).trim(),
  });

  const first = await clone('workstation');
  await commitFiles(first.dir, { [PLAN]: workplan(tasks), 'README.md': '# acme\n' }, 'initial plan');
  await first.git('push', '-q', 'origin', 'main');

  /** The hub's view, read from its database (or over HTTP for an HTTP hub). */
  const hubState = async (): Promise<RepoState> => {
    const store = options.hubUrl ? new HttpHub(options.hubUrl, options.token) : await SqlStore.open(openSqlite(env.CUSTODIAN_HUB!), 'test');
    try {
      return (await store.readRepo('acme')) as RepoState;
    } finally {
      await store.close();
    }
  };
  const hubTasks = async (): Promise<Record<string, HubTask>> => Object.fromEntries((await hubState()).tasks.map((task) => [task.id, task]));
  const hubStatus = async (id: string) => (await hubTasks())[id]?.status;
  return { root, origin, env, clone, workstation: first, hubState, hubTasks, hubStatus };
}

export type Machine = Awaited<ReturnType<Awaited<ReturnType<typeof scene>>['clone']>>;

export function parseReport(stdout: string) {
  return JSON.parse(stdout) as {
    repo: string;
    mode: string;
    findings: { code: string; severity: string; message: string; file?: string; line?: number; taskId?: string }[];
    actions: { type: string; taskId?: string; commit?: string }[];
  };
}

/** The usual start: tasks A and B todo, the workstation synced, and a laptop with the hooks installed. */
export async function workstationAndLaptop(t: TestContext) {
  const s = await scene(t, [
    { id: 'A', status: 'todo' },
    { id: 'B', status: 'todo' },
  ]);
  const ws = s.workstation;
  const synced = await ws.run('--fix');
  if (synced.code !== 0) throw new Error(`the first sync failed: ${synced.stderr}`);
  const laptop = await s.clone('laptop');
  const installed = await laptop.cli('install');
  if (installed.code !== 0) throw new Error(`install failed: ${installed.stderr}`);
  return { s, ws, laptop };
}

/** Tasks A and B; A made done in a file and synced, then reopened in the hub: where the lost-update cases start. */
export async function reopenedInHub(t: TestContext) {
  const s = await scene(t, [
    { id: 'A', status: 'todo' },
    { id: 'B', status: 'todo' },
  ]);
  const ws = s.workstation;
  const must = (ran: { code: number; stderr: string }, what: string) => {
    if (ran.code !== 0) throw new Error(`${what} failed: ${ran.stderr}`);
  };
  must(await ws.run('--fix'), 'the first sync');
  await ws.edit('A', 'done');
  must(await ws.run('--fix'), 'the sync of done');
  if ((await s.hubStatus('A')) !== 'done') throw new Error('the hub did not take done');
  must(await ws.cli('task', 'set', 'A', 'todo'), 'the reopen in the hub');
  return s;
}
