import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PERMANENT_UNKNOWN, replayRegressions } from './helpers/sim-regressions.js';
import { play } from './helpers/sim-steps.js';
import { SimWorld, SMALL_RETENTION } from './helpers/sim-world.js';

replayRegressions(0, 3);

test("simulation regression: a person following C-27's remedy settles what no run can (the world of SIM_SEED=20261402 SIM_PATH=70)", async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'custodian-sim-'));
  const world = new SimWorld(root, { overHttp: true, retention: SMALL_RETENTION });
  try {
    await world.setup();
    await world.run('a', { writeback: true, fault: 'none' });
    for (const s of PERMANENT_UNKNOWN) await play(world, s);
    await assert.rejects(world.converge(), /converged on the hub/, 'left alone, every clone reports A undecided for good');
    // Its message names the command; a person keeps the file's value with it, and everything settles.
    assert.equal(await world.followUndecidedRemedy(), 1);
    await world.converge();
  } finally {
    if (process.env.SIM_DEBUG) console.error(world.log.join('\n'));
    await world.close();
    await rm(root, { recursive: true, force: true });
  }
});
