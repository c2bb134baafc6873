/**
 * `npm run bench`: the hooks' cost on every pull, a repo's first sync into an empty hub, how
 * reconcile grows with repo size, git's merge driver on a contested status line, how fast writeback
 * and the hub are, and peak memory; `-- merge-driver` measures only the driver; with
 * `-- big-hub`, a hub of 100 repos too. Each figure is the median of repeated runs after a
 * warm-up (min / median / max shown); the table goes to stdout, everything to bench/results.json.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpHub } from '../src/hub/http-hub.js';
import { openStore } from '../src/hub/open.js';
import type { SyncBatch, TaskChange } from '../src/hub/types.js';
import { withPostgresSchemas } from './postgres-schemas.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(ROOT, 'dist', 'bundle', 'cli.cjs');
const work = mkdtempSync(path.join(tmpdir(), 'custodian-bench-'));
const env = {
  ...process.env,
  XDG_STATE_HOME: path.join(work, 'state'),
  XDG_CACHE_HOME: path.join(work, 'cache'),
  CUSTODIAN_HUB: path.join(work, 'hub.sqlite'),
  NO_COLOR: '1',
};
const results: Record<string, unknown> = { machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, at: new Date().toISOString() };
const rows: string[][] = [];
/** `npm run bench -- hooks` stops after the hook figures: the quick loop while working on the hooks. */
const hooksOnly = process.argv.includes('hooks');
/** `npm run bench -- first-sync` measures only the first sync of a repo into an empty hub. */
const firstSyncOnly = process.argv.includes('first-sync');
/** `npm run bench -- big-hub` adds a hub of 100 repos of 10,000 tasks (minutes); `big-hub-only` measures just that. */
const bigHubOnly = process.argv.includes('big-hub-only');
const withBigHub = bigHubOnly || process.argv.includes('big-hub');

interface Stats {
  min: number;
  median: number;
  max: number;
  runs: number;
}
function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)!, runs: samples.length };
}
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const show = (s: Stats) => `${fmt(s.min)} / ${fmt(s.median)} / ${fmt(s.max)}`;

interface Case {
  fn: () => unknown;
  /** Runs untimed before each timed run. */
  prepare?: () => unknown;
}

/**
 * Times each case `runs` times after `warmup` untimed runs. Cases take turns run by run, so that a
 * slow spell of the machine falls on all of them alike and their ratios hold.
 */
async function measureInTurns(runs: number, cases: Case[], warmup = 2): Promise<Stats[]> {
  const samples = cases.map((): number[] => []);
  for (let i = 0; i < warmup + runs; i++) {
    for (const [at, { fn, prepare }] of cases.entries()) {
      await prepare?.();
      const start = performance.now();
      await fn();
      const elapsed = performance.now() - start;
      if (i >= warmup) samples[at]!.push(elapsed);
    }
  }
  return samples.map(stats);
}

const measure = async (runs: number, fn: () => unknown, prepare?: () => unknown, warmup = 2): Promise<Stats> =>
  (await measureInTurns(runs, [{ fn, prepare }], warmup))[0]!;

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'] });

/** A bench repo's identity, no signing, no automatic gc. */
function configureBenchRepo(dir: string): void {
  for (const [k, v] of [
    ['user.name', 'bench'],
    ['user.email', 'bench@example.com'],
    ['commit.gpgsign', 'false'],
    ['gc.auto', '0'],
  ]) {
    git(dir, 'config', k!, v!);
  }
}
/** A build of the CLI and the environment its runs get: this one, or the baseline it is compared with. */
interface Build {
  cli: string;
  env: NodeJS.ProcessEnv;
}
const THIS_BUILD: Build = { cli: CLI, env };
/**
 * `BENCH_BASELINE=<another checkout's dist/bundle/cli.cjs>`: the hook figures are measured for that
 * build too, in turns with this one, and shown as ratios. Its hub is its own: schemas differ.
 */
const BASELINE: Build | null = process.env.BENCH_BASELINE
  ? { cli: path.resolve(process.env.BENCH_BASELINE), env: { ...env, CUSTODIAN_HUB: path.join(work, 'hub-baseline.sqlite') } }
  : null;

