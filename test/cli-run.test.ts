import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { runCli } from './helpers/cli.js';
import { FIXTURES } from './helpers/paths.js';
import { commitFiles, tempDir, tempRepo } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

const isolated = async (t: TestContext) => ({ XDG_STATE_HOME: await tempDir(t) });

test('run lists committed workplans and tasks, for people and as JSON, and exits 0', async (t) => {
  const spec = await readFile(`${FIXTURES}CUST-WP-0026.md`, 'utf8');
  const repo = await tempRepo(t, { 'docs/CUST-WP-0026.md': spec, 'README.md': '# not a workplan\n', '.custodian.yml': 'repo: the-custodian\n' });
  const env = await isolated(t);

  const human = await runCli(repo, ['run', '--verbose'], env);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /check · repo the-custodian · 1 workplans, 5 tasks/);
  assert.match(human.stdout, /CUST-WP-0026-T03\s+done\s+T03 — DB→file status writeback/);
  assert.ok(!human.stdout.includes('\x1b['), 'NO_COLOR turns colour off');

  const json = await runCli(`${repo}/docs`, ['run', '--json'], env);
  assert.equal(json.code, 0);
  const report = JSON.parse(json.stdout);
  assert.equal(report.repo, 'the-custodian');
  assert.equal(report.mode, 'check');
  assert.deepEqual(
    report.findings.map((f: { code: string }) => f.code),
    ['C-20', 'C-20', 'C-20', 'C-20', 'C-20'],
    'check mode: not in the hub yet',
  );
  assert.deepEqual(
    report.workplans.map((w: { file: string }) => w.file),
    ['docs/CUST-WP-0026.md'],
  );
  assert.equal(report.workplans[0].tasks[4].line, 220);
});

test('run reads what is committed, and exits 1 with file and line on a FAIL finding', async (t) => {
  const repo = await tempRepo(t, {
    'plan.md': workplan([
      { id: 'A', status: 'todo' },
      { id: 'B', status: 'finished' },
    ]),
  });
  const env = await isolated(t);
  const result = await runCli(repo, ['run', '--json', '--fix'], env);
  assert.equal(result.code, 1);
  const report = JSON.parse(result.stdout);
  assert.deepEqual(
    report.findings
      .filter((f: { severity: string }) => f.severity === 'FAIL')
      .map((f: { code: string; file: string; line: number; taskId: string }) => [f.code, f.file, f.line, f.taskId]),
    [['C-06', 'plan.md', 21, 'B']],
  );

  await commitFiles(
    repo,
    {
      'plan.md': workplan([
        { id: 'A', status: 'todo' },
        { id: 'B', status: 'done' },
      ]),
    },
    'fix',
  );
  const fixed = await runCli(repo, ['run', '--fix'], env);
  assert.equal(fixed.code, 0);
  assert.match(fixed.stdout, /0 fail, 0 warn, 1 info, 1 actions/);
  assert.match(fixed.stdout, /hub {3}B: created as done/);

  const byRepo = await runCli(await tempDir(t), ['run', '--repo', 'main', '--json'], env);
  assert.equal(byRepo.code, 2, '--repo needs a registered slug');
  const slug = JSON.parse((await runCli(repo, ['run', '--json'], env)).stdout).repo;
  const elsewhere = await runCli(await tempDir(t), ['run', '--repo', slug, '--json'], env);
  assert.equal(elsewhere.code, 0, elsewhere.stderr);
  assert.equal(JSON.parse(elsewhere.stdout).repo, slug, 'run --repo finds the repo registered by an earlier run');
});

test('usage errors and a directory outside any repo exit 2 with a clear message', async (t) => {
  const repo = await tempRepo(t);
  const unknown = await runCli(repo, ['run', '--bogus']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option '--bogus'/);

  const badConfig = await tempRepo(t, { '.custodian.yml': 'repo: ok\nwritebak: true\n' });
  const config = await runCli(badConfig, ['run']);
  assert.equal(config.code, 2);
  assert.match(config.stderr, /\.custodian\.yml:1: .*writebak/);

  const outside = await tempDir(t);
  const notRepo = await runCli(outside, ['run']);
  assert.equal(notRepo.code, 2);
  assert.match(notRepo.stderr, /not inside a git repository/);

  const help = await runCli(repo, ['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: custodian-hooks/);
});

test('the shipped CLI reads front matter with its own YAML engine, and names the file and line when it cannot', async (t) => {
  const task = '```task\nid: A\nstatus: todo\n```\n';
  const repo = await tempRepo(t, {
    'good.md': `---\ntype: workplan\ntitle: Good\n---\n\n${task}`,
    'bad.md': `---\ntitle: [unclosed\n---\n\n${task.replace('A', 'B')}`,
  });
  const result = await runCli(repo, ['run', '--json'], await isolated(t));
  const report = JSON.parse(result.stdout);
  const c01 = report.findings.filter((f: { code: string }) => f.code === 'C-01');
  assert.equal(c01.length, 1, result.stdout);
  assert.equal(c01[0].file, 'bad.md');
  assert.equal(c01[0].line, 1);
  assert.match(c01[0].message, /^front matter cannot be parsed: .*flow sequence/i);
  assert.deepEqual(report.workplans.map((w: { file: string }) => w.file).sort(), ['bad.md', 'good.md']);
});
