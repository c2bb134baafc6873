import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPostgres } from '../src/hub/sql/postgres-driver.js';
import { PG_SKIP, PG_URL, pgSchema } from './helpers/hubs.js';

test('a transaction PostgreSQL rolls back to break a deadlock is run again, and both writers finish', { skip: PG_SKIP }, async (t) => {
  const db = openPostgres(PG_URL!, await pgSchema(t));
  t.after(() => db.close());
  await db.run('CREATE TABLE rows (id TEXT PRIMARY KEY, n INTEGER NOT NULL)');
  await db.run("INSERT INTO rows VALUES ('a', 0), ('b', 0)");
  // Each writer locks its first row, waits until the other has too, then wants the other's: a
  // deadlock the server breaks by rolling one of them back.
  let locked = 0;
  let release: () => void = () => {};
  const both = new Promise<void>((resolve) => {
    release = resolve;
  });
  const runs = { ab: 0, ba: 0 };
  const writer = (first: string, second: string, name: 'ab' | 'ba') =>
    db.transaction(async (tx) => {
      runs[name]++;
      await tx.run('UPDATE rows SET n = n + 1 WHERE id = ?', [first]);
      if (runs[name] === 1) {
        if (++locked === 2) release();
        await both;
      }
      await tx.run('UPDATE rows SET n = n + 1 WHERE id = ?', [second]);
    });
  await Promise.all([writer('a', 'b', 'ab'), writer('b', 'a', 'ba')]);
  assert.deepEqual(await db.all<{ id: string; n: number }>('SELECT id, n FROM rows ORDER BY id'), [
    { id: 'a', n: 2 },
    { id: 'b', n: 2 },
  ]);
  // Under load the server may roll back both (each one's own deadlock check): each then runs again.
  assert.ok(runs.ab + runs.ba >= 3, `a writer rolled back ran again (runs: ${JSON.stringify(runs)})`);
});
