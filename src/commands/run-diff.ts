import { hasFailure } from '../findings.js';
import type { Repo } from '../repo.js';
import { findingKind, formatFinding, summarised, type Report } from '../output/report.js';
import { writebackDiff, writebacksOf } from '../writeback/diff.js';

/**
 * `run --diff`: the check run's writebacks as a unified diff on stdout (empty when there are
 * none), and on stderr whatever else the run found that a fix would meet (a hub that does not
 * answer, a clone behind its upstream, a dirty workplan): the diff alone would not say it.
 */
export async function diffOutput(
  repo: Repo,
  report: Report,
  writeback: boolean,
  write: (text: string | Buffer) => void,
  warn: (text: string) => void,
): Promise<number> {
  const others = report.findings.filter((f) => f.code !== 'C-13' && f.severity !== 'INFO');
  for (const line of summarised(others, findingKind, formatFinding, false)) warn(`${line}\n`);
  if (!writeback) warn('writeback is off (--no-writeback, or writeback: false in .custodian.yml): a fix run writes no file\n');
  else write(await writebackDiff(repo, writebacksOf(report.findings)));
  return hasFailure(report.findings) ? 1 : 0;
}
