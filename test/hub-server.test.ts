import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { printable } from '../src/output/printable.js';
import { startHub } from '../src/hub/serve.js';
import { createApp } from '../src/hub/server.js';
import { BODY_DEADLINE_MS } from '../src/hub/utf8-body.js';
import { ROOT } from './helpers/paths.js';
import { sqliteStore } from './helpers/hubs.js';

const SHA = 'a'.repeat(40);
const validBatch = {
  by: 'ws',
  changes: [{ id: 'A', expectedVersion: 0, status: 'todo', title: 'A', point: { status: 'todo', commit: SHA, upstream: null, origin: SHA } }],
};

async function scene(t: Parameters<typeof sqliteStore>[0]) {
  const store = await sqliteStore(t);
  const token = await store.createToken('ws');
  const app = createApp(store);
  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
    app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  return { store, token, app, send };
}

test('writes need a valid bearer token; reads do not', async (t) => {
  const { send, store } = await scene(t);
  for (const headers of [{}, { authorization: 'Bearer cust_wrong' }, { authorization: 'Basic d3M6d3M=' }] as Record<string, string>[]) {
    const refused = await send('POST', '/v1/repos/acme/sync', validBatch, headers);
    assert.equal(refused.status, 401);
    assert.match((await refused.json()).error, /token/);
    assert.equal((await send('PUT', '/v1/repos/acme/tasks/A/status', { status: 'done' }, headers)).status, 401);
  }
  assert.deepEqual(await store.listRepos(), [], 'nothing was written');
  assert.equal((await send('GET', '/v1/repos/acme/tasks', undefined, {})).status, 200);

  const accepted = await send('POST', '/v1/repos/acme/sync', validBatch);
  assert.equal(accepted.status, 200);
  const history = await (await send('GET', '/v1/repos/acme/tasks/A/history')).json();
  assert.match(history[0].by, /^ws@ws$/, "history names the token's owner and the machine");
});

test('a body that is not UTF-8 is refused whole: two ids differing in a bad byte are never one task', async (t) => {
  const { send, store, app, token } = await scene(t);
  // Each character of `json` one byte: \xff is the byte 0xff, not UTF-8's two.
  const raw = (method: string, path: string, json: string) =>
    app.request(path, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: Buffer.from(json, 'latin1') });
  const batch = (id: string, version: number, status: string) => `{"by":"m","changes":[{"id":"${id}","expectedVersion":${version},"status":"${status}"}]}`;
  for (const [method, path, body] of [
    ['POST', '/v1/repos/acme/sync', batch('Y\xff', 0, 'todo')],
    ['POST', '/v1/repos/acme/sync', `{"by":"m\xc3\x28","changes":[]}`],
    ['PUT', '/v1/repos/acme/tasks/A/status', '{"status":"blocked","why":"\xc3\x28 bad"}'],
    ['POST', '/v1/repos/acme/tasks/query', '{"ids":["\xfe"]}'],
  ] as const) {
    const refused = await raw(method, path, body);
    assert.equal(refused.status, 400, `${method} ${path}`);
    assert.deepEqual(await refused.json(), { error: 'request body is not valid UTF-8' });
  }
  assert.deepEqual(await store.listRepos(), [], 'nothing was written');
  const tokenless = await app.request('/v1/repos/acme/sync', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(batch('Y\xff', 0, 'todo'), 'latin1'),
  });
  assert.equal(tokenless.status, 401, 'the token is asked for before the body is read');
  assert.equal((await raw('POST', '/v1/repos/acme/sync', batch('Yé', 0, 'todo'))).status, 400, 'é as latin1 is one bad byte');
  assert.equal((await send('POST', '/v1/repos/acme/sync', JSON.parse(batch('Yé', 0, 'todo')))).status, 200, 'é as UTF-8 is fine');
});

test('a body sent as another media type than JSON is refused as such (415), not as a batch missing its fields', async (t) => {
  const { app, store, token } = await scene(t);
  const body = '{"by":"m","changes":[]}';
  for (const type of ['application/x-www-form-urlencoded', 'text/plain', undefined]) {
    const refused = await app.request('/v1/repos/acme/sync', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}) },
      body,
    });
    assert.equal(refused.status, 415, String(type));
    assert.match(((await refused.json()) as { error: string }).error, /^request body must be JSON, sent as Content-Type: application\/json/);
  }
  assert.deepEqual(await store.listRepos(), [], 'nothing was written');
  const charset = await app.request('/v1/repos/acme/sync', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'Application/JSON; charset=utf-8' },
    body,
  });
  assert.equal(charset.status, 200, 'a charset parameter and any case are fine');
});

