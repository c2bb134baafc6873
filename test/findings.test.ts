import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { checkTable, severityOf } from '../src/findings.js';
import { runCli } from './helpers/cli.js';
import { ROOT } from './helpers/paths.js';
import { tempDir, tempRepo } from './helpers/temp-repo.js';
import { git } from '../src/git/run.js';
import { workplan } from './helpers/workplan-text.js';

test("the README's table of check codes is the catalogue, printed", async () => {
  const readme = await readFile(`${ROOT}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## Check codes'));
  const table = section.slice(section.indexOf('| code |'), section.indexOf('\n\n', section.indexOf('| code |')));
  assert.equal(table, checkTable());
});

test('severities come from the catalogue, by mode and, for C-24, by situation', () => {
  assert.deepEqual([severityOf('C-11', 'check'), severityOf('C-11', 'fix')], ['WARN', 'INFO']);
  assert.deepEqual([severityOf('C-14', 'check'), severityOf('C-14', 'fix')], ['INFO', 'WARN']);
  assert.deepEqual(
    [severityOf('C-24', 'fix', 'detached'), severityOf('C-24', 'fix', 'run-in-progress'), severityOf('C-24', 'fix', 'no-commits')],
    ['WARN', 'INFO', 'INFO'],
  );
  assert.equal(severityOf('C-05', 'fix'), 'FAIL');
});

test('C-24 says which state kept the run from writing, as a field a script can read', async (t) => {
  const env = { XDG_STATE_HOME: await tempDir(t) };
  const empty = await tempDir(t);
  await git(empty, ['init', '-q']);
  const situations = async (dir: string) =>
    JSON.parse((await runCli(dir, ['run', '--fix', '--json'], env)).stdout)
      .findings.filter((f: { code: string }) => f.code === 'C-24')
      .map((f: { situation: string; severity: string }) => [f.situation, f.severity]);
  assert.deepEqual(await situations(empty), [['no-commits', 'INFO']]);
  const repo = await tempRepo(t, { 'plan.md': workplan([{ id: 'A', status: 'todo' }]) });
  await git(repo, ['checkout', '-q', '--detach']);
  assert.deepEqual(await situations(repo), [['detached', 'WARN']]);
  await git(repo, ['checkout', '-q', '-b', 'feature']);
  assert.deepEqual(await situations(repo), [['untracked-branch', 'WARN']]);
});

test('C-27 names the command that makes the two sides equal, the id quoted for the shell where it must be', async () => {
  const { undecided } = await import('../src/reconcile/messages.js');
  const task = (id: string) => ({
    id,
    status: 'cancelled' as const,
    title: 'T',
    priority: null,
    hubId: null,
    fields: {},
    file: 'plan.md',
    line: 3,
    workplan: { id: 'p', title: null },
  });
  assert.match(
    undecided(task('WP-1-T1'), 'blocked', 'dropped', 'fix').message,
    /blocked written into the file and committed keeps the hub's, `custodian-hooks task set WP-1-T1 cancelled` keeps the file's/,
  );
  assert.match(undecided(task("it's A"), 'blocked', 'concurrent', 'fix').message, /`custodian-hooks task set 'it'\\''s A' cancelled`/);
  assert.match(undecided(task('-x'), 'blocked', 'dropped', 'fix').message, /`custodian-hooks task set -- -x cancelled`/);
  assert.match(undecided(task('=x'), 'blocked', 'dropped', 'fix').message, /`custodian-hooks task set '=x' cancelled`/);
  assert.doesNotMatch(undecided(task('A'), 'blocked', 'origin', 'fix').message, /task set/, 'a shallow clone is deepened, not settled by hand');
});
