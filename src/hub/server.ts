import { COMMIT_ID } from '../git/commit-id.js';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { utf8Body } from './utf8-body.js';
import { HTTPException } from 'hono/http-exception';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import { isSlug, ORIGIN_MAX_LENGTH } from '../repo-slug.js';
import { STATUSES } from '../status.js';
import { TEXT_LIMITS } from '../workplan/storable-text.js';
import { LAYOUT_IDS_MAX, LAYOUT_PATH_MAX, LAYOUTS_PER_REQUEST } from './layout.js';
import { admission, busy } from './admission.js';
import { mountDashboard } from './dashboard/routes.js';
import { Limiter, type Limits } from './limiter.js';
import { DRIVER_POINTS_KEPT } from './retention.js';
import { STATUS_VERSION_MAX } from './sql/driver-points.js';
import { namedByIfNoneMatch } from './etag.js';
import { RepoReadCache } from './read-cache.js';
import { isHubTime } from './hub-time.js';
import { requestLog } from './request-log.js';
import type { SqlStore } from './sql-store.js';
import { HubBusyError, HubUnavailableError, InvalidRequestError, NotFoundError, type RepoState } from './types.js';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

const slug = z.string().refine(isSlug, 'a repo slug: a name or owner/name of letters, digits, ".", "_" and "-"');
const taskId = z.string().min(1).max(200);
const status = z.enum(STATUSES as [string, ...string[]]);
const sha = z.string().regex(COMMIT_ID, 'a full commit id');
const text = (max: number) => z.string().max(max);

const pointSchema = z.strictObject({
  status,
  commit: sha,
  upstream: sha.nullable(),
  origin: sha,
  restates: z.string().refine(isHubTime, 'a time as the hub writes it (toISOString)').optional(),
});
const changeSchema = z.strictObject({
  id: taskId,
  expectedVersion: z.number().int().min(0),
  workplan: z.strictObject({ id: text(500).min(1), title: text(1000).nullable() }).optional(),
  title: text(1000).optional(),
  priority: text(100).nullable().optional(),
  status: status.optional(),
  hubId: text(200).min(1).optional(),
  decidedByRank: z.literal(true).optional(),
  point: pointSchema.optional(),
});
const syncSchema = z.strictObject({
  by: text(200).min(1),
  why: text(1000).optional(),
  origin: text(ORIGIN_MAX_LENGTH).min(1).optional(),
  changes: z.array(changeSchema).max(100_000),
  run: z.strictObject({ commit: sha, upstream: sha.nullable(), skipped: z.array(taskId).max(100_000) }).optional(),
  rewrites: z
    .array(z.strictObject({ old: sha, new: sha, changed: z.array(taskId).max(100_000) }))
    .max(10_000)
    .optional(),
  layouts: z
    .array(
      z.strictObject({
        file: text(LAYOUT_PATH_MAX).min(1),
        workplan: text(TEXT_LIMITS.workplanId).min(1).nullable(),
        ids: z.array(taskId).max(LAYOUT_IDS_MAX),
      }),
    )
    .max(LAYOUTS_PER_REQUEST)
    .optional(),
  driverPoints: z
    .array(z.strictObject({ id: taskId, status, statusVersion: z.number().int().min(0).max(STATUS_VERSION_MAX), parent: sha, theirs: sha }))
    .max(DRIVER_POINTS_KEPT)
    .optional(),
});
const statusSchema = z.strictObject({ status, expectedVersion: z.number().int().min(1).optional(), why: text(1000).optional() });
const repoParam = z.object({ repo: slug });
const taskParam = z.object({ repo: slug, id: taskId });

/** Zod failures become one 400 with the first problem named, never the validator's raw dump. */
type Issues = { issues: readonly { path: readonly PropertyKey[]; message: string }[] };
const validationHook = (result: { success: boolean; error?: Issues }, c: Context) => {
  if (!result.success) {
    const issue = result.error!.issues[0]!;
    return c.json({ error: `invalid request: ${issue.path.map(String).join('.') || 'body'}: ${issue.message}` }, 400);
  }
  return undefined;
};

export interface AppOptions {
  /** One line per request; the server passes a writer to stderr. */
  log?: (line: string) => void;
  /** How many requests reach the store at once, and how many wait; by default sized to the store. */
  limits?: Limits;
  /** The clock the dashboard's last day is measured by; tests move it. */
  now?: () => number;
}

/** A store's share of requests: its slots, a queue of a few dozen per slot, and a wait short of a client's patience. */
export const defaultLimits = (store: SqlStore): Limits => ({ slots: store.slots, queue: 32 * store.slots, waitMs: 2000 });

/** The hub's HTTP API over a store, as Web Request → Response: tests call `app.request()` with no port. */
type Env = { Variables: { caller: string } };
type App = Hono<Env>;

