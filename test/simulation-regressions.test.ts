import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Step } from './helpers/sim-steps.js';
import { play } from './helpers/sim-steps.js';
import { SimWorld } from './helpers/sim-world.js';

/** Schedules the simulation once failed on, replayed step by step on every run. */
const REGRESSIONS: { name: string; overHttp: boolean; steps: Step[] }[] = [
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
];

for (const regression of REGRESSIONS) {
  test(`simulation regression: ${regression.name}`, async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'custodian-sim-'));
    const world = new SimWorld(root, { overHttp: regression.overHttp });
    try {
      await world.setup();
      await world.run('a', { writeback: true, fault: 'none' });
      for (const s of regression.steps) await play(world, s);
      await world.converge();
    } finally {
      await world.close();
      await rm(root, { recursive: true, force: true });
    }
  });
}