const cli = (cwd: string, ...args: string[]) => cliOf(THIS_BUILD, cwd, ...args);
function cliOf(build: Build, cwd: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [build.cli, ...args], { cwd, env: build.env, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`custodian-hooks ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** A repo shaped like real workplans: front matter, headings, prose, ten task blocks a file; installed and synced unless told. */
function makeRepo(name: string, tasks: number, synced = true, build = THIS_BUILD): string {
  const origin = path.join(work, `${name}.git`);
  const dir = path.join(work, name);
  git(work, 'init', '-q', '--bare', '-b', 'main', origin);
  git(work, 'clone', '-q', origin, dir);
  configureBenchRepo(dir);
  mkdirSync(path.join(dir, 'docs'), { recursive: true });
  for (let f = 0; f < tasks / 10; f++) {
    const id = `WP-${String(f).padStart(4, '0')}`;
    const blocks = Array.from(
      { length: 10 },
      (_, t) =>
        `### T${t} — Task ${t} of ${id}\n\nSome prose about the task, with \`code\` and a [link](x).\n\n\`\`\`task\nid: ${id}-T${t}\nstatus: todo\npriority: medium\nstate_hub_task_id: "${f}-${t}"\n\`\`\`\n\nMore prose.\n`,
    );
    writeFileSync(
      path.join(dir, 'docs', `${id}.md`),
      `---\nid: ${id}\ntype: workplan\ntitle: "Workplan ${f}"\nstatus: active\n---\n\n# Workplan ${f}\n\n## Problem\n\nText.\n\n## Tasks\n\n${blocks.join('\n')}`,
    );
  }
  writeFileSync(path.join(dir, 'notes.txt'), 'notes\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'plans');
  git(dir, 'push', '-q', 'origin', 'main');
  if (!synced) return dir;
  cliOf(build, dir, 'install');
  cliOf(build, dir, 'run', '--fix');
  return dir;
}

const hook = (dir: string, build = THIS_BUILD) =>
  spawnSync('sh', [path.join(dir, '.git', 'hooks', 'post-merge'), '0'], { cwd: dir, env: build.env, stdio: 'ignore' });
const rewindState = (dir: string) => {
  // As after a pull: the settled commit is the one before the pull brought new commits, and the
  // tracking ref is where the pull took HEAD.
  git(dir, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
  const file = path.join(dir, '.git', 'custodian-hooks', 'state.json');
  const state = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...state, head: git(dir, 'rev-parse', 'HEAD~1').trim() }));
};

let n = 0;
/** As after a pull that brought one commit and no workplan change. */
const pullChangingNoWorkplan = (dir: string) => () => {
  writeFileSync(path.join(dir, 'notes.txt'), `notes ${++n}\n`);
  git(dir, 'commit', '-q', '-am', `notes ${n}`);
  rewindState(dir);
};

/** As after a pull that brought one commit changing one task's status in one workplan. */
const pullChangingOneTask = (dir: string, workplan: string) => () => {
  const file = path.join(dir, 'docs', `${workplan}.md`);
  const text = readFileSync(file, 'utf8');
  writeFileSync(
    file,
    text.replace(
      new RegExp(`(id: ${workplan}-T3\nstatus: )(\\w+)`),
      (_, line: string, status: string) => `${line}${status === 'todo' ? 'in_progress' : 'todo'}`,
    ),
  );
  git(dir, 'commit', '-q', '-am', 'one task');
  rewindState(dir);
};

console.log(`custodian-hooks bench in ${work}\n`);