test('tokens are stored only as hashes', async (t) => {
  const { store, token } = await scene(t);
  const rows = await (store as unknown as { db: { all: (sql: string) => Promise<{ name: string; hash: string }[]> } }).db.all('SELECT name, hash FROM tokens');
  assert.equal(rows.length, 1);
  assert.notEqual(rows[0]!.hash, token);
  assert.ok(!rows[0]!.hash.includes(token.slice(5, 20)));
  assert.match(rows[0]!.hash, /^[0-9a-f]{64}$/);
  assert.equal(await store.tokenOwner(token), 'ws');
  assert.equal(await store.tokenOwner(`${token}x`), null);
});

test('bad input gets a clear 4xx and writes nothing', async (t) => {
  const { send, store } = await scene(t);
  assert.equal((await send('POST', '/v1/repos/acme/sync', validBatch)).status, 200);
  const before = await store.readRepo('acme');
  const cases: [string, string, unknown, number, RegExp][] = [
    ['POST', '/v1/repos/acme/sync', '{"by": "ws", "changes": [', 400, /JSON/i],
    ['POST', '/v1/repos/acme/sync', { by: 'ws', changes: [{ id: 'A', expectedVersion: 1, status: 'finished' }] }, 400, /changes\.0\.status/],
    ['POST', '/v1/repos/acme/sync', { by: 'ws', changes: [], extra: 1 }, 400, /invalid request/],
    ['POST', '/v1/repos/bad%20slug/sync', validBatch, 400, /repo/],
    ['PUT', '/v1/repos/acme/tasks/A/status', { status: 'finished' }, 400, /status/],
    ['PUT', '/v1/repos/acme/tasks/NOPE/status', { status: 'done' }, 404, /no task 'NOPE'/],
    ['PUT', '/v1/repos/unknown/tasks/A/status', { status: 'done' }, 404, /repo 'unknown'/],
    ['GET', '/v1/nothing-here', undefined, 404, /no such endpoint/],
    [
      'POST',
      '/v1/repos/acme/sync',
      { by: 'ws', changes: Array.from({ length: 60_000 }, (_, i) => ({ id: `T-${i}-${'x'.repeat(40)}`, expectedVersion: 0, status: 'todo' })) },
      413,
      /over/,
    ],
  ];
  for (const [method, path, body, status, message] of cases) {
    const response = await send(method, path, body);
    assert.equal(response.status, status, `${method} ${path}`);
    assert.match((await response.json()).error, message, `${method} ${path}`);
  }
  assert.deepEqual(await store.readRepo('acme'), before);
});

