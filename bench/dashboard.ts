/**
 * `node dist/bench/dashboard.js [workplans] [postgres://…]`: how long the hub takes to render each dashboard
 * page over a hub of 100,000 tasks (the target: 300 ms on the server), measured through
 * the app itself so that the figure is the server's work, not the network's. Kept apart from
 * run.ts because seeding 100,000 tasks is slow and the figure is wanted on its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from '../src/hub/open.js';
import { createApp } from '../src/hub/server.js';
import type { TaskChange } from '../src/hub/types.js';
import { withPostgresSchemas } from './postgres-schemas.js';

const TASKS = 100_000;
/** 20 workplans of 5,000 tasks by default; 10,000 of 10 is the shape of the main bench's repos, 1 the biggest page. */
const WORKPLANS = Number(process.argv[2] ?? 20);
const STATUSES = ['todo', 'in_progress', 'blocked', 'done', 'cancelled'] as const;
const RUNS = 7;

const postgres = process.argv[3];
const work = mkdtempSync(path.join(tmpdir(), 'custodian-dash-bench-'));
// PostgreSQL: a schema of its own, dropped after, so a run neither finds nor leaves another's tasks.
if (postgres) await withPostgresSchemas(postgres, async (schemaDb) => measure(await schemaDb('dashboard')));
else await measure(path.join(work, 'hub.sqlite'));
rmSync(work, { recursive: true, force: true });

async function measure(location: string): Promise<void> {
  const store = await openStore(location);
  const perPlan = TASKS / WORKPLANS;
  const batch: TaskChange[] = [];
  for (let w = 0; w < WORKPLANS; w++) {
    const changes = Array.from({ length: perPlan }, (_, i) => ({
      id: `WP-${w}-T${i}`,
      expectedVersion: 0,
      status: STATUSES[i % STATUSES.length]!,
      title: `Task ${i} of workplan ${w}`,
      priority: 'medium',
      workplan: { id: `WP-${w}`, title: `Workplan ${w}` },
      point: { status: STATUSES[i % STATUSES.length]!, commit: 'a'.repeat(40), upstream: null, origin: 'a'.repeat(40) },
    }));
    batch.push(...changes);
    if (batch.length >= 10_000 || w === WORKPLANS - 1) {
      const result = await store.sync({ repo: 'big', by: 'bench', why: 'seeded', changes: batch.splice(0) });
      if (!result.ok) throw new Error('seeding refused');
    }
  }
  // Each workplan laid out as a run sends it, in another order than the hub first saw its tasks,
  // and without its first task (in no file): pages walk file order.
  for (let w = 0; w < WORKPLANS; w++) {
    const ids = Array.from({ length: perPlan - 1 }, (_, i) => `WP-${w}-T${perPlan - 1 - i}`);
    const result = await store.sync({ repo: 'big', by: 'bench', changes: [], layouts: [{ file: `plans/wp-${w}.md`, workplan: `WP-${w}`, ids }] });
    if (!result.ok) throw new Error('layout refused');
  }
  // A day's activity: a thousand status changes on top.
  for (let i = 0; i < 1000; i++)
    await store.setStatus({ repo: 'big', id: `WP-${i % WORKPLANS}-T${(i * 7) % perPlan}`, status: 'done', by: 'bench', why: 'bench' });

  const app = createApp(store);
  const pages = {
    overview: '/',
    [`workplan (${perPlan.toLocaleString('en')} tasks), first page`]: '/workplan?repo=big&wp=WP-0',
    'workplan, middle page (the longest walk)': `/workplan?repo=big&wp=WP-0&from=${Math.floor(perPlan / 2)}`,
    'workplan, last page': `/workplan?repo=big&wp=WP-0&from=${Math.max(0, perPlan - 100)}`,
    'workplan, status filter and search': '/workplan?repo=big&wp=WP-0&status=blocked&status=done&q=task%2012',
    task: `/task?repo=big&id=WP-0-T${Math.min(21, perPlan - 1)}`,
    activity: '/activity',
  };
  const width = Math.max(...Object.keys(pages).map((p) => p.length));
  console.log(
    `dashboard pages over ${TASKS.toLocaleString('en')} tasks, ${WORKPLANS} workplans (${postgres ? 'PostgreSQL' : 'SQLite'}), min / median / max of ${RUNS}`,
  );
  for (const [name, page] of Object.entries(pages)) {
    const samples: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      const start = performance.now();
      const response = await app.request(page);
      await response.text();
      if (response.status !== 200) throw new Error(`${page} answered ${response.status}`);
      if (i > 0) samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    console.log(`${name.padEnd(width)}  ${ms(samples[0]!)} / ${ms(samples[Math.floor(RUNS / 2)]!)} / ${ms(samples.at(-1)!)}`);
  }
  await store.close();
}
