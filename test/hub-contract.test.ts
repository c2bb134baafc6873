import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidRequestError, NotFoundError, type Hub, type RepoState, type SyncBatch } from '../src/hub/types.js';
import { openPostgres } from '../src/hub/sql/postgres-driver.js';
import { type SqlDriver, type Statement, statementText } from '../src/hub/sql/driver.js';
import { SqlStore } from '../src/hub/sql-store.js';
import { HUB_KINDS, PG_SKIP, PG_URL, pgSchema } from './helpers/hubs.js';

const SHA = (n: number) => n.toString(16).padStart(40, '0');

async function read(hub: Hub, repo = 'acme'): Promise<RepoState> {
  const state = await hub.readRepo(repo);
  assert.notEqual(state, 'not-modified');
  return state as RepoState;
}

const create = (id: string, status: 'todo' | 'done' = 'todo'): SyncBatch['changes'][number] => ({
  id,
  expectedVersion: 0,
  status,
  title: `Task ${id}`,
  priority: 'high',
  workplan: { id: 'WP-1', title: 'Plan one' },
  point: { status, commit: SHA(1), upstream: SHA(1), origin: SHA(1) },
});

for (const kind of HUB_KINDS) {
  describe(`hub contract: ${kind.name}`, { skip: kind.skip }, () => {
    test('an unknown repo reads as empty', async (t) => {
      const hub = await kind.open(t);
      const state = await read(hub, 'nobody');
      assert.deepEqual(state.tasks, []);
      assert.deepEqual(state.runs, []);
    });

    test('a batch creates workplans, tasks, points and a run record in one go; the ETag answers not-modified', async (t) => {
      const hub = await kind.open(t);
      const result = await hub.sync({
        repo: 'acme',
        by: 'ws',
        changes: [create('A'), create('B', 'done')],
        run: { commit: SHA(1), upstream: SHA(1), skipped: ['Z'] },
      });
      assert.ok(result.ok);
      assert.deepEqual(result.versions, { A: 1, B: 1 });
      const state = await read(hub);
      assert.equal(state.etag, result.etag);
      assert.deepEqual(
        state.tasks.map((x) => [x.id, x.status, x.version, x.title, x.priority, x.workplan]),
        [
          ['A', 'todo', 1, 'Task A', 'high', 'WP-1'],
          ['B', 'done', 1, 'Task B', 'high', 'WP-1'],
        ],
      );
      assert.deepEqual(
        state.tasks[0]!.points.map((p) => [p.status, p.commit, p.upstream, p.origin]),
        [['todo', SHA(1), SHA(1), SHA(1)]],
      );
      assert.match(state.tasks[0]!.hubId, /^[0-9a-f-]{36}$/);
      assert.deepEqual(
        state.runs.map((r) => [r.commit, r.upstream, r.skipped]),
        [[SHA(1), SHA(1), ['Z']]],
      );
      assert.equal(result.at, state.runs[0]!.at, "the answer gives the hub's time, the one its run record holds");
      assert.equal(await hub.readRepo('acme', state.etag), 'not-modified');

      await hub.setStatus({ repo: 'acme', id: 'A', status: 'in_progress', by: 'agent' });
      const after = await hub.readRepo('acme', state.etag);
      assert.notEqual(after, 'not-modified', 'a change makes the old ETag stale');
      assert.deepEqual(await hub.listRepos('acme'), [{ slug: 'acme', tasks: 2, revision: 2 }]);
    });

    test('a read of some tasks gives those with their points, every run and rewrite, and the repo ETag', async (t) => {
      const hub = await kind.open(t);
      const ids = Array.from({ length: 520 }, (_, i) => `T-${i}`);
      const result = await hub.sync({
        repo: 'acme',
        by: 'ws',
        changes: ids.map((id) => create(id)),
        run: { commit: SHA(1), upstream: null, skipped: [] },
        rewrites: [{ old: SHA(2), new: SHA(3), changed: [] }],
      });
      assert.ok(result.ok);
      await hub.sync({
        repo: 'acme',
        by: 'ws',
        changes: [{ id: 'T-7', expectedVersion: 1, status: 'done', point: { status: 'done', commit: SHA(4), upstream: null, origin: SHA(4) } }],
      });
      const full = await read(hub);
      const some = (await hub.readRepo('acme', undefined, ['T-7', 'T-511', 'nobody'])) as RepoState;
      assert.deepEqual(
        some.tasks.filter((x) => ['T-7', 'T-511'].includes(x.id)),
        full.tasks.filter((x) => ['T-7', 'T-511'].includes(x.id)),
      );
      assert.deepEqual(
        some.tasks.find((x) => x.id === 'T-7')!.points.map((p) => p.commit),
        [SHA(1), SHA(4)],
      );
      assert.ok(some.tasks.length < full.tasks.length);
      assert.deepEqual([some.etag, some.runs, some.rewrites], [full.etag, full.runs, full.rewrites]);
      // More ids than one statement (or one query string) takes: never fewer tasks than asked for.
      const many = (await hub.readRepo('acme', undefined, ids.slice(0, 510))) as RepoState;
      const got = new Set(many.tasks.map((x) => x.id));
      assert.ok(ids.slice(0, 510).every((id) => got.has(id)));
      assert.equal(await hub.readRepo('acme', full.etag, ['T-7']), 'not-modified');
    });

    test("a batch of thousands numbers its points in the batch's order, not the ids'", async (t) => {
      const hub = await kind.open(t);
      const ids = Array.from({ length: 1200 }, (_, i) => `T-${(i * 7919) % 1200}`);
      const result = await hub.sync({ repo: 'acme', by: 'ws', changes: ids.map((id) => create(id)) });
      assert.ok(result.ok);
      assert.deepEqual(
        result.points.map((p) => p.id),
        ids,
      );
      assert.ok(result.points.every((p, at) => at === 0 || p.seq > result.points[at - 1]!.seq));
      const state = await read(hub);
      assert.equal(state.tasks.length, 1200);
      assert.ok(state.tasks.every((x) => x.points.length === 1 && x.title === `Task ${x.id}` && x.priority === 'high'));
    });

    test("a batch's answer names the ETag it was applied on: the one read, unless something else came in between", async (t) => {
      const hub = await kind.open(t);
      const first = await hub.sync({ repo: 'acme', by: 'ws', changes: [create('A'), create('B')] });
      assert.ok(first.ok);
      assert.equal(first.basis, '"0"', 'a repo nothing was written to');
      const read1 = await read(hub);
      const quiet = await hub.sync({ repo: 'acme', by: 'ws', changes: [{ id: 'A', expectedVersion: 1, status: 'done' }] });
      assert.ok(quiet.ok);
      assert.equal(quiet.basis, read1.etag);
      const read2 = await read(hub);
      await hub.setStatus({ repo: 'acme', id: 'B', status: 'blocked', by: 'agent' });
      const raced = await hub.sync({ repo: 'acme', by: 'ws', changes: [{ id: 'A', expectedVersion: 2, status: 'todo' }] });
      assert.ok(raced.ok);
      assert.notEqual(raced.basis, read2.etag);
      assert.equal(raced.etag, (await read(hub)).etag);
    });

    test('a batch with one stale change applies nothing and names the current row', async (t) => {
      const hub = await kind.open(t);
      assert.ok((await hub.sync({ repo: 'acme', by: 'ws', changes: [create('A'), create('B')] })).ok);
      await hub.setStatus({ repo: 'acme', id: 'B', status: 'done', by: 'agent' });
      const before = await read(hub);

      const result = await hub.sync({
        repo: 'acme',
        by: 'ws',
        changes: [{ id: 'A', expectedVersion: 1, status: 'done' }, { id: 'B', expectedVersion: 1, status: 'blocked' }, create('C')],
        run: { commit: SHA(2), upstream: null, skipped: [] },
      });
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.deepEqual(
        result.conflicts.map((c) => [c.id, c.expectedVersion, c.current?.status, c.current?.version]),
        [['B', 1, 'done', 2]],
      );
      assert.deepEqual(await read(hub), before, 'nothing of the batch applied');

      const retry = await hub.sync({
        repo: 'acme',
        by: 'ws',
        changes: [
          { id: 'A', expectedVersion: 1, status: 'done' },
          { id: 'C', expectedVersion: 1, status: 'todo' },
        ],
      });
      assert.equal(retry.ok, false, 'creating over an existing task is refused too');
      const exists = await hub.sync({ repo: 'acme', by: 'ws', changes: [create('A')] });
      assert.deepEqual(exists.ok ? [] : exists.conflicts.map((c) => [c.id, c.current?.version]), [['A', 1]]);
    });

    test('status changes are version-checked and every accepted one is in the history', async (t) => {
      const hub = await kind.open(t);
      await hub.sync({ repo: 'acme', by: 'ws', changes: [create('A')] });
      const first = await hub.setStatus({ repo: 'acme', id: 'A', status: 'in_progress', expectedVersion: 1, by: 'agent', why: 'started' });
      assert.ok(first.ok);
      assert.equal(first.task.version, 2);
      const stale = await hub.setStatus({ repo: 'acme', id: 'A', status: 'blocked', expectedVersion: 1, by: 'other' });
      assert.equal(stale.ok, false);
      assert.equal(stale.ok ? null : stale.current.status, 'in_progress');
      const same = await hub.setStatus({ repo: 'acme', id: 'A', status: 'in_progress', by: 'agent' });
      assert.ok(same.ok && same.task.version === 2, 'setting the same status changes nothing');
      await hub.sync({ repo: 'acme', by: 'ws', why: 'file', changes: [{ id: 'A', expectedVersion: 2, status: 'done', title: 'Renamed' }] });

      const history = await hub.history('acme', 'A');
      assert.deepEqual(
        history.map((h) => [h.from, h.to, h.why]),
        [
          [null, 'todo', 'created'],
          ['todo', 'in_progress', 'started'],
          ['in_progress', 'done', 'file'],
        ],
      );
      const [task] = (await read(hub)).tasks;
      assert.deepEqual([task!.status, task!.title, task!.version], ['done', 'Renamed', 3]);
      await assert.rejects(hub.setStatus({ repo: 'acme', id: 'nope', status: 'done', by: 'x' }), NotFoundError);
      await assert.rejects(hub.history('acme', 'nope'), NotFoundError);
    });

    test('rewrite records keep which tasks each rewrite changed, and a repeated record is kept once', async (t) => {
      const hub = await kind.open(t);
      const rewrites = [
        { old: SHA(1), new: SHA(3), changed: ['A'] },
        { old: SHA(2), new: SHA(3), changed: [] },
      ];
      assert.ok((await hub.sync({ repo: 'acme', by: 'ws', changes: [], rewrites })).ok);
      assert.ok((await hub.sync({ repo: 'acme', by: 'ws', changes: [], rewrites: [rewrites[0]!] })).ok);
      assert.deepEqual((await read(hub)).rewrites, rewrites);
    });

    test('a point that disagrees with the status, or a task twice in a batch, is refused whole', async (t) => {
      const hub = await kind.open(t);
      await hub.sync({ repo: 'acme', by: 'ws', changes: [create('A')] });
      const before = await read(hub);
      await assert.rejects(
        hub.sync({
          repo: 'acme',
          by: 'ws',
          changes: [create('B'), { id: 'A', expectedVersion: 1, point: { status: 'done', commit: SHA(3), upstream: null, origin: SHA(3) } }],
        }),
        InvalidRequestError,
      );
      await assert.rejects(hub.sync({ repo: 'acme', by: 'ws', changes: [create('B'), create('B')] }), InvalidRequestError);
      assert.deepEqual(await read(hub), before);
    });

    test('text that could not come back as it went (NUL, a lone surrogate) and ids no URL can address are refused, naming the value', async (t) => {
      const hub = await kind.open(t);
      await hub.sync({ repo: 'acme', by: 'ws', changes: [create('A')] });
      const before = await read(hub);
      const refusals: [SyncBatch, RegExp][] = [
        [{ repo: 'acme', by: 'ws', changes: [create('.')] }, /task id "\." cannot be addressed in a URL/],
        [{ repo: 'acme', by: 'ws', changes: [create('B'), create('..')] }, /task id "\.\." cannot be addressed/],
        [{ repo: 'acme', by: 'ws', changes: [create('B\u0000')] }, /task id "B\\u0000" holds a NUL/],
        [{ repo: 'acme', by: 'ws', changes: [create('\uD800')] }, /task id "\\ud800" is not valid Unicode/],
        [{ repo: 'acme', by: 'ws', changes: [{ ...create('B'), title: 'x\u0000' }] }, /task "B": title "x\\u0000" holds a NUL/],
        [{ repo: 'acme', by: 'ws', changes: [{ ...create('B'), title: 'x\uDC00y' }] }, /title "x\\udc00y" is not valid Unicode/],
        [{ repo: 'acme', by: 'ws', changes: [{ ...create('B'), priority: '\u0000' }] }, /priority/],
        [{ repo: 'acme', by: 'ws', changes: [{ ...create('B'), workplan: { id: 'W\u0000', title: null } }] }, /workplan id/],
        [{ repo: 'acme', by: 'ws', changes: [{ ...create('B'), workplan: { id: 'W', title: '\uD83D' } }] }, /workplan title/],
        [{ repo: 'acme', by: 'ws\u0000', changes: [create('B')] }, /by ".*\\u0000" holds a NUL/],
        [{ repo: 'acme', by: 'ws', why: '\uDFFF', changes: [create('B')] }, /why "\\udfff" is not valid Unicode/],
      ];
      for (const [batch, message] of refusals)
        await assert.rejects(hub.sync(batch), (e: Error) => e instanceof InvalidRequestError && message.test(e.message), message.source);
      await assert.rejects(hub.setStatus({ repo: 'acme', id: 'A\u0000', status: 'done', by: 'agent' }), InvalidRequestError);
      await assert.rejects(hub.setStatus({ repo: 'acme', id: 'A', status: 'done', by: 'agent', why: 'x\u0000' }), /why "x\\u0000" holds a NUL/);
      await assert.rejects(hub.history('acme', 'A\u0000'), InvalidRequestError);
      assert.deepEqual(
        (await hub.readRepo('acme', undefined, ['A', 'A\u0000', '..'])) as RepoState,
        before,
        'a read of ids that cannot exist finds nothing for them',
      );
      assert.deepEqual(await read(hub), before, 'nothing was written');
      assert.equal(
        (await hub.sync({ repo: 'acme', by: 'ws', changes: [create('...'), create('a/..'), create('é\u2028')] })).ok,
        true,
        'other unusual ids are fine',
      );
    });

    test('racing batches: of two creating the same task, or changing it at one version, one applies and the other nothing', async (t) => {
      const hub = await kind.open(t);
      const machines = ['ws', 'remote'] as const;
      const creating = await Promise.all(machines.map((by) => hub.sync({ repo: 'acme', by, changes: [create('A'), create(by === 'ws' ? 'B' : 'C')] })));
      assert.equal(creating.filter((r) => r.ok).length, 1, 'one batch creates A');
      const refused = creating.find((r) => !r.ok);
      assert.deepEqual(refused && !refused.ok ? refused.conflicts.map((c) => c.id) : [], ['A']);
      const created = (await read(hub)).tasks.map((task) => task.id);
      assert.ok(created.length === 2 && created[0] === 'A', `A and the winner's other task, nothing of the loser's: ${created.join(', ')}`);

      const changing = await Promise.all(
        machines.map((by) => hub.sync({ repo: 'acme', by, changes: [{ id: 'A', expectedVersion: 1, status: by === 'ws' ? 'done' : 'blocked' }] })),
      );
      assert.equal(changing.filter((r) => r.ok).length, 1, 'one batch changes A at version 1');
      const history = await hub.history('acme', 'A');
      assert.equal(history.length, 2, 'created, then changed once');
      assert.equal((await read(hub)).tasks[0]!.version, 2);
    });

    test('racing version-checked updates: exactly one wins per version and none is lost', async (t) => {
      const hub = await kind.open(t);
      await hub.sync({ repo: 'acme', by: 'ws', changes: [create('A')] });
      const statuses = ['todo', 'in_progress', 'blocked', 'done', 'cancelled'] as const;
      let current: string = 'todo';
      let accepted = 0;
      for (let round = 0; round < 5; round++) {
        const version = round + 1;
        // Every racer asks for a status other than the current one, so each acceptance is a real change.
        const others = statuses.filter((s) => s !== current);
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            hub.setStatus({ repo: 'acme', id: 'A', status: others[i % others.length]!, expectedVersion: version, by: `client-${i}` }),
          ),
        );
        const winners = results.filter((r) => r.ok);
        assert.equal(winners.length, 1, `round ${round}: one winner`);
        assert.ok(results.filter((r) => !r.ok).every((r) => !r.ok && r.current.version === version + 1));
        current = winners[0]!.ok ? winners[0]!.task.status : current;
        accepted += winners.length;
      }
      const history = await hub.history('acme', 'A');
      assert.equal(history.length, 1 + accepted, 'creation plus every accepted change, once each');
      assert.equal((await read(hub)).tasks[0]!.version, 1 + accepted);
    });
  });
}

