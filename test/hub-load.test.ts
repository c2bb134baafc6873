import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { HistoryEntry, HubTask, RepoState, SyncResult } from '../src/hub/types.js';
import { createToken, spawnHub } from './helpers/hub-process.js';
import { PG_SKIP, PG_URL, pgSchema } from './helpers/hubs.js';
import { tempDir } from './helpers/temp-repo.js';

/**
 * A bounded load on a real hub process (loopback, port 0): clients reading, syncing batches and
 * setting statuses as agents do, all at once for a few seconds. The hub may refuse (503) but never
 * fail (5xx), health answers within a second throughout, and every acknowledged write is there.
 */
const CLIENTS = 6;
const LOAD_MS = 4000;
const REQUESTS_PER_CLIENT = 150;
const SEEDED = 500;
const HOT = 20;
const STATUSES = ['todo', 'in_progress', 'blocked', 'done', 'cancelled'] as const;

const STORES: { name: string; skip: string | false; db(t: TestContext): Promise<string> }[] = [
  { name: 'SQLite', skip: false, db: async (t) => path.join(await tempDir(t), 'hub.sqlite') },
  { name: 'PostgreSQL', skip: PG_SKIP, db: async (t) => `${PG_URL}?options=${encodeURIComponent(`-c search_path=${await pgSchema(t)}`)}` },
];

for (const store of STORES) {
  describe(`hub under load on ${store.name}`, { skip: store.skip }, () => {
    test('mixed reads, batches and agent updates: no 5xx but 503, health within 1 s, nothing acknowledged lost', async (t) => {
      const db = await store.db(t);
      const token = await createToken(db, 'load');
      const { url } = await spawnHub(t, db);
      const tasks = `${url}/v1/repos/load/tasks`;
      const send = async (method: string, target: string, body?: unknown, headers: Record<string, string> = {}) => {
        const response = await fetch(target, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(15_000),
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        return response;
      };
      const statuses = new Map<number, number>();
      const seed = Array.from({ length: SEEDED }, (_, i) => ({
        id: `H-${i}`,
        expectedVersion: 0,
        status: 'todo',
        title: `Task ${i}`,
        workplan: { id: `WP-${i % 50}`, title: null },
      }));
      assert.equal((await send('POST', `${url}/v1/repos/load/sync`, { by: 'seed', changes: seed })).status, 200);

      // What the hub acknowledged: each task's status at each version it reported.
      const acknowledged = new Map<string, Map<number, string>>();
      const ack = (id: string, version: number, status: string) => {
        const versions = acknowledged.get(id) ?? new Map<number, string>();
        assert.ok(!versions.has(version) || versions.get(version) === status, `${id} v${version} acknowledged as two statuses`);
        acknowledged.set(id, versions.set(version, status));
      };
      const created = new Set<string>();

      const deadline = performance.now() + LOAD_MS;
      const client = async (c: number) => {
        let etag: string | undefined;
        for (let n = 0; n < REQUESTS_PER_CLIENT && performance.now() < deadline; n++) {
          const hot = `H-${(c * 7 + n) % HOT}`;
          const status = STATUSES[(c + n) % STATUSES.length]!;
          if (n % 10 < 4) {
            const response = await send('GET', tasks, undefined, n % 2 && etag ? { 'if-none-match': etag } : {});
            if (response.status === 200) etag = response.headers.get('etag') ?? undefined;
            await response.arrayBuffer();
          } else if (n % 10 < 6) {
            const ids = Array.from({ length: 20 }, (_, k) => `C${c}-${n}-${k}`);
            const response = await send('POST', `${url}/v1/repos/load/sync`, {
              by: `client-${c}`,
              changes: ids.map((id) => ({ id, expectedVersion: 0, status: 'todo' })),
              run: { commit: 'a'.repeat(40), upstream: null, skipped: [] },
            });
            const result = (await response.json()) as SyncResult;
            if (response.status === 200 && result.ok) for (const id of ids) created.add(id);
          } else {
            const response = await send('PUT', `${tasks}/${hot}/status`, { status, why: `client ${c}` });
            const task = (await response.json()) as HubTask;
            if (response.status === 200) ack(hot, task.version, task.status);
          }
        }
      };

      const health: number[] = [];
      let loading = true;
      const prober = (async () => {
        while (loading) {
          const started = performance.now();
          const response = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(15_000) });
          await response.arrayBuffer();
          health.push(performance.now() - started);
          assert.equal(response.status, 200);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c))).finally(() => (loading = false));
      await prober;

      t.diagnostic(`answers by status ${JSON.stringify([...statuses])}; health max ${Math.max(...health).toFixed(0)} ms over ${health.length} probes`);
      const failures = [...statuses].filter(([status]) => status >= 500 && status !== 503);
      assert.deepEqual(failures, [], `answers by status: ${JSON.stringify([...statuses])}`);
      assert.ok(Math.max(...health) < 1000, `health took up to ${Math.max(...health).toFixed(0)} ms (${health.length} probes)`);
      assert.ok((statuses.get(200) ?? 0) > CLIENTS * 5, `the hub did work: ${JSON.stringify([...statuses])}`);

      const final = (await (await send('GET', tasks)).json()) as RepoState;
      const byId = new Map(final.tasks.map((x) => [x.id, x]));
      assert.equal(final.tasks.length, SEEDED + created.size, 'every acknowledged creation, and nothing else, is there');
      for (const id of created) assert.equal(byId.get(id)?.status, 'todo', id);
      for (const [id, versions] of acknowledged) {
        const history = (await (await send('GET', `${tasks}/${id}/history`)).json()) as HistoryEntry[];
        assert.equal(history.length, byId.get(id)!.version, `${id}: one history entry per version`);
        for (const [version, status] of versions)
          assert.equal(history[version - 1]?.to, status, `${id} v${version}: the acknowledged status is in the history`);
      }
    });
  });
}