export function createApp(store: SqlStore, options: AppOptions = {}) {
  const app: App = new Hono<Env>();
  if (options.log) app.use(requestLog(options.log));
  app.use(bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json({ error: `request body over ${MAX_BODY_BYTES} bytes` }, 413) }));
  app.get('/v1/health', (c) => c.json({ ok: true }));
  // Everything that reaches the store waits for a slot; health never does, so it answers under load.
  const limiter = new Limiter(options.limits ?? defaultLimits(store));
  app.use('/v1/repos/*', admission(limiter));
  readRoutes(app, store);
  writeRoutes(app, store);
  // Pages for people at `/`, reading what the API reads, through the same limiter.
  mountDashboard(app, store, limiter, options.now);
  app.notFound((c) => c.json({ error: `no such endpoint: ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => errorAnswer(error, c, options));
  return app;
}

/** The request's bearer token, if it has one. */
const bearerToken = (c: Context): string | undefined => /^Bearer (\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];

const NO_TOKEN = 'writes need a bearer token (Authorization: Bearer …)';
const UNKNOWN_TOKEN = 'unknown bearer token';

/** Writes need a bearer token; its owner is the caller the history names. */
function requireToken(store: SqlStore) {
  return async (c: Context<Env>, next: () => Promise<void>) => {
    const token = bearerToken(c);
    if (!token) return c.json({ error: NO_TOKEN }, 401);
    const caller = await store.tokenOwner(token);
    if (!caller) return c.json({ error: UNKNOWN_TOKEN }, 401);
    c.set('caller', caller);
    await next();
    return undefined;
  };
}

/**
 * For a route whose write looks its token up itself (one round trip): a request without a token
 * is refused at once, and one refused as bad (400: its path, its body, not JSON at all) whose
 * token is no one's is answered 401, as every other write route answers it. Only a refused
 * request pays a lookup here.
 */
function tokenLookedUpByWrite(store: SqlStore) {
  return async (c: Context, next: () => Promise<void>) => {
    const token = bearerToken(c);
    if (!token) return c.json({ error: NO_TOKEN }, 401);
    await next();
    if (c.res.status === 400 && !(await store.tokenOwner(token))) c.res = c.json({ error: UNKNOWN_TOKEN }, 401);
    return undefined;
  };
}

function readRoutes(app: App, store: SqlStore): void {
  const reads = new RepoReadCache();
  app.get('/v1/repos', zValidator('query', z.object({ slug: slug.optional() }), validationHook), async (c) => {
    return c.json(await store.listRepos(c.req.valid('query').slug));
  });

  app.get('/v1/repos/:repo/tasks', zValidator('param', repoParam, validationHook), async (c) => {
    const { repo } = c.req.valid('param');
    const only = c.req.queries('id');
    const ifNoneMatch = c.req.header('if-none-match');
    const etag = await store.currentEtag(repo);
    if (namedByIfNoneMatch(ifNoneMatch, etag)) {
      c.header('ETag', etag);
      return c.body(null, 304);
    }
    if (only) {
      const state = (await store.readRepo(repo, undefined, only)) as RepoState;
      c.header('ETag', state.etag);
      return c.json(state);
    }
    const read = await reads.read(repo, etag, async () => (await store.readRepo(repo)) as RepoState);
    c.header('ETag', read.etag);
    c.header('Content-Type', 'application/json');
    return c.body(read.json);
  });

  // The read above for more ids than a request head holds (servers answer 431 past ~16 KiB).
  const querySchema = z.strictObject({ ids: z.array(taskId).max(100_000), ifNoneMatch: text(200).optional() });
  app.post(
    '/v1/repos/:repo/tasks/query',
    zValidator('param', repoParam, validationHook),
    utf8Body(),
    zValidator('json', querySchema, validationHook),
    async (c) => {
      const { repo } = c.req.valid('param');
      const { ids, ifNoneMatch } = c.req.valid('json');
      const state = await store.readRepo(repo, ifNoneMatch, ids);
      if (state === 'not-modified') {
        c.header('ETag', ifNoneMatch!);
        return c.body(null, 304);
      }
      c.header('ETag', state.etag);
      return c.json(state);
    },
  );

  app.get('/v1/repos/:repo/tasks/:id/history', zValidator('param', taskParam, validationHook), async (c) => {
    const { repo, id } = c.req.valid('param');
    return c.json(await store.history(repo, id));
  });
}

function writeRoutes(app: App, store: SqlStore): void {
  const token = requireToken(store);
  app.post(
    '/v1/repos/:repo/sync',
    token,
    zValidator('param', repoParam, validationHook),
    utf8Body(),
    zValidator('json', syncSchema, validationHook),
    async (c) => {
      const { repo } = c.req.valid('param');
      const body = c.req.valid('json') as Omit<Parameters<SqlStore['sync']>[0], 'repo'>;
      // History names the token's owner; the machine the client names goes into the run record.
      const result = await store.sync({ ...body, repo, by: `${c.get('caller')}@${body.by}` });
      if (!result.ok) return c.json(result, 409);
      c.header('ETag', result.etag);
      return c.json(result);
    },
  );

  app.put(
    '/v1/repos/:repo/tasks/:id/status',
    tokenLookedUpByWrite(store),
    zValidator('param', taskParam, validationHook),
    utf8Body(),
    zValidator('json', statusSchema, validationHook),
    async (c) => {
      const { repo, id } = c.req.valid('param');
      const body = c.req.valid('json') as { status: (typeof STATUSES)[number]; expectedVersion?: number; why?: string };
      const result = await store.setStatusAs(bearerToken(c)!, { repo, id, ...body });
      if (result === 'unknown-token') return c.json({ error: UNKNOWN_TOKEN }, 401);
      return result.ok ? c.json(result.task) : c.json({ error: `task '${id}' is at version ${result.current.version}`, current: result.current }, 409);
    },
  );
}

/** Each kind of failure as the answer a client can act on; anything else is logged and a 500. */
function errorAnswer(error: Error, c: Context<Env>, options: AppOptions) {
  if (error instanceof NotFoundError) return c.json({ error: error.message }, 404);
  if (error instanceof InvalidRequestError) return c.json({ error: error.message }, 400);
  if (error instanceof HubBusyError) return busy(c, error.message);
  // Its database down or missing: the hub cannot answer now, which is not a fault of the request.
  if (error instanceof HubUnavailableError) return c.json({ error: 'the hub cannot reach its database' }, 503);
  if (error instanceof HTTPException) return c.json({ error: error.message || 'bad request' }, error.status);
  options.log?.(`error: ${error.stack ?? error.message}`);
  return c.json({ error: 'internal error' }, 500);
}