/**
 * Holds the first `parties` transactions that read tasks until all of them have: every batch has
 * checked its versions before any writes. Later reads pass.
 */
function readingTogether(db: SqlDriver, parties: number): SqlDriver {
  const waiting: (() => void)[] = [];
  let arrived = 0;
  const arrive = () =>
    new Promise<void>((resolve) => {
      if (++arrived > parties) return resolve();
      waiting.push(resolve);
      if (arrived === parties) for (const go of waiting) go();
    });
  return {
    ...db,
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          ...tx,
          async all<T>(sql: Statement, params?: readonly unknown[]) {
            const rows = await tx.all<T>(sql, params);
            if (statementText(sql).startsWith('SELECT * FROM tasks')) await arrive();
            return rows;
          },
        }),
      ),
  };
}

test('PostgreSQL: two batches that both found no task A before either wrote: the second to insert A applies nothing', { skip: PG_SKIP }, async (t) => {
  const schema = await pgSchema(t);
  // The repo row exists first: a batch creating it would wait for the other's before reading.
  const plain = await SqlStore.open(openPostgres(PG_URL!, schema), 'test-pg');
  await plain.sync({ repo: 'acme', by: 'ws', changes: [create('Z')] });
  await plain.close();
  const store = await SqlStore.open(readingTogether(openPostgres(PG_URL!, schema), 2), 'test-pg');
  t.after(() => store.close());
  const results = await Promise.all(['ws', 'remote'].map((by) => store.sync({ repo: 'acme', by, changes: [create('A'), create(by === 'ws' ? 'B' : 'C')] })));
  assert.equal(results.filter((r) => r.ok).length, 1);
  const refused = results.find((r) => !r.ok);
  assert.deepEqual(refused && !refused.ok ? refused.conflicts.map((c) => [c.id, c.current]) : [], [['A', null]]);
  const state = await read(store);
  assert.equal(state.tasks.length, 3, "A, the winner's other task, and Z");
  assert.equal((await store.history('acme', 'A')).length, 1, 'A created once');
  assert.equal(state.tasks[0]!.points.length, 1, 'one point for A');
});
