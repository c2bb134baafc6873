import pc from 'picocolors';
import type { Finding } from './findings.js';
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
      return `commit ${a.commit.slice(0, 10)} (${a.files.join(', ')})`;
  }
}

/** One line for an action; its ids and file names come from the repo and the hub, so they are made printable. */
export function formatAction(a: Action): string {
  return printable(describeAction(a));
}

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
  for (const a of report.actions) out.push(`  ${pc.green('✓')} ${formatAction(a)}`);
  for (const f of report.findings) out.push(`  ${formatFinding(f)}`);
  const count = (s: Finding['severity']) => report.findings.filter((f) => f.severity === s).length;
  out.push(`${count('FAIL')} fail, ${count('WARN')} warn, ${count('INFO')} info, ${report.actions.length} actions`);
  return `${out.join('\n')}\n`;
}