/** `hub serve` on port 0 over `db`, and its URL once it listens. */
async function serveHub(db: string): Promise<{ url: string; server: ReturnType<typeof spawn> }> {
  const server = spawn(process.execPath, [CLI, 'hub', 'serve', '--port', '0', '--db', db], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise<string>((resolve) =>
    server.stdout!.on('data', (d: Buffer) => /listening on (\S+)/.test(d.toString()) && resolve(/listening on (\S+)/.exec(d.toString())![1]!)),
  );
  return { url, server };
}

/** A new write token for the hub over `db`. */
const tokenFor = (db: string) =>
  execFileSync(process.execPath, [CLI, 'hub', 'token', 'create', `bench-${Date.now()}`, '--db', db], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();

/**
 * A `git` first on PATH that logs each call's subcommand and runs the real one: how many git
 * processes a run starts. Used for a separate, untimed run, so the wrapper's own cost stays out
 * of the timings.
 */
function gitCounter(): { path: string; count: (run: (pathEnv: string) => void) => Record<string, number> } {
  const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const bin = path.join(work, 'git-counter');
  const log = path.join(work, 'git-calls.log');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    path.join(bin, 'git'),
    `#!/bin/sh\nfor a in "$@"; do case "$a" in -c) skip=1;; -*) ;; *) if [ -z "$skip" ]; then echo "$a" >> '${log}'; break; fi; skip=;; esac; done\nexec '${real}' "$@"\n`,
    {
      mode: 0o755,
    },
  );
  return {
    path: bin,
    count: (run) => {
      writeFileSync(log, '');
      run(`${bin}${path.delimiter}${process.env.PATH}`);
      const counts: Record<string, number> = {};
      for (const sub of readFileSync(log, 'utf8').split('\n').filter(Boolean)) counts[sub] = (counts[sub] ?? 0) + 1;
      return counts;
    },
  };
}

/**
 * The moment a team adopts the tool: `run --fix` on a repo whose tasks the hub has never seen,
 * into a fresh embedded database and into a fresh `hub serve`. Each timed run starts from the
 * same commit with no records of earlier runs.
 */
async function firstSync(runs: number): Promise<void> {
  const counter = gitCounter();
  const initial: Record<string, unknown> = {};
  let fresh = 0;
  for (const [name, tasks] of [
    ['first100', 100],
    ['first1k', 1000],
    ['first10k', 10_000],
  ] as const) {
    const dir = makeRepo(name, tasks, false);
    const start = git(dir, 'rev-parse', 'HEAD').trim();
    const forget = () => {
      git(dir, 'reset', '-q', '--hard', start);
      rmSync(path.join(dir, '.git', 'custodian-hooks'), { recursive: true, force: true });
    };
    const fixInto = (hubAt: string, pathEnv = process.env.PATH, token = '') => {
      const r = spawnSync(process.execPath, [CLI, 'run', '--fix'], {
        cwd: dir,
        env: { ...env, PATH: pathEnv, CUSTODIAN_HUB: hubAt, CUSTODIAN_HUB_TOKEN: token },
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`first run --fix on ${tasks} tasks exited ${r.status}: ${r.stdout}${r.stderr}`);
    };
    let served: (Awaited<ReturnType<typeof serveHub>> & { token: string }) | null = null;
    const stopServed = () => served?.server.kill('SIGTERM');
    const [nodeHere, embedded, overHttp] = (await measureInTurns(
      runs,
      [
        { fn: () => spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }) },
        { fn: () => fixInto(path.join(work, `first-${++fresh}.sqlite`)), prepare: forget },
        {
          fn: () => fixInto(served!.url, process.env.PATH, served!.token),
          prepare: async () => {
            forget();
            stopServed();
            const db = path.join(work, `first-${++fresh}.sqlite`);
            const token = tokenFor(db);
            served = { ...(await serveHub(db)), token };
          },
        },
      ],
      tasks === 10_000 ? 1 : 2,
    )) as [Stats, Stats, Stats];
    stopServed();
    forget();
    const gitCalls = counter.count((pathEnv) => fixInto(path.join(work, `first-${++fresh}.sqlite`), pathEnv));
    const gitProcesses = Object.values(gitCalls).reduce((a, b) => a + b, 0);
    initial[tasks] = { nodeStart: nodeHere, embedded, http: overHttp, ratio: embedded.median / nodeHere.median, gitProcesses, gitCalls };
    rows.push([
      `first run --fix, ${tasks.toLocaleString('en')} tasks, empty hub: embedded · HTTP`,
      `${show(embedded)} · ${fmt(overHttp.median)}`,
      `${(embedded.median / nodeHere.median).toFixed(1)}× · ${(overHttp.median / nodeHere.median).toFixed(1)}× node; ${gitProcesses} git processes${tasks === 10_000 ? ' (target ≤ 25×)' : ''}`,
    ]);
  }
  results.firstSync = initial;
}
/** A batch creating `tasks` tasks in `repo`, as a first sync sends them. */
const creationBatch = (repo: string, tasks = 10_000): SyncBatch => ({
  repo,
  by: 'bench',
  changes: Array.from({ length: tasks }, (_, i) => ({ id: `T-${i}`, expectedVersion: 0, status: 'todo', title: `Task ${i} of ${repo}` })),
});

/** The hub server's peak resident memory so far, from the kernel. */
const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024;

/**
 * One database holding 100 repos of 10,000 tasks against one holding one such repo, each behind
 * its own `hub serve`, measured in turns: reading a repo in full and with a matching ETag, a batch
 * of 10,000 creations, and an agent's version-checked update of one task. `size` says how many
 * bytes a database takes.
 */
