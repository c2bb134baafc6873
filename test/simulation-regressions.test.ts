import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inPlayedWorld, PERMANENT_UNKNOWN, replayRegressions } from './helpers/sim-regressions.js';
import { SMALL_RETENTION } from './helpers/sim-world.js';

replayRegressions(0, 3);

test('simulation regression (SIM_SEED=20261402 SIM_PATH=70): what no run can settle, every clone skips as unknown (C-27) and names the command; a person following it settles it', () =>
  inPlayedWorld({ overHttp: true, retention: SMALL_RETENTION }, PERMANENT_UNKNOWN, async (world) => {
    await assert.rejects(world.converge(), /converged on the hub/, 'left alone, A is never decided');
    // Skipped, not decided: every clone's last run reported A as C-27, and nothing else.
    assert.deepEqual(
      [...world.undecided].filter(([, byClone]) => byClone.size > 0).map(([task, byClone]) => [task, [...byClone.keys()].sort()]),
      [['A', ['a', 'b', 'c', 'shallow']]],
    );
    // Its message names the command; a person keeps the file's value with it, and everything settles.
    assert.equal(await world.followUndecidedRemedy(), 1);
    await world.converge();
  }));
