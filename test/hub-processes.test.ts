import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { HttpHub } from '../src/hub/http-hub.js';
import type { RepoState } from '../src/hub/types.js';
import { runCli } from './helpers/cli.js';
import { createToken, spawnHub } from './helpers/hub-process.js';
import { PG_SKIP, PG_URL, pgSchema } from './helpers/hubs.js';
import { tempDir, tempRepo } from './helpers/temp-repo.js';

const SHA = 'b'.repeat(40);

async function tasksOf(hub: HttpHub, repo: string) {
  return ((await hub.readRepo(repo)) as RepoState).tasks;
}

test('two hub processes on one PostgreSQL: racing updates, one winner per version, nothing lost', { skip: PG_SKIP }, async (t) => {
  const schema = await pgSchema(t);
  const db = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const [a, b] = await Promise.all([spawnHub(t, db), spawnHub(t, db)]);
  const token = await createToken(db, 'racer');
  const hubs = [new HttpHub(a.url, token), new HttpHub(b.url, token)];
  assert.ok(
    (
      await hubs[0]!.sync({
        repo: 'acme',
        by: 'm',
        changes: [{ id: 'A', expectedVersion: 0, status: 'todo', point: { status: 'todo', commit: SHA, upstream: null, origin: SHA } }],
      })
    ).ok,
  );

  const statuses = ['todo', 'in_progress', 'blocked', 'done', 'cancelled'] as const;
  let current: (typeof statuses)[number] = 'todo';
  for (let version = 1; version <= 6; version++) {
    // Every rival asks for a status other than the current one, so each acceptance is a real change.
    const others = statuses.filter((s) => s !== current);
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => {
        const status = others[i % others.length]!;
        return i % 3 === 0
          ? hubs[i % 2]!.sync({ repo: 'acme', by: `m${i}`, changes: [{ id: 'A', expectedVersion: version, status }] }).then((r) => (r.ok ? status : null))
          : hubs[i % 2]!.setStatus({ repo: 'acme', id: 'A', status, expectedVersion: version, by: 'x' }).then((r) => (r.ok ? status : null));
      }),
    );
    const winners = results.filter((r) => r !== null);
    assert.equal(winners.length, 1, `version ${version}: exactly one winner`);
    current = winners[0]!;
    assert.equal((await tasksOf(hubs[version % 2]!, 'acme'))[0]!.status, current, 'both processes see the winner');
  }
  const history = await hubs[1]!.history('acme', 'A');
  const [task] = await tasksOf(hubs[1]!, 'acme');
  assert.equal(task!.version, 7);
  assert.equal(history.length, 7, 'one history entry per accepted change, creation included');
});

test('restart: a hub killed mid-load keeps every write it acknowledged', async (t) => {
  const db = path.join(await tempDir(t), 'hub.sqlite');
  const token = await createToken(db, 'loader');
  const first = await spawnHub(t, db);
  const hub = new HttpHub(first.url, token, { timeoutMs: 2000, readRetries: 0 });
  const acknowledged: string[] = [];
  let fortyAcknowledged!: () => void;
  const forty = new Promise<void>((resolve) => (fortyAcknowledged = resolve));
  let stop = false;
  const writers = Array.from({ length: 4 }, async (_, w) => {
    for (let i = 0; !stop && i < 10_000; i++) {
      const id = `W${w}-${i}`;
      const result = await hub.sync({ repo: 'load', by: 'm', changes: [{ id, expectedVersion: 0, status: 'todo' }] }).catch(() => null);
      if (result?.ok && acknowledged.push(id) === 40) fortyAcknowledged();
      if (!result) return;
    }
  });
  // The writers end early only if the hub fails them: then there is nothing to wait for.
  await Promise.race([forty, Promise.all(writers)]);
  first.process.kill('SIGKILL');
  stop = true;
  await Promise.all(writers);
  await first.process;

  const second = await spawnHub(t, db);
  const ids = new Set((await tasksOf(new HttpHub(second.url, token), 'load')).map((x) => x.id));
  const lost = acknowledged.filter((id) => !ids.has(id));
  assert.deepEqual(lost, [], `${acknowledged.length} acknowledged writes, none lost`);
});

