import type { Finding } from '../findings.js';
import type { HubTask, Rewrite } from '../hub/types.js';
import { rank, type Status } from '../status.js';
import { bothMoved, fileAhead, hubAhead, inNoFile, missingInHub, originUnknown } from './messages.js';
import { AFTER, BLAME, type Decision, type FileTask, type Plan, type PlannedChange, type ReconcileInput, type Writeback } from './types.js';

/** Tasks whose file and hub statuses differ: the only ones the rules need git's history for. */
export function disagreeing(files: readonly FileTask[], hubTasks: readonly HubTask[]): string[] {
  const hub = new Map(hubTasks.map((t) => [t.id, t]));
  return files.filter((f) => hub.has(f.id) && hub.get(f.id)!.status !== f.status).map((f) => f.id);
}

type Ruling = { decision: 'push' | 'writeback' | 'unknown'; conflict: boolean };

/** Every commit reachable from `commit` by `step` (new → olds, or old → news), `commit` included. */
function closure(commit: string, step: (commit: string) => readonly Rewrite[], next: (r: Rewrite) => string): string[] {
  const found = new Set([commit]);
  for (const c of found) for (const r of step(c)) found.add(next(r));
  return [...found];
}

/** Rewrites as lookups both ways. */
export function rewriteIndex(rewrites: readonly Rewrite[]): { olds: Map<string, Rewrite[]>; news: Map<string, Rewrite[]> } {
  const olds = new Map<string, Rewrite[]>();
  const news = new Map<string, Rewrite[]>();
  for (const r of rewrites) {
    olds.set(r.new, [...(olds.get(r.new) ?? []), r]);
    news.set(r.old, [...(news.get(r.old) ?? []), r]);
  }
  return { olds, news };
}

/**
 * DESIGN.md, "The rules", for one task whose file status F differs from the hub's D.
 * L is the commit that last set the file's status line. A commit that only carried an older one
 * forward (amend, rebase) stands for that older one: what the hub saw of it, it has seen.
 */
export function rule(
  file: FileTask,
  hub: HubTask,
  input: Pick<ReconcileInput, 'runs' | 'head' | 'origins' | 'otherOrigins' | 'ancestry'>,
  rewrites: ReturnType<typeof rewriteIndex> = rewriteIndex([]),
): Ruling {
  const L = input.origins.get(file.id) ?? null;
  // Blame failed (a blobless clone offline, a broken setting): "not seen" would let rank decide,
  // and rank can only keep forward progress. Unknown never decides.
  if (L === null) return { decision: 'unknown', conflict: false };
  const within = (ancestor: string | null, descendant: string | null) => !!ancestor && !!descendant && input.ancestry(ancestor, descendant) === 'yes';
  // Only a rewrite that left this task's status as it was carried its line over.
  const carried = (c: string) => (rewrites.olds.get(c) ?? []).filter((r) => !r.changed.includes(file.id));
  const sources = [L, ...(input.otherOrigins?.get(file.id) ?? [])].flatMap((origin) => (origin ? closure(origin, carried, (r) => r.old) : []));
  const seenBy = (commit: string | null) => sources.some((l) => within(l, commit));

  // 2. The hub has already heard of this file value: the file holds no news.
  const seen =
    hub.points.some((p) => seenBy(p.upstream) || seenBy(p.origin) || seenBy(p.commit)) ||
    input.runs.some((r) => !r.skipped.includes(file.id) && (seenBy(r.upstream) || seenBy(r.commit)));
  if (seen) return { decision: 'writeback', conflict: false };

  // 3. The file moved. If the hub has not moved since the newest point HEAD can see, the file wins.
  // A point's commit stays a common base whatever a rewrite of it changed: HEAD holds its rewrite.
  const visible = (commit: string) =>
    closure(
      commit,
      (c) => rewrites.news.get(c) ?? [],
      (r) => r.new,
    ).some((c) => within(c, input.head));
  const base = [...hub.points].reverse().find((p) => visible(p.commit) || visible(p.origin));
  if (base && base.status === hub.status) return { decision: 'push', conflict: false };

  // 4. Both moved, or no common point: the spec's rank rule, the hub on a tie.
  return { decision: rank(file.status) > rank(hub.status) ? 'push' : 'writeback', conflict: true };
}