async function bigHub(label: string, dbFor: (name: string) => Promise<string>, size: (db: string) => Promise<number>): Promise<void> {
  const REPOS = 100;
  const oneDb = await dbFor('one');
  const bigDb = await dbFor('big');
  for (const [db, repos] of [
    [oneDb, 1],
    [bigDb, REPOS],
  ] as const) {
    const store = await openStore(db);
    for (let r = 0; r < repos; r++) if (!(await store.sync(creationBatch(`repo-${r}`))).ok) throw new Error('filling batch refused');
    await store.close();
  }
  const hubs = await Promise.all(
    [oneDb, bigDb].map(async (db) => {
      const token = tokenFor(db);
      const served = await serveHub(db);
      return { ...served, client: new HttpHub(served.url, token, { readRetries: 0 }) };
    }),
  );
  // The big hub's repo is its first one: the furthest from anything fresh in its caches.
  const slug = 'repo-0';
  const etags = ['', ''];
  let batches = 0;
  const versions = [1, 1];
  // Each case as a name, how often it is timed, and the case for each hub.
  const cases: [string, number, (at: number) => Case][] = [
    ['read one repo of 10,000 tasks', 9, (at) => ({ fn: () => hubs[at]!.client.readRepo(slug) })],
    [
      'the same read, ETag matching (304)',
      21,
      (at) => ({
        // The agent's updates move the ETag: the client's copy is the current one, as after its last read.
        prepare: async () => {
          etags[at] = ((await hubs[at]!.client.readRepo(slug)) as { etag: string }).etag;
        },
        fn: async () => {
          if ((await hubs[at]!.client.readRepo(slug, etags[at])) !== 'not-modified') throw new Error('ETag did not match');
        },
      }),
    ],
    [
      'a batch creating 10,000 tasks',
      5,
      (at) => ({
        fn: async () => {
          if (!(await hubs[at]!.client.sync(creationBatch(`batch-${++batches}`))).ok) throw new Error('batch refused');
        },
      }),
    ],
    [
      "an agent's version-checked update of one task",
      21,
      (at) => ({
        fn: async () => {
          const version = versions[at]!;
          const update = { repo: slug, id: 'T-7', status: version % 2 ? ('in_progress' as const) : ('todo' as const), expectedVersion: version, by: 'agent' };
          if (!(await hubs[at]!.client.setStatus(update)).ok) throw new Error('update refused');
          versions[at] = version + 1;
        },
      }),
    ],
  ];
  const figures: Record<string, unknown> = {};
  for (const [what, runs, caseFor] of cases) {
    // The two hubs take turns, so that a slow spell of the machine falls on both.
    const [one, big] = (await measureInTurns(runs, [caseFor(0), caseFor(1)], 1)) as [Stats, Stats];
    figures[what] = { oneRepo: one, hundredRepos: big, ratio: big.median / one.median };
    rows.push([
      `big hub (${label}): ${what}, 100 repos · 1 repo`,
      `${show(big)} · ${fmt(one.median)}`,
      `${(big.median / one.median).toFixed(2)}× (target ≤ 2×)`,
    ]);
  }
  const tasksHeld = (REPOS + batches) * 10_000;
  const bytesPerMillion = ((await size(bigDb)) / tasksHeld) * 1e6;
  const rss = peakRssMb(hubs[1]!.server.pid!);
  for (const h of hubs) {
    await h.client.close();
    h.server.kill('SIGTERM');
  }
  results[`bigHub${label}`] = { ...figures, tasksHeld, bytesPerMillionTasks: bytesPerMillion, hubPeakRssMb: rss };
  rows.push([
    `big hub (${label}): database size per million tasks · hub peak RSS after the above`,
    `${(bytesPerMillion / 2 ** 20).toFixed(0)} MB · ${rss.toFixed(0)} MB`,
    '',
  ]);
}

/** The figures for SQLite, and for PostgreSQL when CUSTODIAN_TEST_PG names a server. */
async function bigHubs(): Promise<void> {
  await bigHub(
    'SQLite',
    async (name) => path.join(work, `big-${name}.sqlite`),
    async (db) => ['', '-wal'].reduce((sum, suffix) => sum + (existsSync(db + suffix) ? statSync(db + suffix).size : 0), 0),
  );
  if (!process.env.CUSTODIAN_TEST_PG) return;
  await withPostgresSchemas(process.env.CUSTODIAN_TEST_PG!, async (schemaDb, sizeOf) => bigHub('PostgreSQL', schemaDb, sizeOf));
}
if (bigHubOnly) {
  await bigHubs();
  finish();
}
if (firstSyncOnly) {
  await firstSync(3);
  finish();
}

/**
 * git's merge driver on one 1,000-task workplan, beside node's own start-up: with one status line
 * both sides changed (the hub asked, blame run), and for a file that merges cleanly.
 */
