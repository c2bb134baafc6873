import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { openStore } from '../src/hub/open.js';
import { PG_SKIP, PG_URL, pgSchema } from './helpers/hubs.js';
import { parseReport, scene } from './helpers/scene.js';

/** Every table in the schema with its row count: what check mode must leave exactly as it was. */
async function tablesIn(schema: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    const counts: Record<string, number> = {};
    for (const { table_name } of rows) counts[table_name] = Number((await client.query(`SELECT COUNT(*) AS n FROM ${schema}.${table_name}`)).rows[0].n);
    return counts;
  } finally {
    await client.end();
  }
}

test('check mode on PostgreSQL creates no schema and writes nothing; fix mode migrates as before', { skip: PG_SKIP }, async (t) => {
  const schema = await pgSchema(t);
  const url = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const s = await scene(t, [{ id: 'A', status: 'todo' }], {});
  s.env.CUSTODIAN_HUB = url;
  const ws = s.workstation;

  const fresh = await ws.run();
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.deepEqual(
    parseReport(fresh.stdout).findings.map((f) => f.code),
    ['C-20'],
    'a database without our schema reads as a hub that has heard of nothing',
  );
  assert.deepEqual(await tablesIn(schema), {}, 'no table created by a check');

  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal((await ws.cli('task', 'set', 'A', 'done')).code, 0);
  const before = await tablesIn(schema);
  assert.ok(before.schema_migrations! > 0 && before.tasks === 1, JSON.stringify(before));

  const check = await ws.run();
  assert.equal(check.code, 0, check.stderr);
  assert.ok(parseReport(check.stdout).findings.some((f) => f.code === 'C-13'));
  assert.deepEqual(await tablesIn(schema), before, 'the check changed no row');
});

test('a store opened read-only on PostgreSQL refuses to write', { skip: PG_SKIP }, async (t) => {
  const schema = await pgSchema(t);
  const url = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  await (await openStore(url)).close(); // migrated
  const store = await openStore(url, { readOnly: true });
  t.after(() => store.close());
  await assert.rejects(
    store.sync({ repo: 'acme', basis: '', machine: 'm', host: 'h', changes: [{ id: 'A', status: 'todo', expectedVersion: 0 }] } as never),
    /read-only transaction/,
  );
});
