import { colors as pc } from '../output/colors.js';
import { jsonDocument } from '../output/json-envelope.js';
import { printable } from '../output/printable.js';
import { totalProgress, type WorkplanProgress, workplanProgress } from '../output/progress-summary.js';
import { openRepo } from '../repo.js';
import { STATUSES } from '../status.js';
import { loadWorkplans } from '../workplan/load.js';

const BAR_WIDTH = 20;

/** A bar of BAR_WIDTH cells, for a terminal; elsewhere the percentage says the same in fewer bytes. */
function bar(progress: number): string {
  const full = Math.round(progress * BAR_WIDTH);
  return `${pc.green('█'.repeat(full))}${pc.dim('░'.repeat(BAR_WIDTH - full))} `;
}

function countsText(w: Pick<WorkplanProgress, 'total' | 'counts' | 'unreadable'>): string {
  const parts = STATUSES.filter((s) => w.counts[s] > 0).map((s) => `${w.counts[s]} ${s}`);
  if (w.unreadable > 0) parts.push(pc.red(`${w.unreadable} unreadable`));
  return `${w.total} tasks${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

const percent = (progress: number) => `${Math.floor(progress * 100)}%`.padStart(4);

/**
 * `custodian-hooks status`: each workplan as committed at HEAD, its tasks counted by status and
 * how much of it is finished (done or cancelled). Reads the files only: no hub is asked.
 */
export async function statusCommand(options: { cwd: string; json: boolean }, write: (text: string) => void, terminal: boolean): Promise<void> {
  const repo = await openRepo(options.cwd);
  const loaded = await loadWorkplans(repo);
  const workplans = loaded.workplans.map(workplanProgress);
  const total = totalProgress(workplans);
  if (options.json) {
    write(jsonDocument('status', { repo: repo.slug, head: loaded.head, workplans, total }));
    return;
  }
  const width = Math.max(0, ...workplans.map((w) => printable(w.file).length));
  const out = [`${pc.bold(printable(repo.slug))}: ${workplans.length} workplans at ${loaded.head ? loaded.head.slice(0, 10) : 'no commit yet'}`];
  for (const w of workplans) out.push(`  ${printable(w.file).padEnd(width)}  ${terminal ? bar(w.progress) : ''}${percent(w.progress)}  ${countsText(w)}`);
  if (workplans.length > 1) out.push(`  ${'all'.padEnd(width)}  ${terminal ? bar(total.progress) : ''}${percent(total.progress)}  ${countsText(total)}`);
  write(`${out.join('\n')}\n`);
}
