import { finding, type Situation } from '../findings.js';
import { messageOf } from '../errors.js';
import { readTreeState, trackedBranches, type TreeState } from '../git/facts.js';
import { otherRepository, type RepoState as HubState } from '../hub/types.js';
import { acquireRunLock } from '../clone/lock.js';
import { disagreeing, plan } from '../reconcile/plan.js';
import type { Repo } from '../repo.js';
import type { Report } from '../output/report.js';
import { actionsOf } from './actions.js';
import { applyPlan } from './apply.js';
import { gatherHistory, gatherRun, type RunFacts } from './gather.js';
import type { ReconcileDeps, ReconcileOptions } from './options.js';
import { settledAt } from './settle.js';
import { type OwnRecords, readOwnPoints } from '../clone/own-records.js';
import { readDriverPoints } from '../clone/driver-points.js';
import { withDriverCommits } from './driver-commits.js';
import { withOwnRecordsRead } from './own-records-read.js';

/** Why this working tree must not be written to now, or null. */
function guardReason(repo: Repo, state: TreeState, options: ReconcileOptions): { situation: Situation; reason: string } | null {
  if (options.at) return null;
  if (state.operation && !(options.rebaseFinishing && state.operation.includes('rebase')))
    return { situation: 'operation', reason: `${state.operation} is in progress` };
  if (!state.branchRef) return { situation: 'detached', reason: 'HEAD is detached' };
  const branch = state.branchRef.replace(/^refs\/heads\//, '');
  const tracked = trackedBranches(repo, state);
  if (!tracked.includes(branch)) {
    const reason = `branch '${branch}' is not tracked (tracked: ${tracked.join(', ')}); list it under "branches" in .custodian.yml to reconcile it`;
    return { situation: 'untracked-branch', reason };
  }
  return null;
}

/**
 * One reconcile of one working tree, in four steps: gather the facts (git and the hub at once),
 * plan (pure), apply (build the writeback commit, send the version-checked batch, and only when the
 * hub took all of it move the branch and the files), settle. A batch refused for stale versions is
 * re-read and re-planned.
 */
export async function reconcileRepo(repo: Repo, options: ReconcileOptions, deps: ReconcileDeps): Promise<Report> {
  const report: Report = {
    repo: repo.slug,
    mode: options.mode,
    workplans: [],
    findings: [],
    actions: [],
    ...(options.mode === 'fix' ? { settled: null } : {}),
  };
  const state = options.state ?? (await readTreeState(repo));
  if (!state.head) {
    report.findings.push(finding('C-24', options.mode, { situation: 'no-commits', message: 'the repo has no commits yet: nothing to reconcile' }));
    return report;
  }
  const fixMode = options.mode === 'fix';
  const guard = guardReason(repo, state, options);
  if (guard)
    report.findings.push(
      finding('C-24', options.mode, { situation: guard.situation, message: `${guard.reason} — ${fixMode ? 'nothing written' : 'reported only'}` }),
    );
  const release = fixMode && !guard ? await acquireRunLock(repo.gitDir) : null;
  if (fixMode && !guard && !release) {
    const message = 'another custodian-hooks run is in progress in this working tree — nothing written';
    report.findings.push(finding('C-24', options.mode, { situation: 'run-in-progress', message }));
    return report;
  }
  try {
    const facts = await gatherRun(repo, options, deps, state, !!release);
    report.workplans = facts.loaded.workplans.map((w) => ({
      file: w.file,
      tasks: w.tasks.map((t) => ({ id: t.id, status: t.status, title: t.title, line: t.line })),
    }));
    report.findings.push(...facts.findings);
    await reconcileAgainstHub(repo, facts, options, deps, report);
    return report;
  } finally {
    await release?.();
  }
}

/** The hub's state, or null when there is none to reconcile with: the C-23 saying why is reported. */
async function hubToReconcileWith(repo: Repo, read: Promise<HubState>, options: ReconcileOptions, report: Report): Promise<HubState | null> {
  let hub: HubState;
  try {
    hub = await read;
  } catch (error) {
    report.findings.push(finding('C-23', options.mode, { message: `hub unreachable, nothing reconciled: ${messageOf(error)}` }));
    return null;
  }
  // Another repository's tasks are not this clone's to compare with (as C-21) or to write back;
  // a clone with no remote cannot show it is the repository the repo belongs to (a template's copy).
  if (hub.origin && hub.origin !== repo.origin) {
    const why = repo.origin
      ? otherRepository(repo.slug, hub.origin, repo.origin)
      : `repo '${repo.slug}' on this hub belongs to ${hub.origin}, and this clone has no remote to show it is that repository: ` +
        'add it (git remote add origin <its URL>), or give this one its own slug with "repo:" in .custodian.yml';
    report.findings.push(finding('C-23', options.mode, { message: `nothing reconciled: ${why}` }));
    return null;
  }
  return hub;
}

/** Plans against the hub's state and applies, re-reading the hub when a batch was refused as stale. */
async function reconcileAgainstHub(repo: Repo, facts: RunFacts, options: ReconcileOptions, deps: ReconcileDeps, report: Report): Promise<void> {
  const attempts = deps.attempts ?? 3;
  let read = facts.firstRead;
  // This clone's own points fill in what the hub dropped or lost: read only then, and once.
  const ownPoints: { points?: OwnRecords['points'] } = {};
  // Notes of another hub's values say nothing of this one's.
  const driverPoints = facts.own.ofAnother ? [] : readDriverPoints(repo.gitDir);
  for (let attempt = 1; ; attempt++) {
    const hub = await hubToReconcileWith(repo, read, options, report);
    if (!hub) return;
    const own = await withOwnRecordsRead(repo, deps.hub, hub, facts.own, new Set(disagreeing(facts.files, hub.tasks)), ownPoints);
    // What the merge driver settled with the hub's value stands as a point once its commit is here.
    const known = await withDriverCommits(repo, [facts.head], facts.files, own, driverPoints);
    // Rewrite records this clone could not deliver yet count as heard: this batch carries them.
    const rewrites = [...known.rewrites, ...facts.pendingRewrites];
    const { copies, ...history } = await gatherHistory(repo, facts, known, rewrites, () => (ownPoints.points ??= readOwnPoints(repo.gitDir, facts.own)));
    const thePlan = plan({
      mode: facts.fixing ? 'fix' : 'check',
      writeback: options.writeback && !options.at,
      files: facts.files,
      skipped: [...facts.skipped],
      hubTasks: known.tasks,
      runs: known.runs,
      runsDropped: hub.runsDropped,
      rewrites: [...rewrites, ...copies],
      head: facts.head,
      upstream: facts.upstream,
      ...history,
    });
    if (!facts.fixing) {
      report.findings.push(...thePlan.findings);
      return;
    }
    const applied = await applyPlan(repo, thePlan, facts, hub, deps, options.mode);
    if (applied.kind === 'failed') {
      report.findings.push(applied.finding);
      return;
    }
    if (applied.kind === 'stale') {
      if (attempt < attempts) {
        read = facts.reread();
        continue;
      }
      const message = `the hub kept changing under this run (${applied.ids.join(', ')}); ${applied.applied} — run again`;
      report.findings.push(finding('C-26', options.mode, { message }));
      return;
    }
    report.findings.push(...applied.refusals, ...thePlan.findings, ...(applied.landing ? [applied.landing] : []));
    report.actions = actionsOf(thePlan.changes, hub, applied.landed, applied.landedCommit);
    report.settled = settledAt(facts, thePlan, hub, applied);
    return;
  }
}
