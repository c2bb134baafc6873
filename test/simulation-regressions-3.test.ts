import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inPlayedWorld, ORPHANED_BESIDE, replayRegressions } from './helpers/sim-regressions.js';
import { SMALL_RETENTION } from './helpers/sim-world.js';

// The third share of the regressions: see replayRegressions.
replayRegressions(2, 3);

test("simulation regression (SIM_SEED=58 SIM_PATH=24): a kept side's older value is not pushed over a status the hub heard on a commit no clone holds; a person following C-27 settles it", () =>
  inPlayedWorld({ overHttp: false, retention: SMALL_RETENTION }, ORPHANED_BESIDE, async (world) => {
    await assert.rejects(world.converge(), /converged on the hub/, 'left alone, every clone reports C undecided');
    assert.equal(await world.followUndecidedRemedy(), 1);
    await world.converge();
  }));
