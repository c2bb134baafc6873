import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Step } from './helpers/sim-steps.js';
import { play } from './helpers/sim-steps.js';
import { SimWorld, SMALL_RETENTION } from './helpers/sim-world.js';

/** Schedules the simulation once failed on, replayed step by step on every run. */
interface Regression {
  name: string;
  overHttp: boolean;
  steps: Step[];
  retention?: boolean;
}

const REGRESSIONS: Regression[] = [
  {
    name: 'seed 20261124: an amend carried an old status line over, which came back as news (fixed by recording rewrites)',
    overHttp: false,
    steps: [
      { k: 'edit', c: 'a', t: 'C', s: 0, pull: false, push: false },
      { k: 'push', c: 'a', hook: false },
      { k: 'run', c: 'a', writeback: true, fault: 'hubDown' },
      { k: 'squash', c: 'a' },
      { k: 'squash', c: 'a' },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'rewrite', c: 'a' },
      { k: 'agent', t: 'C', s: 0 },
      { k: 'rewrite', c: 'a' },
      { k: 'run', c: 'a', writeback: false, fault: 'none' },
      { k: 'agent', t: 'A', s: 0 },
    ],
  },
  {
    name: 'seed 4242: a squash of a writeback and a new edit made the edit look like old news (fixed by recording which tasks a rewrite changed)',
    overHttp: false,
    steps: [
      { k: 'agent', t: 'A', s: 0 },
      { k: 'rewrite', c: 'a' },
      { k: 'edit', c: 'a', t: 'A', s: 1, pull: false, push: true },
      { k: 'pull', c: 'b', rebase: false, hook: true },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'edit', c: 'b', t: 'A', s: 2, pull: false, push: false },
      { k: 'run', c: 'a', writeback: false, fault: 'none' },
      { k: 'squash', c: 'b' },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
    ],
  },
  {
    name: 'seed 4242: a --no-writeback run vouched for a line the hub had overruled, so a merge that kept it on purpose was undone (fixed: such tasks are left out of the run record)',
    overHttp: false,
    steps: [
      { k: 'edit', c: 'b', t: 'C', s: 3, pull: false, push: false },
      { k: 'agent', t: 'C', s: 2 },
      { k: 'pull', c: 'a', rebase: false, hook: false },
      { k: 'run', c: 'a', writeback: false, fault: 'none' },
      { k: 'pull', c: 'a', rebase: false, hook: false },
      { k: 'run', c: 'a', writeback: false, fault: 'none' },
      { k: 'edit', c: 'a', t: 'A', s: 0, pull: false, push: false },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'run', c: 'b', writeback: false, fault: 'none' },
      { k: 'edit', c: 'a', t: 'A', s: 0, pull: false, push: false },
      { k: 'push', c: 'a', hook: false },
    ],
  },
  {
    name: 'seed 9001: both sides of a merge held the same done; blame named the unseen one and a stale done regressed the hub (fixed: first-parent blame as a second origin)',
    overHttp: true,
    steps: [
      { k: 'pull', c: 'shallow', rebase: true, hook: true },
      { k: 'push', c: 'b', hook: true },
      { k: 'agent', t: 'A', s: 2 },
      { k: 'edit', c: 'c', t: 'C', s: 3, pull: true, push: false },
      { k: 'pull', c: 'b', rebase: true, hook: false },
      { k: 'pull', c: 'a', rebase: false, hook: true },
      { k: 'edit', c: 'shallow', t: 'C', s: 3, pull: true, push: false },
      { k: 'push', c: 'b', hook: true },
      { k: 'pull', c: 'b', rebase: false, hook: false },
      { k: 'push', c: 'b', hook: true },
      { k: 'push', c: 'a', hook: true },
      { k: 'run', c: 'shallow', writeback: true, fault: 'none' },
      { k: 'edit', c: 'b', t: 'A', s: 2, pull: false, push: false },
      { k: 'pull', c: 'a', rebase: false, hook: true },
      { k: 'rewrite', c: 'c' },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'run', c: 'shallow', writeback: true, fault: 'none' },
      { k: 'rewrite', c: 'c' },
      { k: 'push', c: 'shallow', hook: true },
      { k: 'edit', c: 'b', t: 'B', s: 3, pull: false, push: true },
      { k: 'agent', t: 'A', s: 2 },
    ],
  },
  ...(['reorder', 'comment', 'move'] as const).map(
    (how): Regression => ({
      name: `issue 17 class 2 (${how}): a status line touched without its value changing was taken as news, and its old cancelled undid a reopen in the hub`,
      overHttp: false,
      steps: [
        { k: 'agent', t: 'B', s: 3 },
        { k: 'run', c: 'a', writeback: true, fault: 'none' },
        { k: 'push', c: 'a', hook: false },
        { k: 'agent', t: 'B', s: 0 },
        { k: 'pull', c: 'b', rebase: false, hook: false },
        // Reordering A swaps it with its neighbour B: B's status line moves too.
        { k: 'touch', how, c: 'b', t: how === 'reorder' ? 'A' : 'B', s: 0, push: true },
        { k: 'run', c: 'b', writeback: true, fault: 'none' },
      ],
    }),
  ),
  {
    name: 'issue 17 control: the same pull and run as class 2 without touching the line keep the reopen',
    overHttp: false,
    steps: [
      { k: 'agent', t: 'B', s: 3 },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'push', c: 'a', hook: false },
      { k: 'agent', t: 'B', s: 0 },
      { k: 'pull', c: 'b', rebase: false, hook: false },
      { k: 'run', c: 'b', writeback: true, fault: 'none' },
    ],
  },
  {
    name: 'issue 17 class 1: a depth-1 clone made after the hub heard of the line blames the boundary, and its old cancelled undid a reopen',
    overHttp: false,
    steps: [
      { k: 'agent', t: 'B', s: 3 },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'edit', c: 'a', t: 'A', s: 0, pull: false, push: true },
      { k: 'agent', t: 'B', s: 0 },
      { k: 'reclone' },
      { k: 'run', c: 'shallow', writeback: true, fault: 'none' },
    ],
  },
  {
    name: 'issue 17 class 3: a blame broken by configuration is unknown, never "not seen": the reopen stays (fixed: unknown never decides)',
    overHttp: false,
    steps: [
      { k: 'agent', t: 'B', s: 3 },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'push', c: 'a', hook: false },
      { k: 'agent', t: 'B', s: 0 },
      { k: 'pull', c: 'b', rebase: false, hook: false },
      { k: 'blame', c: 'b' },
      { k: 'run', c: 'b', writeback: true, fault: 'none' },
    ],
  },
  {
    name: 'issue 17 class 5: a rebased writeback whose rewrite record waited in the outbox while the hub was down is not news (fixed: the outbox)',
    overHttp: false,
    steps: [
      { k: 'agent', t: 'B', s: 3 },
      { k: 'run', c: 'b', writeback: true, fault: 'none' },
      { k: 'edit', c: 'a', t: 'C', s: 0, pull: false, push: true },
      { k: 'outage', c: 'b' },
      { k: 'agent', t: 'B', s: 0 },
      { k: 'push', c: 'b', hook: true },
      { k: 'run', c: 'b', writeback: true, fault: 'none' },
    ],
  },
  {
    name: 'issue 17 class 6: post-rewrite leaves a line whose edit waits in the autostash, so re-applying it is clean (fixed: autostash as dirty)',
    overHttp: false,
    steps: [
      { k: 'agent', t: 'B', s: 3 },
      { k: 'edit', c: 'b', t: 'A', s: 0, pull: false, push: false },
      { k: 'edit', c: 'a', t: 'C', s: 0, pull: false, push: true },
      { k: 'autostash', c: 'b', t: 'B', s: 1 },
    ],
  },
  {
    name: 'issue 17 class 7: a hub restored from a backup does not send a settled clone down the fast path past its news (fixed: ETags never repeat)',
    overHttp: false,
    steps: [
      { k: 'run', c: 'b', writeback: true, fault: 'none' },
      { k: 'backup' },
      { k: 'agent', t: 'A', s: 0 },
      { k: 'run', c: 'b', writeback: true, fault: 'none' },
      { k: 'restore' },
      { k: 'agent', t: 'A', s: 1 },
      { k: 'agent', t: 'C', s: 2 },
      // Nothing to push that touches a workplan: only the hub's ETag can send pre-push the long way.
      { k: 'push', c: 'b', hook: true },
    ],
  },
  {
    name: 'issue 17: a push to a fork sends nothing to the hub (fixed: pre-push acts for the tracked remote only)',
    overHttp: true,
    steps: [
      { k: 'edit', c: 'b', t: 'A', s: 2, pull: false, push: false },
      { k: 'fork', c: 'b' },
    ],
  },
  {
    name: 'issue 17 class 4: a busy hub evicted an offline clone\'s evidence, and its run --fix --pull ("fixing anyway") pushed an old cancelled over a reopen',
    overHttp: false,
    // The hub keeps 2 points a task and 3 runs: until the hub's retention lands, the option is ignored and this passes.
    retention: true,
    steps: [
      { k: 'agent', t: 'B', s: 3 },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'push', c: 'a', hook: false },
      { k: 'pull', c: 'c', rebase: false, hook: false },
      { k: 'network', c: 'c', noUpstream: false },
      { k: 'agent', t: 'B', s: 0 },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'push', c: 'a', hook: false },
      { k: 'agent', t: 'B', s: 1 },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'push', c: 'a', hook: false },
      { k: 'agent', t: 'B', s: 0 },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'push', c: 'a', hook: false },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'run', c: 'c', writeback: true, fault: 'none', pull: true },
    ],
  },
  ...[false, true].map(
    (noUpstream): Regression => ({
      name: `issue 17 class 4 (offline${noUpstream ? ', no upstream' : ''}, found by SIM_SEED=9 SIM_PATH=8): the hub heard of history an offline clone cannot see, and its run --fix --pull pushed an old cancelled over a newer in_progress`,
      overHttp: false,
      steps: [
        { k: 'edit', c: 'a', t: 'A', s: 3, pull: false, push: true },
        { k: 'pull', c: 'c', rebase: false, hook: false },
        { k: 'network', c: 'c', noUpstream },
        { k: 'edit', c: 'a', t: 'A', s: 1, pull: false, push: true },
        { k: 'run', c: 'a', writeback: true, fault: 'none' },
        { k: 'run', c: 'c', writeback: true, fault: 'none', pull: true },
      ],
    }),
  ),
  {
    name: 'issue 17 control: online, the same run is gated (C-14) until the clone pulls, and the newer in_progress stays',
    overHttp: false,
    steps: [
      { k: 'edit', c: 'a', t: 'A', s: 3, pull: false, push: true },
      { k: 'pull', c: 'c', rebase: false, hook: false },
      { k: 'edit', c: 'a', t: 'A', s: 1, pull: false, push: true },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'run', c: 'c', writeback: true, fault: 'none' },
    ],
  },
  {
    name: 'issue 17 class 1 (found by SIM_WORLD=shallow SIM_SEED=10 SIM_PATH=16): a reopen pushed from a clone without hooks, then a depth-1 clone: rank wrote the old blocked back over it',
    overHttp: false,
    steps: [
      { k: 'edit', c: 'a', t: 'A', s: 1, pull: false, push: true },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'edit', c: 'b', t: 'A', s: 0, pull: true, push: true },
      { k: 'reclone' },
      { k: 'run', c: 'shallow', writeback: true, fault: 'none' },
    ],
  },
  {
    name: "found by SIM_WORLD=all SIM_SEED=2 SIM_PATH=1: after a reorder, blame gave B the commit that cancelled C (an identical status line), which the hub had seen, and the hub's older todo was written back over B (fixed: an origin must hold the task at that status)",
    overHttp: false,
    steps: [
      { k: 'touch', how: 'move', c: 'c', t: 'C', s: 0, push: false },
      { k: 'reclone' },
      { k: 'edit', c: 'b', t: 'C', s: 2, pull: true, push: false },
      { k: 'edit', c: 'c', t: 'B', s: 3, pull: true, push: false },
      { k: 'autostash', c: 'b', t: 'A', s: 1 },
      { k: 'reclone' },
      { k: 'backup' },
      { k: 'reclone' },
      { k: 'pull', c: 'c', rebase: false, hook: true },
      { k: 'pull', c: 'c', rebase: false, hook: false },
      { k: 'squash', c: 'b' },
      { k: 'edit', c: 'a', t: 'C', s: 3, pull: false, push: true },
      { k: 'run', c: 'b', writeback: true, fault: 'none', pull: true },
      { k: 'backup' },
      { k: 'fork', c: 'a' },
      { k: 'edit', c: 'c', t: 'A', s: 2, pull: true, push: false },
      { k: 'reclone' },
      { k: 'edit', c: 'b', t: 'C', s: 3, pull: true, push: false },
      { k: 'edit', c: 'a', t: 'C', s: 2, pull: false, push: true },
      { k: 'squash', c: 'c' },
      { k: 'touch', how: 'reorder', c: 'shallow', t: 'C', s: 3, push: true },
      { k: 'network', c: 'c', noUpstream: true },
      { k: 'rewrite', c: 'a' },
      { k: 'pull', c: 'a', rebase: false, hook: true },
      { k: 'push', c: 'shallow', hook: true },
    ],
  },
  {
    name: "seed 20261129 (the soak of 150): a merge of a stale side and a new edit to the same blocked; the stale side had been seen, so the new edit made on top of the hub's todo was written back over (fixed: an origin no record saw, set on top of the hub's current status, is news)",
    overHttp: true,
    steps: [
      { k: 'push', c: 'a', hook: false },
      { k: 'edit', c: 'shallow', t: 'B', s: 1, pull: true, push: false },
      { k: 'run', c: 'c', writeback: true, fault: 'none' },
      { k: 'run', c: 'b', writeback: false, fault: 'none' },
      { k: 'pull', c: 'shallow', rebase: true, hook: true },
      { k: 'agent', t: 'B', s: 1 },
      { k: 'edit', c: 'a', t: 'C', s: 2, pull: true, push: true },
      { k: 'pull', c: 'a', rebase: false, hook: false },
      { k: 'run', c: 'c', writeback: true, fault: 'hubDown' },
      { k: 'run', c: 'b', writeback: false, fault: 'none' },
      { k: 'agent', t: 'C', s: 1 },
      { k: 'pull', c: 'shallow', rebase: false, hook: false },
      { k: 'run', c: 'b', writeback: true, fault: 'none' },
      { k: 'edit', c: 'shallow', t: 'A', s: 1, pull: false, push: true },
      { k: 'pull', c: 'b', rebase: false, hook: true },
      { k: 'pull', c: 'shallow', rebase: false, hook: false },
      { k: 'run', c: 'c', writeback: true, fault: 'none' },
      { k: 'run', c: 'b', writeback: true, fault: 'none' },
      { k: 'agent', t: 'B', s: 0 },
      { k: 'squash', c: 'shallow' },
      { k: 'agent', t: 'C', s: 1 },
      { k: 'edit', c: 'c', t: 'C', s: 3, pull: false, push: true },
      { k: 'pull', c: 'shallow', rebase: false, hook: true },
      { k: 'edit', c: 'b', t: 'A', s: 1, pull: true, push: false },
      { k: 'pull', c: 'b', rebase: false, hook: false },
      { k: 'edit', c: 'shallow', t: 'B', s: 1, pull: false, push: false },
      { k: 'push', c: 'b', hook: true },
      { k: 'edit', c: 'shallow', t: 'A', s: 2, pull: true, push: true },
    ],
  },
  {
    name: "found by SIM_WORLD=all SIM_SEED=7 with the merge driver: it judged theirs' blocked from theirs' commit alone and settled it by rank, but the run after the merge, which sees ours' points too, could not place that value (concurrent, records dropped) and no clone ever converged (fixed: each side is judged from the merge of both too, and a verdict counts only when both readings give it)",
    overHttp: false,
    retention: true,
    steps: [
      { k: 'agent', t: 'C', s: 0 },
      { k: 'edit', c: 'a', t: 'C', s: 1, pull: false, push: false },
      { k: 'run', c: 'c', writeback: true, fault: 'none' },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'agent', t: 'C', s: 0 },
      { k: 'run', c: 'a', writeback: true, fault: 'hubDown' },
      { k: 'touch', how: 'move', c: 'a', t: 'A', s: 0, push: false },
      { k: 'blame', c: 'a' },
      { k: 'network', c: 'a', noUpstream: false },
      { k: 'run', c: 'a', writeback: true, fault: 'none', pull: true },
      { k: 'touch', how: 'move', c: 'a', t: 'A', s: 0, push: false },
    ],
  },
  {
    name: "found by the soak (SIM_SEED=20261129) once the driver judged from the merge alone: c's old in_progress, whose commit an amend force-pushed away on the main line, looked newer than the merge's newest point and was settled over a newer done (fixed: a verdict counts only when the side's commit and the merge give it alike)",
    overHttp: false,
    steps: [
      { k: 'edit', c: 'a', t: 'A', s: 0, pull: false, push: false },
      { k: 'edit', c: 'a', t: 'A', s: 0, pull: false, push: false },
      { k: 'edit', c: 'c', t: 'A', s: 0, pull: false, push: true },
      { k: 'agent', t: 'A', s: 0 },
      { k: 'edit', c: 'a', t: 'A', s: 0, pull: false, push: false },
      { k: 'pull', c: 'c', rebase: false, hook: false },
      { k: 'run', c: 'a', writeback: true, fault: 'none' },
      { k: 'pull', c: 'b', rebase: false, hook: false },
      { k: 'rewrite', c: 'b' },
      { k: 'edit', c: 'a', t: 'A', s: 2, pull: false, push: false },
    ],
  },
  {
    name: "found by the grown soak (SIM_WORLD=all SIM_SEED=20261201 SIM_PATH=98): blocks reordered after a reopen kept their identical status lines as unchanged text, blame followed the reopened line into another task's, and the value trace took the reopen for the task's first todo, which the hub had seen (fixed: blame's line must be the task's own status line there)",
    overHttp: false,
    retention: true,
    steps: [
      { k: 'autostash', c: 'c', t: 'C', s: 1 },
      { k: 'edit', c: 'b', t: 'C', s: 1, pull: false, push: true },
      { k: 'pull', c: 'b', rebase: true, hook: false },
      { k: 'reclone' },
      { k: 'run', c: 'b', writeback: true, fault: 'none', pull: true },
      { k: 'edit', c: 'c', t: 'C', s: 0, pull: true, push: true },
      { k: 'touch', how: 'reorder', c: 'c', t: 'C', s: 3, push: false },
      { k: 'edit', c: 'c', t: 'A', s: 0, pull: false, push: true },
      { k: 'fork', c: 'shallow' },
      { k: 'push', c: 'shallow', hook: false },
      { k: 'run', c: 'b', writeback: false, fault: 'none', pull: true },
      { k: 'outage', c: 'c' },
      { k: 'run', c: 'b', writeback: true, fault: 'none' },
    ],
  },
  {
    name: "issue 17 class 7: after a restore, a clone's own run the hub lost looked dropped once the hub dropped runs again, and the restored todo was written back over done",
    overHttp: false,
    retention: true,
    steps: [
      { k: 'backup' },
      { k: 'agent', t: 'B', s: 2 },
      { k: 'run', c: 'b', writeback: true, fault: 'none', pull: true },
      { k: 'restore' },
      { k: 'run', c: 'a', writeback: true, fault: 'none', pull: true },
      { k: 'edit', c: 'c', t: 'A', s: 3, pull: false, push: false },
      { k: 'run', c: 'c', writeback: true, fault: 'none', pull: true },
      { k: 'agent', t: 'C', s: 1 },
      { k: 'run', c: 'a', writeback: true, fault: 'none', pull: true },
      { k: 'agent', t: 'C', s: 2 },
      { k: 'run', c: 'c', writeback: true, fault: 'none', pull: true },
    ],
  },
];

for (const regression of REGRESSIONS) {
  test(`simulation regression: ${regression.name}`, async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'custodian-sim-'));
    const world = new SimWorld(root, { overHttp: regression.overHttp, retention: regression.retention ? SMALL_RETENTION : null });
    try {
      await world.setup();
      await world.run('a', { writeback: true, fault: 'none' });
      for (const s of regression.steps) await play(world, s);
      await world.converge();
    } finally {
      if (process.env.SIM_DEBUG) console.error(world.log.join('\n'));
      await world.close();
      await rm(root, { recursive: true, force: true });
    }
  });
}
