import type { Context, Env, Hono, MiddlewareHandler } from 'hono';
import { isSlug } from '../../repo-slug.js';
import { isStatus, type Status } from '../../status.js';
import { admission } from '../admission.js';
import type { Limiter } from '../limiter.js';
import { namedByIfNoneMatch } from '../etag.js';
import type { SqlStore } from '../sql-store.js';
import type { RepoState } from '../types.js';
import { LIVE_SCRIPT, STYLESHEET } from './assets.js';
import { noCounts, workplanProgress } from './progress.js';
import { activityBody, overviewBody, page, problemPage, taskBody, workplanBody, workplanHeading, type WorkplanView } from './views.js';

/** Rows per page: enough to scan, few enough that any page renders in milliseconds. */
const PAGE_SIZE = 100;
/** Workplans on a page of the overview. */
const WORKPLANS_PER_PAGE = 100;
/** The furthest a page may start, so that no request asks the database to skip millions of rows. */
const MAX_OFFSET = 1_000_000;
const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * 60 * MINUTE_MS;

const REPO_SLUG = { test: isSlug };

/** `from=` as a row offset; anything else starts at the top. */
const offsetOf = (c: Context) => {
  const from = Number(c.req.query('from'));
  return Number.isInteger(from) && from > 0 ? Math.min(from, MAX_OFFSET) : 0;
};

const notModified = (c: Context, etag: string) => c.body(null, 304, { 'Cache-Control': 'no-cache', ETag: etag });

/**
 * Pages are sent with the ETag of the data they show and `no-cache`: the browser and the live
 * script ask again with If-None-Match and get an empty 304, before anything else is read, while
 * nothing changed. `render` may answer with a problem page instead.
 */
async function conditional(c: Context, etag: string, render: (etag: string) => Promise<ReturnType<typeof page> | Response>) {
  if (namedByIfNoneMatch(c.req.header('if-none-match'), etag)) return notModified(c, etag);
  c.header('Cache-Control', 'no-cache');
  c.header('ETag', etag);
  const rendered = await render(etag);
  return rendered instanceof Response ? rendered : c.html(rendered);
}

/** A page for people, answering as the API would: 400 for a bad address, 404 for what is not there. */
const problem = (c: Context, status: 400 | 404, title: string, message: string) => c.html(problemPage(title, message), status);

/** Only this hub's own stylesheet and script; no inline script could run even if one slipped through. */
const secureHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  );
  c.header('X-Content-Type-Options', 'nosniff');
};

/** One workplan's tasks, filtered by status and text, a page at a time. */
async function workplanPage(c: Context, store: SqlStore) {
  const repo = c.req.query('repo') ?? '';
  if (!REPO_SLUG.test(repo)) return problem(c, 400, 'No such page', 'A workplan page needs a repo slug (letters, digits, ".", "_" and "-").');
  const workplan = c.req.query('wp') ?? null;
  const statuses = (c.req.queries('status') ?? []).filter(isStatus) as Status[];
  const text = (c.req.query('q') ?? '').slice(0, 200);
  const offset = offsetOf(c);
  return conditional(c, await store.currentEtag(repo), async (etag) => {
    const counts = noCounts();
    let title: string | null = null;
    let total = 0;
    for (const row of await store.statusCounts([{ repo, workplan }])) {
      counts[row.status] += row.count;
      total += row.count;
      title = row.workplanTitle;
    }
    if (total === 0) return problem(c, 404, 'No such workplan', `The hub holds no tasks of workplan ${workplan ?? '(none)'} in repo ${repo}.`);
    const found = await store.taskPage({ repo, workplan, statuses, text, offset, limit: PAGE_SIZE });
    const view: WorkplanView = { repo, workplan, title, counts, total, ...found, offset, pageSize: PAGE_SIZE, statuses, text };
    return page({ title: title ?? workplan ?? 'No workplan', etag, before: workplanHeading(view), body: workplanBody(view) });
  });
}

/**
 * The dashboard: read-only HTML pages for people at `/`, served from the store through the same
 * limiter as the API, with their stylesheet and script (no other asset, no CDN).
 */
export function mountDashboard<E extends Env>(app: Hono<E>, store: SqlStore, limiter: Limiter, now: () => number = Date.now): void {
  const pages = ['/', '/workplan', '/task', '/activity'];
  const admit = admission(limiter);
  for (const path of pages) app.use(path, admit, secureHeaders);
  app.get('/assets/dashboard.css', (c) => c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'max-age=3600' }));
  app.get('/assets/dashboard.js', (c) => c.body(LIVE_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'max-age=3600' }));
  app.get('/', async (c) =>
    conditional(c, await store.hubRevision(), async (etag) => {
      const offset = offsetOf(c);
      const keys = await store.workplanKeys(offset, WORKPLANS_PER_PAGE + 1);
      const progress = workplanProgress(await store.statusCounts(keys.slice(0, WORKPLANS_PER_PAGE)));
      const empty = offset === 0 ? await store.reposWithoutTasks() : [];
      return page({
        title: 'Overview',
        etag,
        body: overviewBody(progress, empty, { offset, pageSize: WORKPLANS_PER_PAGE, more: keys.length > WORKPLANS_PER_PAGE }),
      });
    }),
  );

  app.get('/workplan', (c) => workplanPage(c, store));

  app.get('/task', async (c) => {
    const repo = c.req.query('repo') ?? '';
    const id = c.req.query('id') ?? '';
    if (!REPO_SLUG.test(repo) || !id) return problem(c, 400, 'No such page', 'A task page needs a repo slug and a task id.');
    const offset = offsetOf(c);
    const etag = await store.currentEtag(repo);
    if (namedByIfNoneMatch(c.req.header('if-none-match'), etag)) return notModified(c, etag);
    const state = (await store.readRepo(repo, undefined, [id])) as RepoState;
    const task = state.tasks[0];
    if (!task) return problem(c, 404, 'No such task', `The hub holds no task ${id} in repo ${repo}.`);
    return conditional(c, state.etag, async () => {
      const history = await store.historyPage(repo, id, offset, PAGE_SIZE);
      return page({ title: task.title, etag: state.etag, body: taskBody(repo, task, history, offset, PAGE_SIZE) });
    });
  });

  app.get('/activity', async (c) => {
    // The last day, to the minute: changes age out of it with no write, so its ETag names the minute too.
    const minute = Math.floor(now() / MINUTE_MS);
    const etag = (await store.hubRevision()).replace(/"$/, `.${minute}"`);
    return conditional(c, etag, async (etag) => {
      const offset = offsetOf(c);
      const entries = await store.activity(new Date(minute * MINUTE_MS - DAY_MS).toISOString(), offset, PAGE_SIZE + 1);
      return page({
        title: 'Activity',
        etag,
        body: activityBody(entries.slice(0, PAGE_SIZE), offset, PAGE_SIZE, entries.length > PAGE_SIZE),
      });
    });
  });
}