async function mergeDriver(): Promise<void> {
  const dir = path.join(work, 'merge1k');
  git(work, 'init', '-q', '--bare', '-b', 'main', `${dir}.git`);
  git(work, 'clone', '-q', `${dir}.git`, dir);
  configureBenchRepo(dir);
  mkdirSync(path.join(dir, 'docs'));
  const plan = path.join(dir, 'docs', 'plan.md');
  const blocks = Array.from({ length: 1000 }, (_, t) => `### Task ${t}\n\nProse.\n\n\`\`\`task\nid: M-${t}\nstatus: todo\npriority: medium\n\`\`\`\n`);
  writeFileSync(plan, `---\ntype: workplan\n---\n\n# Plan\n\n${blocks.join('\n')}`);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'plan');
  git(dir, 'push', '-q', 'origin', 'main');
  cli(dir, 'install');
  cli(dir, 'run', '--fix');
  const base = git(dir, 'rev-parse', 'HEAD').trim();
  const setByHand = (id: string, status: string) => {
    writeFileSync(plan, readFileSync(plan, 'utf8').replace(new RegExp(`(id: ${id}\nstatus: )\\w+`), `$1${status}`));
    // An hour before the writeback: one author's commits of one second on both sides read as a rewrite.
    git(dir, 'commit', '-q', '-am', `${id} ${status}`, `--date=@${Math.floor(Date.now() / 1000) - 3600}`);
    return git(dir, 'rev-parse', 'HEAD').trim();
  };
  const theirs = setByHand('M-500', 'done');
  git(dir, 'reset', '-q', '--hard', base);
  const elsewhere = setByHand('M-100', 'done');
  git(dir, 'reset', '-q', '--hard', base);
  cli(dir, 'task', 'set', 'M-500', 'in_progress');
  cli(dir, 'run', '--fix');
  const file = (name: string, rev: string) => {
    const at = path.join(work, `merge-${name}`);
    writeFileSync(at, git(dir, 'show', `${rev}:docs/plan.md`));
    return at;
  };
  const [O, A, B, C] = [file('base', base), file('ours', 'HEAD'), file('theirs', theirs), file('clean', elsewhere)];
  const result = path.join(work, 'merge-result');
  // As git runs it: the script install wrote, which also asks git for the team's own attribute.
  const shim = path.join(dir, '.git', 'custodian-hooks', 'merge-driver');
  const driver = (other: string, rev: string) => () =>
    spawnSync(shim, [O, result, other, '7', 'docs/plan.md', '%S', '%X', '%Y'], { cwd: dir, env: { ...env, [`GITHEAD_${rev}`]: 'other' }, stdio: 'ignore' });
  const fresh = () => writeFileSync(result, readFileSync(A));
  const [nodeStart, contested, clean] = (await measureInTurns(11, [
    { fn: () => spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }) },
    { fn: driver(B, theirs), prepare: fresh },
    { fn: driver(C, elsewhere), prepare: fresh },
  ])) as [Stats, Stats, Stats];
  fresh();
  driver(B, theirs)();
  // done by hand, set concurrently with the hub's in_progress (written back on the other side): done outranks it (C-22).
  if (!readFileSync(result, 'utf8').includes('id: M-500\nstatus: done\n')) throw new Error('the merge driver did not settle the contested line');
  results.mergeDriver = { nodeStart, contested, clean };
  rows.push(["node -e '' (beside the merge driver)", show(nodeStart), '']);
  rows.push(['merge driver, 1,000-task workplan, one contested status line', show(contested), `${(contested.median / nodeStart.median).toFixed(2)}× node`]);
  rows.push(['merge driver, the same file merging cleanly', show(clean), `${(clean.median / nodeStart.median).toFixed(2)}× node`]);
}
if (process.argv.includes('merge-driver')) {
  await mergeDriver();
  finish();
}
/** `npm run bench -- postgres`: only the PostgreSQL hub's throughput (CUSTODIAN_TEST_PG names the server). */
if (process.argv.includes('postgres')) {
  if (!process.env.CUSTODIAN_TEST_PG) throw new Error('bench -- postgres needs CUSTODIAN_TEST_PG, the URL of a PostgreSQL server');
  await postgresThroughput();
  finish();
}

// 1. Hook no-op, against node's own start-up measured in the same run.
const small = makeRepo('r1k', 1000);
const [nodeStart, noop] = (await measureInTurns(15, [
  { fn: () => spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }) },
  { fn: () => hook(small), prepare: pullChangingNoWorkplan(small) },
])) as [Stats, Stats];
results.nodeStart = nodeStart;
results.hookNoop = { ...noop, ratio: noop.median / nodeStart.median };
rows.push(["node -e ''", show(nodeStart), '']);
rows.push(['hook no-op (post-merge, no workplan changed, hub unchanged)', show(noop), `${(noop.median / nodeStart.median).toFixed(2)}× node (target ≤ 1.5×)`]);

// 2. Incremental: a pull that changes one workplan in the 10,000-task repo.
const big = makeRepo('r10k', 10_000);
const [bigNoop, incremental] = (await measureInTurns(9, [
  { fn: () => hook(big), prepare: pullChangingNoWorkplan(big) },
  { fn: () => hook(big), prepare: pullChangingOneTask(big, 'WP-0500') },
])) as [Stats, Stats];
results.incremental = { ...incremental, overNoopMs: incremental.median - bigNoop.median, noop10k: bigNoop };
rows.push(['hook no-op, 10,000 tasks', show(bigNoop), '']);
rows.push([
  'hook after a pull changing one workplan, 10,000 tasks',
  show(incremental),
  `+${fmt(incremental.median - bigNoop.median)} over no-op (target ≤ 20 ms)`,
]);

