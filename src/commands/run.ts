import { hasFailure } from '../findings.js';
import { openRepo } from '../repo.js';
import { formatReport, type Report } from '../report.js';
import { loadWorkplans } from '../workplan/load.js';

export interface RunOptions {
  cwd: string;
  json: boolean;
  verbose: boolean;
}

/** `custodian-hooks run`: reads the workplans and reports tasks and findings. */
export async function runCommand(options: RunOptions, write: (text: string) => void): Promise<number> {
  const repo = await openRepo(options.cwd);
  const loaded = await loadWorkplans(repo);
  const report: Report = {
    repo: repo.slug,
    mode: 'check',
    workplans: loaded.workplans.map((w) => ({
      file: w.file,
      tasks: w.tasks.map((t) => ({ id: t.id, status: t.status, title: t.title, line: t.line })),
    })),
    findings: loaded.findings,
    actions: [],
  };
  write(options.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report, options.verbose));
  return hasFailure(report.findings) ? 1 : 0;
}
