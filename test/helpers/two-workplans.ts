import type { TestContext } from 'node:test';
import { openStore } from '../../src/hub/open.js';
import type { SqlStore } from '../../src/hub/sql-store.js';
import { openRepo } from '../../src/repo.js';
import type { ReconcileDeps } from '../../src/sync/options.js';
import { scene } from './scene.js';
import { commitFiles } from './temp-repo.js';
import { workplan } from './workplan-text.js';

export const OTHER = 'docs/other.md';

/** A workstation with two workplans (A, B in the scene's plan; C, D in OTHER) and the embedded hub, opened for direct runs. */
export async function twoWorkplans(t: TestContext) {
  const s = await scene(t, [
    { id: 'A', status: 'todo' },
    { id: 'B', status: 'todo' },
  ]);
  const ws = s.workstation;
  await commitFiles(
    ws.dir,
    {
      [OTHER]: workplan([
        { id: 'C', status: 'todo' },
        { id: 'D', status: 'in_progress' },
      ]),
    },
    'second plan',
  );
  const store = (await openStore(s.env.CUSTODIAN_HUB!)) as SqlStore;
  t.after(() => store.close());
  const repo = await openRepo(ws.dir);
  const deps: ReconcileDeps = { hub: store, hostname: 'testhost', machine: 'tester@testhost' };
  return { s, ws, store, repo, deps };
}
