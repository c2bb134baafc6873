import assert from 'node:assert/strict';
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { git } from '../src/git/run.js';
import { unpackPackage } from './helpers/packed.js';
import { packedTeam } from './helpers/packed-team.js';
import { PLAN } from './helpers/scene.js';
import { commitFiles } from './helpers/temp-repo.js';

let packed: Awaited<ReturnType<typeof unpackPackage>>;
before(async () => {
  packed = await unpackPackage();
});
after(() => packed?.remove());

const edit = (text: string, id: string, status: string) => text.replace(new RegExp(`(id: ${id}\\r?\\nstatus: )\\w+`), `$1${status}`);

/** The team of hooks-e2e, each clone's hooks and merge driver from the packed package, both synced with the hub. */
async function team(t: TestContext) {
  const w = await packedTeam(t, packed.cli);
  await w.gitUser(w.remote, 'pull', '-q');
  /** git as the user runs it, whatever its exit code: a conflicted pull is an answer here. */
  const gitTry = async (cwd: string, ...args: string[]) => {
    const result = await execa('git', args, { cwd, env: { ...w.env, GIT_TERMINAL_PROMPT: '0' }, reject: false, stdin: 'ignore' });
    return { code: result.exitCode ?? -1, stderr: String(result.stderr), stdout: String(result.stdout) };
  };
  const must = async (cwd: string, ...args: string[]) => {
    const ran = await w.cli(cwd, ...args);
    assert.equal(ran.exitCode, 0, `${args.join(' ')}: ${ran.stderr}`);
    return ran;
  };
  /** A person sets a status in the file and commits it. */
  const setByHand = async (cwd: string, id: string, status: string) =>
    commitFiles(cwd, { [PLAN]: edit(await readFile(path.join(cwd, PLAN), 'utf8'), id, status) }, `${id} → ${status}`);
  const read = (cwd: string) => readFile(path.join(cwd, PLAN), 'utf8');
  const unmerged = async (cwd: string) => (await git(cwd, ['diff', '--name-only', '--diff-filter=U'])).trim();
  return { ...w, gitTry, must, setByHand, read, unmerged };
}

test('two writebacks from different hub moments: the pull merges with no conflict, to the hub’s value, and both clones converge', async (t) => {
  const w = await team(t);
  await w.must(w.ws, 'task', 'set', 'A', 'in_progress');
  await w.must(w.ws, 'run', '--fix');
  assert.equal((await w.fileStatuses(w.ws)).A, 'in_progress', 'the workstation wrote back in_progress');
  await w.must(w.remote, 'task', 'set', 'A', 'done');
  await w.must(w.remote, 'run', '--fix');
  await w.gitUser(w.remote, 'push', '-q');

  const pulled = await w.gitTry(w.ws, 'pull', '--no-rebase');
  assert.equal(pulled.code, 0, pulled.stderr + pulled.stdout);
  assert.match(pulled.stderr, /task 'A' \(ours in_progress, theirs done\): merged as done/);
  assert.equal(await w.unmerged(w.ws), '');
  assert.deepEqual(await w.fileStatuses(w.ws), { A: 'done', B: 'todo' });
  assert.equal((await git(w.ws, ['status', '--porcelain'])).trim(), '');
  await w.gitUser(w.ws, 'push', '-q');
  await w.gitUser(w.remote, 'pull', '-q');
  assert.deepEqual(await w.fileStatuses(w.remote), { A: 'done', B: 'todo' });
  assert.deepEqual(await w.hubStatuses(), { A: 'done', B: 'todo' });
  const check = await w.cli(w.ws, 'run', '--json');
  assert.deepEqual(JSON.parse(check.stdout).findings, [], 'a check finds nothing left to do');
});