test('SIGTERM: the hub finishes in-flight requests and exits 0', async (t) => {
  const db = path.join(await tempDir(t), 'hub.sqlite');
  const token = await createToken(db, 'loader');
  const server = await spawnHub(t, db);
  const hub = new HttpHub(server.url, token);
  // Stopped once the hub has answered one of them: the others are in flight, whatever the machine's load.
  const firstAnswered = new Promise<void>((resolve) =>
    server.process.stderr!.on('data', () => {
      if (/POST \/v1\/repos\/r\/sync 200/.test(server.stderr())) resolve();
    }),
  );
  const inFlight = Array.from({ length: 20 }, (_, i) => hub.sync({ repo: 'r', by: 'm', changes: [{ id: `T${i}`, expectedVersion: 0, status: 'todo' }] }));
  await firstAnswered;
  server.process.kill('SIGTERM');
  const results = await Promise.allSettled(inFlight);
  const exit = await server.process;
  assert.equal(exit.exitCode, 0, server.stderr());
  assert.match(server.stderr(), /SIGTERM: finishing in-flight requests/);
  assert.match(server.stderr(), /POST \/v1\/repos\/r\/sync 200/, 'one log line per request');
  const acked = results.filter((r) => r.status === 'fulfilled' && r.value.ok).length;
  const restarted = await spawnHub(t, db);
  assert.equal((await tasksOf(new HttpHub(restarted.url, token), 'r')).length, acked);
});

test('agents: task set and task list against an HTTP hub, version-checked', async (t) => {
  const db = path.join(await tempDir(t), 'hub.sqlite');
  const token = await createToken(db, 'agent');
  const server = await spawnHub(t, db);
  await new HttpHub(server.url, token).sync({ repo: 'acme', by: 'm', changes: [{ id: 'T-1', expectedVersion: 0, status: 'todo' }] });
  const repo = await tempRepo(t);
  const env = { CUSTODIAN_HUB: server.url, CUSTODIAN_HUB_TOKEN: token };

  const set = await runCli(repo, ['task', 'set', 'T-1', 'done', '--repo', 'acme', '--why', 'shipped'], env);
  assert.equal(set.code, 0, set.stderr);
  assert.equal(set.stdout, 'T-1: done (version 2)');
  const stale = await runCli(repo, ['task', 'set', 'T-1', 'blocked', '--repo', 'acme', '--expect-version', '1'], env);
  assert.equal(stale.code, 1);
  assert.match(stale.stderr, /changed meanwhile \(now done, version 2\); nothing written/);
  const unknown = await runCli(repo, ['task', 'set', 'T-1', 'finished', '--repo', 'acme'], env);
  assert.equal(unknown.code, 2);
  const noToken = await runCli(repo, ['task', 'set', 'T-1', 'todo', '--repo', 'acme'], { CUSTODIAN_HUB: server.url });
  assert.equal(noToken.code, 1);
  assert.match(noToken.stderr, /401: writes need a bearer token/);

  const list = await runCli(repo, ['task', 'list', '--repo', 'acme', '--json'], env);
  assert.equal(list.code, 0);
  assert.deepEqual(
    JSON.parse(list.stdout).tasks.map((x: { id: string; status: string; version: number }) => [x.id, x.status, x.version]),
    [['T-1', 'done', 2]],
  );
  const human = await runCli(repo, ['task', 'list', '--repo', 'acme'], env);
  assert.match(human.stdout, /T-1\s+done\s+v2/);
  // An empty or malformed --repo is said, not read as no --repo (the repo around the directory answered for '').
  for (const slug of ['', 'a b']) {
    const wrong = await runCli(repo, ['task', 'list', '--repo', slug], env);
    assert.equal(wrong.code, 2, `--repo '${slug}'`);
    assert.match(wrong.stderr, new RegExp(`--repo: '${slug}' is not a repo slug`));
  }

  const down = await runCli(repo, ['task', 'list', '--repo', 'acme'], { CUSTODIAN_HUB: 'http://127.0.0.1:9' });
  assert.equal(down.code, 1);
  assert.match(down.stderr, /hub did not answer GET http:\/\/127\.0\.0\.1:9\/v1\/repos\/acme\/tasks: ECONNREFUSED/);
});
