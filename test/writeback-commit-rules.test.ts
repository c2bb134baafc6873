import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { execa } from 'execa';
import { git } from '../src/git/run.js';
import { teamMessage } from '../src/writeback/commit-rules.js';
import { writebackMessage, writtenByMessage } from '../src/writeback/message.js';
import { parseReport, scene } from './helpers/scene.js';
import { commitFiles } from './helpers/temp-repo.js';

const SPEC = writebackMessage('box', [{ taskId: 'A', title: 'A', file: 'plan.md', line: 3, from: 'todo', to: 'done' }]);

test("the team's suffix goes on the spec's subject line and its trailers where git finds them", async () => {
  assert.equal(teamMessage(SPEC, undefined), SPEC);
  const message = teamMessage(SPEC, { suffix: '[skip ci]', trailers: ['Signed-off-by: Bot <bot@example.com>', 'Refs: OPS-1'] });
  assert.equal(message.split('\n')[0], 'chore(consistency): sync task status from DB [auto] [skip ci]');
  assert.ok(message.includes('Updated by fix-consistency on box:\n- A: todo → done\n'), 'the body is the spec’s');
  const { stdout } = await execa('git', ['interpret-trailers', '--parse'], { input: message });
  assert.equal(stdout, 'Signed-off-by: Bot <bot@example.com>\nRefs: OPS-1');
});

test("a writeback message is read back as what it wrote, with the team's suffix and trailers; a revert of one wrote nothing", () => {
  const two = writebackMessage('box', [
    { taskId: 'A', title: 'A', file: 'plan.md', line: 3, from: 'todo', to: 'done' },
    { taskId: 'x: y', title: 'x', file: 'plan.md', line: 9, from: 'blocked', to: 'in_progress' },
  ]);
  const team = teamMessage(two, { suffix: '[skip ci]', trailers: ['Refs: OPS-1'] });
  assert.deepEqual(
    [...writtenByMessage(team)],
    [
      ['A', 'done'],
      ['x: y', 'in_progress'],
    ],
  );
  assert.equal(writtenByMessage(`Revert "${SPEC.split('\n')[0]}"\n\nThis reverts commit 0123.\n${SPEC}`).size, 0);
});

/** A clone whose hub has A done while its file says todo: its next fix run makes a writeback commit. */
async function pendingWriteback(t: TestContext, config: string) {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const ws = s.workstation;
  await commitFiles(ws.dir, { '.custodian.yml': config }, 'team rules');
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal((await ws.cli('task', 'set', 'A', 'done')).code, 0);
  return { s, ws };
}

test('a writeback commit carries the suffix and trailers from .custodian.yml', async (t) => {
  const { ws } = await pendingWriteback(t, 'commit:\n  suffix: "[skip ci]"\n  trailers:\n    - "Signed-off-by: Bot <bot@example.com>"\n');
  const run = await ws.run('--fix');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await git(ws.dir, ['log', '-1', '--format=%s']), 'chore(consistency): sync task status from DB [auto] [skip ci]\n');
  assert.equal(await git(ws.dir, ['log', '-1', '--format=%(trailers:only,unfold)']), 'Signed-off-by: Bot <bot@example.com>\n\n');
  assert.equal(await git(ws.dir, ['log', '-1', '--format=%G?']), 'N\n', 'unsigned unless asked');
});

/** An SSH signing key without a passphrase, as an agent would hold, and the allowed-signers file that verifies it. */
async function sshSigningKey(root: string) {
  const key = path.join(root, 'signing-key');
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'workstation', '-f', key]);
  const allowed = path.join(root, 'allowed-signers');
  await writeFile(allowed, `workstation@example.com ${await readFile(`${key}.pub`, 'utf8')}`);
  return { key, allowed };
}

test('sign: true signs the writeback commit with the git signing setup; a signer that fails leaves the files and history alone', async (t) => {
  const { s, ws } = await pendingWriteback(t, 'commit:\n  sign: true\n');
  const { key, allowed } = await sshSigningKey(s.root);

  // First with a key that is not there: no commit, C-25 says why, the file keeps its status.
  await git(ws.dir, ['config', 'gpg.format', 'ssh']);
  await git(ws.dir, ['config', 'user.signingkey', path.join(s.root, 'no-such-key.pub')]);
  const head = await ws.head();
  const failed = parseReport((await ws.run('--fix')).stdout);
  assert.ok(
    failed.findings.some((f) => f.code === 'C-25' && /writeback not committed/.test(f.message)),
    JSON.stringify(failed.findings),
  );
  assert.equal(await ws.head(), head);
  assert.equal(await ws.statusInFile('A'), 'todo');

  await git(ws.dir, ['config', 'user.signingkey', `${key}.pub`]);
  await git(ws.dir, ['config', 'gpg.ssh.allowedSignersFile', allowed]);
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal(await ws.statusInFile('A'), 'done');
  const verified = await execa('git', ['verify-commit', 'HEAD'], { cwd: ws.dir, reject: false });
  assert.equal(verified.exitCode, 0, verified.stderr);
  assert.match(verified.stderr, /Good "git" signature for workstation@example.com/);
});

test('sign: auto signs only where git itself signs commits (commit.gpgsign)', async (t) => {
  const { s, ws } = await pendingWriteback(t, 'commit:\n  sign: auto\n');
  // The scene turns commit.gpgsign off: auto leaves the commit unsigned rather than failing.
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal(await ws.statusInFile('A'), 'done');
  assert.equal(await git(ws.dir, ['log', '-1', '--format=%G?']), 'N\n');

  const { key, allowed } = await sshSigningKey(s.root);
  for (const [k, v] of [
    ['commit.gpgsign', 'true'],
    ['gpg.format', 'ssh'],
    ['user.signingkey', `${key}.pub`],
    ['gpg.ssh.allowedSignersFile', allowed],
  ])
    await git(ws.dir, ['config', k!, v!]);
  assert.equal((await ws.cli('task', 'set', 'A', 'in_progress')).code, 0);
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal(await ws.statusInFile('A'), 'in_progress');
  assert.equal(await git(ws.dir, ['log', '-1', '--format=%G?']), 'G\n', 'signed, as the user signs their own commits');
});
