import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inPlayedWorld, PERMANENT_UNKNOWN, replayRegressions } from './helpers/sim-regressions.js';
import { SMALL_RETENTION } from './helpers/sim-world.js';

replayRegressions(0, 3);

test("simulation regression: a person following C-27's remedy settles what no run can (the world of SIM_SEED=20261402 SIM_PATH=70)", () =>
  inPlayedWorld({ overHttp: true, retention: SMALL_RETENTION }, PERMANENT_UNKNOWN, async (world) => {
    await assert.rejects(world.converge(), /converged on the hub/, 'left alone, every clone reports A undecided for good');
    // Its message names the command; a person keeps the file's value with it, and everything settles.
    assert.equal(await world.followUndecidedRemedy(), 1);
    await world.converge();
  }));