// 2b. The same in a long-lived repo: 20,000 commits since its tasks were created and last synced,
// so the ancestry walk reaches far down; with and without git's commit-graph (install writes one).
const HISTORY = 20_000;
const long = makeRepo('r1k-long', 1000);
const [since, sinceTime] = git(long, 'log', '-1', '--format=%H %ct').trim().split(' ') as [string, string];
// One fast-import: a commit a second after the tasks', each changing notes.txt.
const script = Array.from({ length: HISTORY }, (_, i) =>
  [
    `commit refs/heads/main`,
    `committer bench <bench@example.com> ${Number(sinceTime) + 1 + i} +0000`,
    'data 7',
    `history`,
    ...(i === 0 ? [`from ${since}`] : []),
    'M 100644 inline notes.txt',
    `data ${String(i).length + 1}`,
    `${i}`,
    '',
  ].join('\n'),
).join('\n');
execFileSync('git', ['fast-import', '--quiet', '--force'], { cwd: long, input: `${script}\n`, env });
git(long, 'reset', '-q', '--hard', 'main');
git(long, 'push', '-q', '--no-verify', 'origin', 'main');
cli(long, 'install');
cli(long, 'run', '--fix');
const graph = path.join(long, '.git', 'objects', 'info', 'commit-graphs');
const withGraph = await measure(9, () => hook(long), pullChangingOneTask(long, 'WP-0050'));
rmSync(graph, { recursive: true, force: true });
const withoutGraph = await measure(9, () => hook(long), pullChangingOneTask(long, 'WP-0050'));
results.longHistory = { commits: HISTORY, tasks: 1000, withCommitGraph: withGraph, withoutCommitGraph: withoutGraph };
rows.push([
  `the same, 1,000 tasks, ${HISTORY.toLocaleString('en')} commits since they were synced: with · without commit-graph`,
  `${show(withGraph)} · ${fmt(withoutGraph.median)}`,
  '',
]);
if (BASELINE) {
  // The same two figures for the baseline build, in turns with this one.
  const [smallBase, bigBase] = [makeRepo('r1k-base', 1000, true, BASELINE), makeRepo('r10k-base', 10_000, true, BASELINE)];
  const [noopNow, noopBase, bigNoopNow, incrementalNow, bigNoopBase, incrementalBase] = (await measureInTurns(11, [
    { fn: () => hook(small), prepare: pullChangingNoWorkplan(small) },
    { fn: () => hook(smallBase, BASELINE), prepare: pullChangingNoWorkplan(smallBase) },
    { fn: () => hook(big), prepare: pullChangingNoWorkplan(big) },
    { fn: () => hook(big), prepare: pullChangingOneTask(big, 'WP-0500') },
    { fn: () => hook(bigBase, BASELINE), prepare: pullChangingNoWorkplan(bigBase) },
    { fn: () => hook(bigBase, BASELINE), prepare: pullChangingOneTask(bigBase, 'WP-0500') },
  ])) as [Stats, Stats, Stats, Stats, Stats, Stats];
  const over = (a: Stats, b: Stats) => a.median - b.median;
  results.baseline = { cli: BASELINE.cli, noop: { now: noopNow, baseline: noopBase }, incremental: { now: incrementalNow, baseline: incrementalBase } };
  rows.push(['hook no-op: this build · baseline', `${show(noopNow)} · ${show(noopBase)}`, `${(noopNow.median / noopBase.median).toFixed(3)}× baseline`]);
  rows.push([
    'hook after a pull changing one workplan, over its no-op: this build · baseline',
    `+${fmt(over(incrementalNow, bigNoopNow))} · +${fmt(over(incrementalBase, bigNoopBase))}`,
    `${(incrementalNow.median / incrementalBase.median).toFixed(3)}× baseline (whole hook)`,
  ]);
}
if (hooksOnly) finish();

await firstSync(3);
await mergeDriver();

// 3. Full reconcile, everything in sync, embedded and over HTTP.
const sizes: [string, number][] = [
  ['r100', 100],
  ['r1k', 1000],
  ['r10k', 10_000],
];
const repoFor = (name: string, tasks: number) => (name === 'r1k' ? small : name === 'r10k' ? big : makeRepo(name, tasks));
const dirs = Object.fromEntries(sizes.map(([name, tasks]) => [name, repoFor(name, tasks)]));
const { url, server } = await serveHub(env.CUSTODIAN_HUB);
const full: Record<string, unknown> = {};
for (const [name, tasks] of sizes) {
  const [embedded, overHttp] = (await measureInTurns(5, [
    { fn: () => cli(dirs[name]!, 'run') },
    { fn: () => spawnSync(process.execPath, [CLI, 'run'], { cwd: dirs[name], env: { ...env, CUSTODIAN_HUB: url }, stdio: 'ignore' }) },
  ])) as [Stats, Stats];
  full[tasks] = { embedded, http: overHttp };
  rows.push([
    `run (check), ${tasks.toLocaleString('en')} tasks in sync: embedded · HTTP`,
    `${show(embedded)} · ${fmt(overHttp.median)}`,
    tasks === 10_000 ? 'target ≤ 1 s' : '',
  ]);
}
results.fullReconcile = full;

