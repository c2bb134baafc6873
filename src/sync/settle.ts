import type { RepoState as HubState } from '../hub/types.js';
import type { Plan } from '../reconcile/types.js';
import type { Report } from '../output/report.js';
import type { Applied } from './apply.js';
import type { RunFacts } from './gather.js';

/**
 * Where a fix run left both sides equal, or null. Settled: every task reconciled (none skipped,
 * none left unknown or hub-newer in its file, every writeback landed), nothing before planning
 * went wrong, and the hub held nothing but what this run read and sent. A run that read part of
 * the repo vouches for the rest only at the hub state it agreed with.
 */
export function settledAt(facts: RunFacts, thePlan: Plan, hub: HubState, applied: Extract<Applied, { kind: 'sent' }>): Report['settled'] {
  const everyTask = facts.skipped.size === 0 && thePlan.run!.skipped.length === 0 && applied.unwritten.length === 0;
  const vouches = applied.nothingElse && (facts.restAgreesAt === null || hub.etag === facts.restAgreesAt);
  if (!everyTask || facts.incomplete || applied.landing || !vouches) return null;
  return { head: applied.landedCommit ?? facts.head, etag: applied.etag };
}
