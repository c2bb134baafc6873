import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { execa } from 'execa';
import { runCli } from './helpers/cli.js';
import { CLI } from './helpers/paths.js';
import { PG_SKIP, PG_URL, pgSchema } from './helpers/hubs.js';
import { parseReport, scene } from './helpers/scene.js';

const SECRET = 's3cret';
/** Nothing listens on port 1: a PostgreSQL hub that is down. */
const PG_DOWN = `postgres://custodian:${SECRET}@127.0.0.1:1/custodian?password=${SECRET}`;
const HTTP_DOWN = `http://machine:${SECRET}@127.0.0.1:1`;

describe('a PostgreSQL hub that is down is a hub that is down, and no command prints a credential', () => {
  test('run reports it as C-23 and exits 0; task list says so in one line and exits 1', async (t) => {
    const s = await scene(t, [{ id: 'A', status: 'todo' }]);
    const ws = s.workstation;
    s.env.CUSTODIAN_HUB = PG_DOWN;
    const run = await ws.run('--fix');
    assert.equal(run.code, 0, run.stderr);
    const c23 = parseReport(run.stdout).findings.find((f) => f.code === 'C-23');
    assert.match(
      c23?.message ?? '',
      /^hub unreachable, nothing reconciled: hub postgres:\/\/…@127\.0\.0\.1:1\/custodian\?password=… did not answer: .*ECONNREFUSED/,
    );
    const list = await ws.cli('task', 'list');
    assert.equal(list.code, 1);
    assert.match(list.stderr, /^custodian-hooks: hub postgres:\/\/…@127\.0\.0\.1:1\/\S+ did not answer: [^\n]*ECONNREFUSED[^\n]*$/);
    for (const output of [run.stdout, run.stderr, list.stdout, list.stderr]) assert.ok(!output.includes(SECRET) && !output.includes('this is a bug'), output);
  });

  test('doctor and a run against an HTTP hub with credentials in its URL print them as …', async (t) => {
    const s = await scene(t, [{ id: 'A', status: 'todo' }]);
    s.env.CUSTODIAN_HUB = HTTP_DOWN;
    const doctor = await s.workstation.cli('doctor');
    assert.equal(doctor.code, 1);
    assert.match(doctor.stdout, /hub http:\/\/…@127\.0\.0\.1:1 does not answer/);
    const run = await s.workstation.run();
    assert.match(parseReport(run.stdout).findings.find((f) => f.code === 'C-23')?.message ?? '', /http:\/\/…@127\.0\.0\.1:1\/v1\/repos/);
    for (const output of [doctor.stdout, doctor.stderr, run.stdout, run.stderr]) assert.ok(!output.includes(SECRET), output);
  });

  test('a missing database: run reports C-23, task list one line', { skip: PG_SKIP }, async (t) => {
    const s = await scene(t, [{ id: 'A', status: 'todo' }]);
    const missing = new URL(PG_URL!);
    missing.pathname = '/custodian_no_such_database';
    s.env.CUSTODIAN_HUB = missing.href;
    const run = await s.workstation.run('--fix');
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      parseReport(run.stdout).findings.find((f) => f.code === 'C-23')?.message ?? '',
      /did not answer: database "custodian_no_such_database" does not exist/,
    );
    const list = await s.workstation.cli('task', 'list');
    assert.equal(list.code, 1);
    assert.equal(list.stderr.trim().split('\n').length, 1, list.stderr);
  });

  test('hub serve and hub token create name their PostgreSQL store without the password', { skip: PG_SKIP }, async (t) => {
    const url = new URL(PG_URL!);
    url.password = SECRET;
    url.searchParams.set('options', `-c search_path=${await pgSchema(t)}`);
    const token = await runCli(process.cwd(), ['hub', 'token', 'create', 'ws', '--db', url.href]);
    assert.equal(token.code, 0, token.stderr);
    assert.match(token.stderr, /created in postgres:\/\/…@/);
    const serve = execa(process.execPath, [CLI, 'hub', 'serve', '--port', '0', '--db', url.href], { reject: false, stdin: 'ignore' });
    t.after(() => serve.kill('SIGKILL'));
    const listening = await new Promise<string>((resolve) => {
      let out = '';
      serve.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out);
      });
    });
    assert.match(listening, /^custodian-hooks hub listening on http:\/\/127\.0\.0\.1:\d+ \(store: postgres:\/\/…@/);
    for (const output of [token.stdout, token.stderr, listening]) assert.ok(!output.includes(SECRET), output);
  });
});