// 6. Peak memory of run at 10,000 tasks.
const time = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, CLI, 'run'], { cwd: big, env, encoding: 'utf8' });
const peakMb = Number(time.stderr.trim().split('\n').pop()) / 1024;
results.peakRssMb = peakMb;
rows.push(['peak RSS of run, 10,000 tasks', `${peakMb.toFixed(0)} MB`, 'target ≤ 150 MB']);

// 4. Writeback: 1,000 hub-newer statuses across 100 files, written back and committed.
const store = await openStore(env.CUSTODIAN_HUB);
const slug = 'r1k';
let hubStatus: 'done' | 'in_progress' = 'in_progress';
const writeback = await measure(
  3,
  () => cli(small, 'run', '--fix'),
  async () => {
    hubStatus = hubStatus === 'done' ? 'in_progress' : 'done';
    for (let f = 0; f < 100; f++)
      for (let t = 0; t < 10; t++) await store.setStatus({ repo: slug, id: `WP-${String(f).padStart(4, '0')}-T${t}`, status: hubStatus, by: 'bench' });
  },
  1,
);
results.writeback = writeback;
rows.push(['writeback: 1,000 hub-newer statuses in 100 files, committed', show(writeback), 'target ≤ 2 s']);

// 4b. One large file: writebacks and task creation stay linear in its size.
/** A repo of one workplan holding `tasks` task blocks, committed, on no remote. */
function makeOneFileRepo(name: string, tasks: number): string {
  const dir = path.join(work, name);
  git(work, 'init', '-q', '-b', 'main', dir);
  configureBenchRepo(dir);
  const blocks = Array.from({ length: tasks }, (_, t) => `### T${t}\n\n\`\`\`task\nid: ${name}-T${t}\nstatus: todo\npriority: medium\n\`\`\`\n\nProse.\n`);
  writeFileSync(path.join(dir, 'plan.md'), `---\ntype: workplan\n---\n\n# One big plan\n\n${blocks.join('\n')}`);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'plan');
  return dir;
}
const oneFile = makeOneFileRepo('one20k', 20_000);
cli(oneFile, 'run', '--fix');
let bigFileStatus: 'done' | 'in_progress' = 'in_progress';
const bigFileWriteback = await measure(
  3,
  () => cli(oneFile, 'run', '--fix'),
  async () => {
    bigFileStatus = bigFileStatus === 'done' ? 'in_progress' : 'done';
    for (let i = 0; i < 400; i++) await store.setStatus({ repo: 'one20k', id: `one20k-T${i * 50}`, status: bigFileStatus, by: 'bench' });
  },
  1,
);
results.writebackOneFile = bigFileWriteback;
rows.push(['writeback: 400 hub-newer statuses in one 20,000-task file, committed', show(bigFileWriteback), '']);

const hundredK = makeOneFileRepo('one100k', 100_000);
let freshHub = 0;
const creation = await measure(
  1,
  () => {
    const r = spawnSync(process.execPath, [CLI, 'run', '--fix'], {
      cwd: hundredK,
      env: { ...env, CUSTODIAN_HUB: path.join(work, `fresh-${++freshHub}.sqlite`) },
      stdio: 'ignore',
    });
    if (r.status !== 0 && r.status !== 1) throw new Error(`run --fix on 100,000 tasks exited ${r.status}`);
  },
  undefined,
  0,
);
results.create100kOneFile = creation;
rows.push(['run --fix creating 100,000 tasks in one file (empty embedded hub)', show(creation), 'one run']);

// 5. Hub throughput.
let batchNo = 0;
const batch = await measure(
  5,
  async () => {
    const changes: TaskChange[] = Array.from({ length: 10_000 }, (_, i) => ({ id: `T-${i}`, expectedVersion: 0, status: 'todo', title: `Task ${i}` }));
    const result = await store.sync({ repo: `batch-${++batchNo}`, by: 'bench', changes });
    if (!result.ok) throw new Error('batch refused');
  },
  undefined,
  1,
);
results.hubBatch10k = batch;
rows.push(['hub: one batch sync of 10,000 changes (SQLite)', show(batch), 'target ≤ 1 s']);
await store.close();