/**
 * The pure reconciler: from file tasks, hub tasks and git facts to the changes to make and the
 * findings to report. No I/O; the shell gathers the facts and applies the plan.
 */
export function plan(input: ReconcileInput): Plan {
  const fix = input.mode === 'fix';
  const hubById = new Map(input.hubTasks.map((t) => [t.id, t]));
  const rewrites = rewriteIndex(input.rewrites);
  const decisions = new Map<string, Decision>();
  const changes: PlannedChange[] = [];
  const writebacks: Writeback[] = [];
  const findings: Finding[] = [];
  // Hub-newer tasks left as they are in the file: the run record must not vouch for their lines.
  const unreconciled: string[] = [];

  for (const file of input.files) {
    const hub = hubById.get(file.id);
    if (!hub) {
      decisions.set(file.id, 'create');
      findings.push(missingInHub(file, input.mode));
      if (fix) {
        changes.push({
          id: file.id,
          expectedVersion: 0,
          status: file.status,
          title: file.title,
          priority: file.priority,
          workplan: file.workplan,
          ...(file.hubId ? { hubId: file.hubId } : {}),
          point: { status: file.status, origin: input.origins.get(file.id) ?? BLAME },
        });
      }
      continue;
    }

    let decision: Decision = 'agree';
    let final: Status | null = file.status;
    let origin: string = input.origins.get(file.id) ?? BLAME;
    if (file.status !== hub.status) {
      const ruling = rule(file, hub, input, rewrites);
      if (ruling.decision === 'unknown') {
        decisions.set(file.id, 'unknown');
        findings.push(originUnknown(file, hub.status, input.mode));
        unreconciled.push(file.id);
        continue;
      }
      decision = ruling.decision;
      if (ruling.conflict) findings.push(bothMoved(file, hub.status, decision === 'push' ? 'file' : 'db', input.mode));
      if (decision === 'push') {
        findings.push(fileAhead(file, hub.status, input.mode));
      } else {
        findings.push(hubAhead(file, hub.status, input.mode));
        if (fix && input.writeback) {
          writebacks.push({ taskId: file.id, title: file.title, file: file.file, line: file.line, from: file.status, to: hub.status });
          final = hub.status;
          origin = AFTER;
        } else {
          final = null; // the two sides still differ: no point to record
          unreconciled.push(file.id);
        }
      }
    }
    decisions.set(file.id, decision);
    if (!fix) continue;

    const change: PlannedChange = { id: file.id, expectedVersion: hub.version };
    if (decision === 'push') change.status = file.status;
    if (file.title !== hub.title) change.title = file.title;
    if (file.priority !== hub.priority) change.priority = file.priority;
    if (file.workplan.id !== hub.workplan) change.workplan = file.workplan;
    const acted = decision !== 'agree' || Object.keys(change).length > 2;
    // A point is recorded when the run leaves both sides equal and something is new.
    const newest = hub.points.at(-1);
    if (final !== null && (acted || !newest || newest.status !== final || input.ancestry(newest.commit, input.head) !== 'yes')) {
      change.point = { status: final, origin };
    }
    if (Object.keys(change).length > 2) changes.push(change);
  }

  const inFiles = new Set([...input.files.map((f) => f.id), ...input.skipped]);
  for (const hub of input.hubTasks) if (!inFiles.has(hub.id)) findings.push(inNoFile(hub, input.mode));

  return { decisions, changes, writebacks, run: fix ? { skipped: [...input.skipped, ...unreconciled] } : null, findings };
}
