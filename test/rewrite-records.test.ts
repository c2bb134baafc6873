import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeRewrites } from '../src/hook/rewrites.js';
import { openRepo } from '../src/repo.js';
import { commitFiles, tempRepo } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

const PLAN = 'docs/plan.md';
const OTHER = 'docs/other.md';

test('a rewrite record names the tasks whose status it changed by id, wherever their blocks sit: a block moved to another workplan at the same status is carried over', async (t) => {
  const dir = await tempRepo(t, { [PLAN]: workplan([{ id: 'B', status: 'todo' }]) });
  const before = await commitFiles(
    dir,
    {
      [PLAN]: workplan([
        { id: 'A', status: 'done' },
        { id: 'B', status: 'blocked' },
      ]),
    },
    'A done, B blocked',
  );
  // The rewrite of that commit moves A to another workplan at its status, and takes B's change back.
  const after = await commitFiles(dir, { [PLAN]: workplan([{ id: 'B', status: 'todo' }]), [OTHER]: workplan([{ id: 'A', status: 'done' }]) }, 'A moved');
  const rewrites = await describeRewrites(await openRepo(dir), [{ old: before, new: after }]);
  assert.deepEqual(rewrites, [{ old: before, new: after, changed: ['B'] }]);
});
