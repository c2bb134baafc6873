import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { openSqlite } from '../src/hub/sql/sqlite-driver.js';
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

test('ordinary mistakes with a hub store or a server are one line and exit 1, never a bug report: not a database, a folder, a port taken, a host of no address, a newer schema', async (t) => {
  const dir = await tempDir(t);
  const repo = await tempRepo(t, { 'docs/plan.md': workplan([{ id: 'A', status: 'todo' }]) });
  const notes = path.join(dir, 'notes.db');
  await writeFile(notes, 'just notes\n');
  await mkdir(path.join(dir, 'folder.sqlite'));
  const said = async (args: string[], env: Record<string, string> = {}) => {
    const r = await runCli(repo, args, env);
    assert.doesNotMatch(r.stderr, /this is a bug|\n\s+at /, args.join(' '));
    return r;
  };
  for (const args of [['hub', 'token', 'list', '--db', notes], ['task', 'list'], ['run']]) {
    const r = await said(args, { CUSTODIAN_HUB: notes });
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, /notes\.db is not a SQLite database/);
  }
  assert.match((await said(['hub', 'token', 'list', '--db', path.join(dir, 'folder.sqlite')])).stderr, /folder\.sqlite cannot be opened as a SQLite database/);

  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.after(() => taken.close());
  const port = String((taken.address() as AddressInfo).port);
  const inUse = await said(['hub', 'serve', '--port', port, '--db', path.join(dir, 'a.sqlite')]);
  assert.equal(inUse.code, 1);
  assert.match(inUse.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: another process has that port`));
  const noHost = await said(['hub', 'serve', '--host', 'no-such-host.invalid', '--port', '0', '--db', path.join(dir, 'a.sqlite')]);
  assert.equal(noHost.code, 1);
  assert.match(noHost.stderr, /--host names no address of this machine/);
  assert.equal((await said(['hub', 'serve', '--keep-days', '1e9', '--db', path.join(dir, 'a.sqlite')])).code, 2);

  // A database a later version migrated.
  const newer = path.join(dir, 'newer.sqlite');
  assert.equal((await said(['hub', 'token', 'list', '--db', newer])).code, 0);
  const db = openSqlite(newer);
  await db.run("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 'later')");
  await db.close();
  const later = await said(['hub', 'token', 'list', '--db', newer]);
  assert.equal(later.code, 1);
  assert.match(later.stderr, /at schema 999, newer than this custodian-hooks knows .*upgrade custodian-hooks/);
});