test('fuzz: hundreds of malformed bodies and paths never give a 500, and a refused one changes nothing', async (t) => {
  const { send, store } = await scene(t);
  assert.equal((await send('POST', '/v1/repos/acme/sync', validBatch)).status, 200);
  const json = fc.jsonValue({ maxDepth: 4 });
  const mutatedBatch = fc.record(
    {
      by: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      changes: fc.array(
        fc.record(
          {
            id: fc.oneof(fc.string(), json),
            expectedVersion: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.string(), fc.double()),
            status: fc.oneof(fc.constantFrom('todo', 'nope', ''), json),
            point: json,
          },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
      run: json,
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    json,
    mutatedBatch,
    fc.string().map((s) => `{${s}`),
    fc.constant(undefined),
  );
  const path = fc.oneof(
    fc.constantFrom('/v1/repos/acme/sync', '/v1/repos/acme/tasks/A/status', '/v1/repos/acme/tasks', '/v1/repos'),
    fc.tuple(fc.constantFrom('/v1/repos/', '/v1/repos/acme/tasks/', '/v1/'), fc.webSegment()).map(([a, b]) => a + b),
    fc.string().map((s) => `/v1/repos/${encodeURIComponent(s)}/tasks/${encodeURIComponent(s)}/status`),
  );
  const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH');
  const seen = new Set<number>();
  await fc.assert(
    fc.asyncProperty(method, path, body, async (m, p, b) => {
      const before = await store.listRepos();
      const response = await send(m, p, m === 'GET' ? undefined : b);
      seen.add(response.status);
      assert.ok(response.status < 500, `${m} ${p} ${JSON.stringify(b)} gave ${response.status}`);
      if (response.status >= 400) assert.deepEqual(await store.listRepos(), before, `${m} ${p} was refused but changed data`);
    }),
    { numRuns: 400 },
  );
  assert.ok(seen.has(400) && seen.has(404), `saw ${[...seen]}`);
});

test('the OpenAPI document describes exactly the routes the server has', async (t) => {
  const { app } = await scene(t);
  const doc = parse(await readFile(`${ROOT}openapi.yaml`, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  const documented = Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
  const served = app.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
    .filter((r, i, all) => all.indexOf(r) === i)
    .sort();
  assert.deepEqual(served, documented);
});

test('control characters in a request path are escaped in the log: no forged line', async (t) => {
  const store = await sqliteStore(t);
  const lines: string[] = [];
  const app = createApp(store, { log: (line) => lines.push(line) });
  const forged = '/v1/repos/acme/tasks/x%0A2026-01-01T00:00:00.000Z%20POST%20%2Fv1%2Frepos%2Fadmin%2Fsync%20200%1B%5B2K%7F%C2%9B/history';
  assert.equal((await app.request(forged)).status, 404);
  assert.equal(lines.length, 1);
  assert.equal(printable(lines[0]!), lines[0], 'no control character reaches the log');
  assert.match(
    lines[0]!,
    /^GET \/v1\/repos\/acme\/tasks\/x\\u000a2026-01-01T00:00:00\.000Z POST %2Fv1%2Frepos%2Fadmin%2Fsync 200\\u001b\[2K\\u007f\\u009b\/history 404 /,
  );
});

test("a connection opened ahead of use (as browsers do) and never used does not hold up the hub's shutdown", async (t) => {
  const hub = await startHub(await sqliteStore(t));
  const { hostname, port } = new URL(hub.url);
  const spare = net.connect(Number(port), hostname);
  await once(spare, 'connect');
  const closed = once(spare, 'close');
  await hub.close();
  await closed;
  assert.equal(spare.destroyed, true);
});

test('a client that hangs up before its body arrived is logged as such, not as the hub failing (500)', async (t) => {
  const lines: string[] = [];
  const hub = await startHub(await sqliteStore(t), { log: (line) => lines.push(line) });
  t.after(() => hub.close());
  const { hostname, port } = new URL(hub.url);
  const socket = net.connect(Number(port), hostname, () =>
    socket.write('POST /v1/repos/x/tasks/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"ids":'),
  );
  socket.on('error', () => undefined);
  await new Promise((r) => setTimeout(r, 200));
  socket.destroy();
  while (!lines.some((l) => l.includes('/v1/repos/x/tasks/query'))) await new Promise((r) => setTimeout(r, 20));
  const logged = lines.find((l) => l.includes('/v1/repos/x/tasks/query'))!;
  assert.match(logged, /POST \/v1\/repos\/x\/tasks\/query 400 /, logged);
  assert.equal((await fetch(`${hub.url}/v1/repos/x/tasks`)).status, 200, 'and the hub answers on');
});

test('clients that trickle their bodies in hold the slots no longer than the body deadline: answered 408 and closed, the hub answers again', async (t) => {
  const hub = await startHub(await sqliteStore(t));
  t.after(() => hub.close());
  const { hostname, port } = new URL(hub.url);
  const heads = ['POST /v1/repos/x/tasks/query HTTP/1.1\r\n', 'PUT /v1/repos/x/tasks/T/status HTTP/1.1\r\nAuthorization: Bearer made-up\r\n'];
  const slow = heads.flatMap((head) =>
    [0, 1, 2, 3].map(() => {
      const socket = net.connect(Number(port), hostname, () =>
        socket.write(`${head}Host: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`),
      );
      let answer = '';
      socket.on('data', (chunk) => {
        answer += chunk.toString();
      });
      socket.on('error', () => undefined);
      const trickle = setInterval(() => socket.write(' '), 500);
      const closed = once(socket, 'close').then(() => {
        clearInterval(trickle);
        return answer;
      });
      return closed;
    }),
  );
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await fetch(`${hub.url}/v1/repos/x/tasks`)).status, 503, 'the slots are held');
  const started = Date.now();
  const answers = await Promise.all(slow);
  for (const answer of answers) assert.match(answer, /^HTTP\/1\.1 (408|503) /);
  assert.ok(answers.some((a) => a.startsWith('HTTP/1.1 408')));
  assert.ok(Date.now() - started < BODY_DEADLINE_MS * 3, 'let go after the deadline, not minutes later');
  assert.equal((await fetch(`${hub.url}/v1/repos/x/tasks`)).status, 200);
});
