import { colors as pc } from './colors.js';
import type { Finding } from '../findings.js';
import { printable } from './printable.js';

/** What a run found and did, as plain data; rendered for people here and as JSON by --json. */
export interface Report {
  repo: string;
  mode: 'check' | 'fix';
  workplans: { file: string; tasks: { id: string; status: string; title: string; line: number }[] }[];
  findings: Finding[];
  actions: Action[];
  /** After a fix run that left every task equal in files and hub: the commit and the hub's ETag then. */
  settled?: { head: string; etag: string } | null;
}

export type Action =
  | { type: 'push'; taskId: string; from: string | null; to: string }
  | { type: 'create'; taskId: string; status: string }
  | { type: 'update'; taskId: string; fields: string[] }
  | { type: 'writeback'; taskId: string; file: string; line: number; from: string; to: string }
  | { type: 'commit'; commit: string; files: string[] };

const SEVERITY_COLOR = { INFO: pc.cyan, WARN: pc.yellow, FAIL: pc.red } as const;

export function formatFinding(f: Finding): string {
  const where = f.file ? `${printable(f.file)}${f.line ? `:${f.line}` : ''} ` : '';
  return `${SEVERITY_COLOR[f.severity](f.severity.padEnd(4))} ${pc.dim(f.code)} ${where}${printable(f.message)}`;
}

function describeAction(a: Action): string {
  switch (a.type) {
    case 'push':
      return `hub   ${a.taskId}: ${a.from ?? '∅'} → ${a.to}`;
    case 'create':
      return `hub   ${a.taskId}: created as ${a.status}`;
    case 'update':
      return `hub   ${a.taskId}: ${a.fields.join(', ')} updated from the file`;
    case 'writeback':
      return `file  ${a.file}:${a.line} ${a.taskId}: ${a.from} → ${a.to}`;
    case 'commit':
      // A writeback commit is local: nobody else sees it until it is pushed.
      return `commit ${a.commit.slice(0, 10)} (${a.files.join(', ')}), waiting to be pushed with your next git push`;
  }
}

/** One line for an action; its ids and file names come from the repo and the hub, so they are made printable. */
export function formatAction(a: Action): string {
  return printable(describeAction(a));
}

/** Past this many findings (or actions), a report shows the first few of each kind and counts the rest. */
const SUMMARY_AFTER = 20;
const SHOWN_PER_KIND = 3;

/**
 * One line per item, or, past SUMMARY_AFTER unless `all`, the first few of each kind in their
 * place and a count of the rest: a first run over 10,000 tasks fits a screen.
 */
export function summarised<T>(items: readonly T[], kindOf: (item: T) => string, line: (item: T) => string, all: boolean): string[] {
  if (all || items.length <= SUMMARY_AFTER) return items.map(line);
  const seen = new Map<string, number>();
  const out: string[] = [];
  for (const item of items) {
    const kind = kindOf(item);
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    if (n <= SHOWN_PER_KIND) out.push(line(item));
  }
  for (const [kind, n] of seen) if (n > SHOWN_PER_KIND) out.push(`… and ${n - SHOWN_PER_KIND} more ${kind} (--verbose or --json shows all)`);
  return out;
}

export const findingKind = (f: Finding) => `${f.code} findings`;
export const actionKind = (a: Action) => `${a.type} actions`;

export function formatReport(report: Report, verbose: boolean): string {
  const out: string[] = [];
  const taskCount = report.workplans.reduce((n, w) => n + w.tasks.length, 0);
  out.push(`${pc.bold('custodian-hooks')} ${report.mode} · repo ${pc.bold(printable(report.repo))} · ${report.workplans.length} workplans, ${taskCount} tasks`);
  if (verbose) {
    for (const w of report.workplans) {
      out.push(`  ${pc.underline(printable(w.file))}`);
      for (const t of w.tasks) out.push(`    ${printable(t.id).padEnd(24)} ${t.status.padEnd(11)} ${pc.dim(printable(t.title))}`);
    }
  }
  const lines = [
    ...summarised(report.actions, actionKind, (a) => `${pc.green('✓')} ${formatAction(a)}`, verbose),
    ...summarised(report.findings, findingKind, formatFinding, verbose),
  ];
  out.push(...lines.map((line) => `  ${line}`));
  const count = (s: Finding['severity']) => report.findings.filter((f) => f.severity === s).length;
  out.push(`${count('FAIL')} fail, ${count('WARN')} warn, ${count('INFO')} info, ${report.actions.length} actions`);
  return `${out.join('\n')}\n`;
}
