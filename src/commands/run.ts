import os from 'node:os';
import { UserError } from '../errors.js';
import { hasFailure } from '../findings.js';
import { refuseAnotherHub } from '../clone/hub.js';
import { refuseRenamedSlug } from '../clone/slug.js';
import { chooseHub } from '../hub/location.js';
import { openHub } from '../hub/open.js';
import { jsonDocument } from '../output/json-envelope.js';
import { machineName } from '../machine.js';
import { type ProgressStream, startProgress } from '../output/progress-line.js';
import { reconcileRepo } from '../sync/reconcile-repo.js';
import { registeredRepo, registerRepo } from '../registry.js';
import { openRepo } from '../repo.js';
import { formatReport, type Report } from '../output/report.js';
import { rememberSettled } from './settled.js';

export interface RunOptions {
  cwd: string;
  json: boolean;
  verbose: boolean;
  fix: boolean;
  writeback: boolean;
  pull: boolean;
  /** Check only, and print what a writeback would change as a unified diff. */
  diff?: boolean;
  repo?: string;
}

async function locate(options: RunOptions): Promise<string> {
  if (options.repo === undefined) return options.cwd;
  const path = await registeredRepo(options.repo);
  if (!path) throw new UserError(`no repo registered as '${options.repo}': run custodian-hooks once inside it (or install its hooks)`);
  return path;
}

/** `custodian-hooks run [--fix]`: reconcile the repo with the configured hub and report. */
export async function runCommand(
  options: RunOptions,
  write: (text: string | Buffer) => void,
  warn: (text: string) => void = () => {},
  progress: ProgressStream = { write: () => undefined },
): Promise<number> {
  // Said, not ignored: without --fix nothing is written or pulled anyway, and the user expected something else.
  if (!options.fix && !options.writeback)
    throw new UserError('run --no-writeback limits what --fix writes: it goes with --fix (without it, run writes nothing)');
  if (!options.fix && options.pull) throw new UserError('run --pull pulls before a fix: it goes with --fix (without it, run pulls nothing)');
  if (options.diff && options.fix) throw new UserError('run --diff shows what a writeback would change and writes nothing: it does not go with --fix');
  if (options.diff && options.json)
    throw new UserError('run --diff prints a unified diff for git apply or a reader; it does not go with --json (run --json lists the same as C-13 findings)');
  const repo = await openRepo(await locate(options));
  await registerRepo(repo.slug, repo.top).catch(() => undefined);
  const choice = chooseHub(process.env, repo.config.hub, repo.top);
  refuseAnotherHub(repo, choice);
  refuseRenamedSlug(repo);
  const hub = await openHub(choice, { readOnly: !options.fix });
  const writeback = options.writeback && repo.config.writeback !== false;
  const stopProgress = startProgress(progress, `custodian-hooks ${options.fix ? 'fix' : 'check'} · ${repo.slug}: reading workplans and hub, reconciling…`);
  let report: Report;
  try {
    report = await reconcileRepo(
      repo,
      { mode: options.fix ? 'fix' : 'check', writeback, pull: options.pull },
      { hub, hostname: os.hostname(), machine: machineName() },
    );
    rememberSettled(repo, choice, report);
  } finally {
    stopProgress();
    await hub.close();
  }
  if (options.diff) {
    const { diffOutput } = await import('./run-diff.js');
    return diffOutput(repo, report, writeback, write, warn);
  }
  write(options.json ? jsonDocument('run', report) : formatReport(report, options.verbose));
  return hasFailure(report.findings) ? 1 : 0;
}
