import type { RepoState as HubState } from '../hub/types.js';
import type { PlannedChange, Writeback } from '../reconcile/types.js';
import type { Action } from '../output/report.js';

/** What a fix run did, for the report: the hub's changes as the hub saw them before, then the files'. */
export function actionsOf(changes: readonly PlannedChange[], hub: HubState, landed: readonly Writeback[], commit: string | null): Action[] {
  const current = new Map(hub.tasks.map((t) => [t.id, t]));
  const actions: Action[] = [];
  for (const c of changes) {
    const before = current.get(c.id);
    if (!before) actions.push({ type: 'create', taskId: c.id, status: c.status! });
    else if (c.status) actions.push({ type: 'push', taskId: c.id, from: before.status, to: c.status });
    const fields = (['title', 'priority', 'workplan'] as const).filter((f) => c[f] !== undefined);
    if (before && fields.length > 0) actions.push({ type: 'update', taskId: c.id, fields });
  }
  for (const w of landed) actions.push({ type: 'writeback', taskId: w.taskId, file: w.file, line: w.line, from: w.from, to: w.to });
  if (commit) actions.push({ type: 'commit', commit, files: [...new Set(landed.map((w) => w.file))] });
  return actions;
}
