import { test } from 'node:test';
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLONES, SimWorld, TASKS, type Fault } from './helpers/sim-world.js';

/**
 * Random multi-machine schedules over real git clones and a real hub, checked against the
 * reference model after every step. A failure prints the seed and a shrunk list of steps;
 * SIM_SEED=<n> (with SIM_PATH=<path> for the shrunk case) replays it, SIM_RUNS=<n> sets how many
 * schedules run, SIM_STEPS the longest; SIM_NO_SHRINK=1 stops at the first failure.
 */
const clone = fc.constantFrom(...CLONES);
const task = fc.constantFrom(...TASKS);
const pick = fc.nat(3);
const fault = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Fault>('none') },
  { weight: 1, arbitrary: fc.constantFrom<Fault>('hubDown', 'commitFails', 'killed', 'race') },
);
const step = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('edit' as const), c: clone, t: task, s: pick, pull: fc.boolean(), push: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('agent' as const), t: task, s: pick }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('pull' as const), c: clone, rebase: fc.boolean(), hook: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('push' as const), c: clone, hook: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('run' as const), c: clone, writeback: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), fault }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('squash' as const), c: clone }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('rewrite' as const), c: fc.constantFrom('a', 'b', 'c') }) },
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

async function play(world: SimWorld, s: Step): Promise<void> {
  switch (s.k) {
    case 'edit':
      if (s.pull) await world.pull(s.c, false);
      await world.edit(s.c, s.t, s.s);
      if (s.push) await world.push(s.c);
      return;
    case 'agent':
      return world.agent(s.t, s.s);
    case 'pull': {
      const before = await world.head(s.c);
      await world.pull(s.c, s.rebase);
      // With hooks installed, a pull that moved HEAD runs post-merge (or post-rewrite).
      if (s.hook && (await world.head(s.c)) !== before) await world.run(s.c, { writeback: true, fault: 'none', hook: 'post-merge' });
      return;
    }
    case 'push':
      if (s.hook) await world.run(s.c, { writeback: false, fault: 'none', hook: 'pre-push' });
      return world.push(s.c);
    case 'run':
      return world.run(s.c, { writeback: s.writeback, fault: s.fault });
    case 'squash':
      return world.squash(s.c);
    case 'rewrite':
      return world.amendAndForcePush(s.c);
  }
}

const runs = Number(process.env.SIM_RUNS ?? 10);
const seed = process.env.SIM_SEED === undefined ? 20261124 : Number(process.env.SIM_SEED);
const maxSteps = Number(process.env.SIM_STEPS ?? 40);

test(`simulation: ${runs} random multi-machine schedules (seed ${seed}) never lose an update and converge`, { timeout: 30 * 60_000 }, async () => {
  const details = await fc.check(
    fc.asyncProperty(fc.boolean(), fc.array(step, { minLength: 10, maxLength: maxSteps }), async (overHttp, steps) => {
      const root = await mkdtemp(path.join(tmpdir(), 'custodian-sim-'));
      const world = new SimWorld(root, overHttp);
      try {
        await world.setup();
        await world.run('a', { writeback: true, fault: 'none' });
        for (const s of steps) await play(world, s);
        await world.converge();
      } finally {
        await world.close();
        await rm(root, { recursive: true, force: true });
      }
    }),
    { seed, numRuns: runs, endOnFailure: process.env.SIM_NO_SHRINK === '1', ...(process.env.SIM_PATH ? { path: process.env.SIM_PATH } : {}) },
  );
  if (details.failed) {
    // fast-check keeps the failure's own message in `errorInstance`; put it beside the replay recipe.
    const why = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`simulation failed: replay with SIM_SEED=${details.seed} SIM_PATH=${details.counterexamplePath} SIM_RUNS=1\nsteps: ${JSON.stringify(details.counterexample)}\n${why}`);
  }
});
