import os from 'node:os';
import { UserError } from '../errors.js';
import { hasFailure } from '../findings.js';
import { refuseAnotherHub } from '../clone-hub.js';
import { chooseHub } from '../hub/location.js';
import { openHub } from '../hub/open.js';
import { machineName } from '../machine.js';
import { reconcileRepo } from '../sync/reconcile-repo.js';
import { registeredRepo, registerRepo } from '../registry.js';
import { openRepo } from '../repo.js';
import { formatReport, type Report } from '../report.js';
import { rememberSettled } from './settled.js';

export interface RunOptions {
  cwd: string;
  json: boolean;
  verbose: boolean;
  fix: boolean;
  writeback: boolean;
  pull: boolean;
  repo?: string;
}

async function locate(options: RunOptions): Promise<string> {
  if (!options.repo) return options.cwd;
  const path = await registeredRepo(options.repo);
  if (!path) throw new UserError(`no repo registered as '${options.repo}': run custodian-hooks once inside it (or install its hooks)`);
  return path;
}

/** `custodian-hooks run [--fix]`: reconcile the repo with the configured hub and report. */
export async function runCommand(options: RunOptions, write: (text: string) => void): Promise<number> {
  const repo = await openRepo(await locate(options));
  await registerRepo(repo.slug, repo.top).catch(() => undefined);
  const choice = chooseHub(process.env, repo.config.hub);
  refuseAnotherHub(repo.gitDir, choice);
  const hub = await openHub(choice, { readOnly: !options.fix });
  let report: Report;
  try {
    const writeback = options.writeback && repo.config.writeback !== false;
    report = await reconcileRepo(
      repo,
      { mode: options.fix ? 'fix' : 'check', writeback, pull: options.pull },
      { hub, hostname: os.hostname(), machine: machineName() },
    );
    rememberSettled(repo, choice, report);
  } finally {
    await hub.close();
  }
  write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, options.verbose));
  return hasFailure(report.findings) ? 1 : 0;
}
