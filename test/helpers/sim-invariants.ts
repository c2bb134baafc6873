import assert from 'node:assert/strict';
import type { RepoState } from '../../src/hub/types.js';
import type { ReconcileDeps } from '../../src/sync/options.js';
import { reconcileRepo } from '../../src/sync/reconcile-repo.js';
import type { Repo } from '../../src/repo.js';
import type { Choreography } from './sim-git.js';
import type { ReferenceModel } from './sim-model.js';
import { mask, PLANS } from './sim-workplans.js';

/**
 * What must hold after every step of a schedule, and once it has converged. Lost updates are the
 * model's own check (ReferenceModel.mustNotLose), made as it accounts for each run.
 */
const trail = (log: readonly string[], n = 25) => `\n  last steps: ${log.slice(-n).join('; ')}`;

/** No hub task is ever deleted, and the hub holds what the model says it holds. */
export function hubAgreesWithModel(state: RepoState, model: ReferenceModel, tasksBefore: number, log: readonly string[]): void {
  assert.ok(state.tasks.length >= tasksBefore, 'no hub task is ever deleted');
  for (const task of state.tasks) {
    assert.equal(task.status, model.hubValue.get(task.id)?.status, `harness and hub agree on ${task.id}${trail(log)}`);
  }
}

/** Every clone's HEAD holds every task in exactly one block. */
export async function everyTaskOnce(git: Choreography, clones: readonly string[]): Promise<void> {
  for (const clone of clones) await git.fileStatuses(clone);
}

/** A writeback commit changes status values and not one byte besides. */
export async function writebackChangesOnlyStatuses(git: Choreography, clone: string, parent: string, commit: string): Promise<void> {
  const [before, after] = await Promise.all([git.texts(clone, parent), git.texts(clone, commit)]);
  for (const file of PLANS) assert.equal(mask(after[file]!), mask(before[file]!), `no byte outside status values changed by the writeback in ${clone}/${file}`);
}

/**
 * A hook that took the fast path ("nothing to do") must be right: the last settled run left files
 * and hub agreeing, so they still agree.
 */
export async function fastPathWasRight(git: Choreography, clone: string, state: RepoState, log: readonly string[]): Promise<void> {
  const hub = Object.fromEntries(state.tasks.map((t) => [t.id, t.status]));
  assert.deepEqual(await git.fileStatuses(clone), hub, `the hook's fast path in ${clone} skipped news the hub has${trail(log)}`);
}

/** After convergence: every clone's files equal the hub. */
export async function converged(git: Choreography, clones: readonly string[], state: RepoState, log: readonly string[]): Promise<void> {
  const hub = Object.fromEntries(state.tasks.map((t) => [t.id, t.status]));
  for (const clone of clones) assert.deepEqual(await git.fileStatuses(clone), hub, `${clone} converged on the hub${trail(log, 30)}`);
}

/** After convergence: one more run in the clone changes nothing, in the hub or in git. */
export async function secondRunIsNoOp(git: Choreography, clone: string, repo: Repo, deps: ReconcileDeps): Promise<void> {
  const head = await git.head(clone);
  const before = ((await deps.hub.readRepo(repo.slug)) as RepoState).tasks.map((t) => [t.id, t.status, t.version]);
  const report = await reconcileRepo(repo, { mode: 'fix', writeback: true, pull: false }, deps);
  assert.deepEqual(report.actions, [], `a second run in ${clone} changes nothing`);
  assert.equal(await git.head(clone), head, `and makes no commit in ${clone}`);
  const after = ((await deps.hub.readRepo(repo.slug)) as RepoState).tasks.map((t) => [t.id, t.status, t.version]);
  assert.deepEqual(after, before, `and moves no task in the hub from ${clone}`);
}
