import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { HttpHub } from '../src/hub/http-hub.js';
import type { RepoState } from '../src/hub/types.js';
import { runCli } from './helpers/cli.js';
import { createToken, spawnHub } from './helpers/hub-process.js';
import { PG_SKIP, PG_URL, pgSchema } from './helpers/hubs.js';
import { tempDir } from './helpers/temp-repo.js';

const STORES: { name: string; skip: string | false; db(t: TestContext): Promise<string> }[] = [
  { name: 'SQLite', skip: false, db: async (t) => path.join(await tempDir(t), 'hub.sqlite') },
  { name: 'PostgreSQL', skip: PG_SKIP, db: async (t) => `${PG_URL}?options=${encodeURIComponent(`-c search_path=${await pgSchema(t)}`)}` },
];

for (const store of STORES) {
  describe(`hub tokens on ${store.name}`, { skip: store.skip }, () => {
    test('token list shows names and creation times, never a token or its hash; revoke withdraws one', async (t) => {
      const db = await store.db(t);
      const cwd = await tempDir(t);
      const empty = await runCli(cwd, ['hub', 'token', 'list', '--db', db]);
      assert.equal(empty.code, 0, empty.stderr);
      assert.equal(empty.stdout, '');
      assert.match(empty.stderr, /no tokens in/);

      const tokens = [await createToken(db, 'workstation'), await createToken(db, 'agent-7')];
      const list = await runCli(cwd, ['hub', 'token', 'list', '--db', db]);
      assert.equal(list.code, 0, list.stderr);
      const lines = list.stdout.split('\n');
      assert.deepEqual(
        lines.map((l) => l.split(/\s+/)[0]),
        ['agent-7', 'workstation'],
      );
      assert.ok(
        lines.every((l) => /\s{2}created \d{4}-\d\d-\d\dT[\d:.]+Z$/.test(l)),
        list.stdout,
      );
      for (const token of tokens) assert.ok(!list.stdout.includes(token.slice(5, 20)) && !list.stdout.includes('cust_'), 'no token in the list');
      assert.doesNotMatch(list.stdout, /[0-9a-f]{64}/, 'no hash in the list');

      const revoked = await runCli(cwd, ['hub', 'token', 'revoke', 'agent-7', '--db', db]);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.match(revoked.stdout, /token 'agent-7' revoked/);
      assert.match((await runCli(cwd, ['hub', 'token', 'list', '--db', db])).stdout, /^workstation {2}created /);

      const again = await runCli(cwd, ['hub', 'token', 'revoke', 'agent-7', '--db', db]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /no token named 'agent-7'/);
      const badName = await runCli(cwd, ['hub', 'token', 'revoke', 'a b', '--db', db]);
      assert.equal(badName.code, 2);
    });

    // The status update looks the token up in its own statement on PostgreSQL (one round trip):
    // a token revoked a moment ago must still be refused at once, and nothing written for it.
    test('a revoked token is refused by a running hub at its next request, and writes nothing', async (t) => {
      const db = await store.db(t);
      const token = await createToken(db, 'agent');
      const server = await spawnHub(t, db);
      const hub = new HttpHub(server.url, token);
      assert.ok((await hub.sync({ repo: 'acme', by: 'm', changes: [{ id: 'A', expectedVersion: 0, status: 'todo' }] })).ok);
      const moved = await hub.setStatus({ repo: 'acme', id: 'A', status: 'in_progress', by: 'ignored', expectedVersion: 1 });
      assert.ok(moved.ok);
      assert.equal(moved.task.updatedBy, 'agent', 'history names the token owner, not what the client says');
      assert.equal((await runCli(await tempDir(t), ['hub', 'token', 'revoke', 'agent', '--db', db])).code, 0);
      await assert.rejects(hub.setStatus({ repo: 'acme', id: 'A', status: 'done', by: 'agent' }), /401: unknown bearer token/);
      await assert.rejects(new HttpHub(server.url, '').setStatus({ repo: 'acme', id: 'A', status: 'done', by: 'x' }), /401: writes need a bearer token/);
      // A bad body is answered 401 for a token that is no one's, as every write route does, and 400 for a live one.
      const put = async (bearer: string, body: string) =>
        (
          await fetch(`${server.url}/v1/repos/acme/tasks/A/status`, {
            method: 'PUT',
            headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
            body,
          })
        ).status;
      assert.deepEqual([await put(token, '{"status":"nope"}'), await put(token, '{')], [401, 401]);
      const live = await createToken(db, 'other');
      assert.deepEqual([await put(live, '{"status":"nope"}'), await put(live, '{')], [400, 400]);
      const [task] = ((await hub.readRepo('acme')) as RepoState).tasks;
      assert.deepEqual([task?.status, task?.version], ['in_progress', 2]);
      assert.deepEqual(
        (await hub.history('acme', 'A')).map((h) => [h.to, h.by]),
        [
          ['todo', 'agent@m'],
          ['in_progress', 'agent'],
        ],
      );
    });
  });
}