/** The hub's throughput on PostgreSQL: a batch of 10,000 changes, and single-task updates over HTTP. */
async function postgresThroughput(): Promise<void> {
  await withPostgresSchemas(process.env.CUSTODIAN_TEST_PG!, async (schemaDb) => {
    const pgDb = await schemaDb('hub');
    const pgStore = await openStore(pgDb);
    let pgBatch = 0;
    const pgBatchStats = await measure(
      3,
      async () => {
        const changes: TaskChange[] = Array.from({ length: 10_000 }, (_, i) => ({ id: `T-${i}`, expectedVersion: 0, status: 'todo', title: `Task ${i}` }));
        await pgStore.sync({ repo: `batch-${++pgBatch}`, by: 'bench', changes });
      },
      undefined,
      1,
    );
    await pgStore.close();
    const token = tokenFor(pgDb);
    const one = await serveHub(pgDb);
    const two = await serveHub(pgDb);
    // One hub process, then two on the same database with the clients split between them, in turns.
    const onePg: number[] = [];
    const twoPg: number[] = [];
    for (let turn = 0; turn < 3; turn++) {
      onePg.push(await updatesPerSecond([one.url], token, 3, 1));
      twoPg.push(await updatesPerSecond([one.url, two.url], token, 3, 1));
    }
    one.server.kill('SIGTERM');
    two.server.kill('SIGTERM');
    const pgRate = stats(onePg).median;
    const twoRate = stats(twoPg).median;
    results.hubBatch10kPostgres = pgBatchStats;
    results.hubUpdatesPerSecond = { ...(results.hubUpdatesPerSecond as object), postgres: pgRate, postgresTwoHubs: twoRate };
    rows.push(['hub: one batch sync of 10,000 changes (PostgreSQL)', show(pgBatchStats), 'target ≤ 500 ms']);
    rows.push(['hub: version-checked single-task updates over HTTP, 16 clients (PostgreSQL)', `${pgRate.toFixed(0)} /s`, 'target ≥ 2,000/s']);
    rows.push([
      'the same, the clients split between two hub processes on one database',
      `${twoRate.toFixed(0)} /s = ${(twoRate / pgRate).toFixed(2)}× one process`,
      'medians of three turns each',
    ]);
  });
}

/**
 * Version-checked single-task updates from concurrent clients. The load comes from node:http with
 * keep-alive rather than the product's got client, so that the client's own cost on these two
 * cores does not stand in for the hub's.
 */
async function updatesPerSecond(hubUrls: readonly string[], token: string, seconds = 3, windows = 3, clients = 16): Promise<number> {
  // A repo of its own each call: its tasks start at version 1.
  const repo = `load-${crypto.randomUUID()}`;
  const hub = new HttpHub(hubUrls[0]!, token, { readRetries: 0 });
  await hub.sync({
    repo,
    by: 'bench',
    changes: Array.from({ length: clients }, (_, i) => ({ id: `L-${i}`, expectedVersion: 0, status: 'todo' as const })),
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  // Client i talks to hub i mod n.
  const put = (i: number, body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${hubUrls[i % hubUrls.length]}/v1/repos/${repo}/tasks/L-${i}/status`,
        { method: 'PUT', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  // Version 1 is todo; odd versions move to in_progress, even ones back: every update is a real change.
  const statuses = ['todo', 'in_progress'] as const;
  const versions = Array.from({ length: clients }, () => 1);
  // The median of a few windows: one slow spell of the machine does not make the figure.
  const rates: number[] = [];
  for (let w = 0; w < windows; w++) {
    let done = 0;
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      versions.map(async (_, i) => {
        for (; performance.now() < until; versions[i]!++) {
          const status = await put(i, JSON.stringify({ status: statuses[versions[i]! % 2], expectedVersion: versions[i] }));
          if (status !== 200) throw new Error(`update answered ${status}`);
          done++;
        }
      }),
    );
    rates.push(done / seconds);
  }
  agent.destroy();
  return stats(rates).median;
}
const rate = await updatesPerSecond([url], tokenFor(env.CUSTODIAN_HUB));
results.hubUpdatesPerSecond = { sqlite: rate };
rows.push(['hub: version-checked single-task updates over HTTP, 16 clients (SQLite)', `${rate.toFixed(0)} /s`, 'target ≥ 2,000/s']);
server.kill('SIGTERM');

if (process.env.CUSTODIAN_TEST_PG) await postgresThroughput();
if (withBigHub) await bigHubs();

finish();

function finish(): never {
  const width = Math.max(...rows.map((r) => r[0]!.length));
  console.log(`${'measure'.padEnd(width)}  min / median / max   note`);
  for (const [what, value, note] of rows) console.log(`${what!.padEnd(width)}  ${value}   ${note}`);
  mkdirSync(path.join(ROOT, 'bench'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nwritten to bench/results.json');
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}
