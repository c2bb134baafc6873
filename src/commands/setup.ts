import { readFile } from 'node:fs/promises';
import { colors as pc } from '../output/colors.js';
import { hookStatus, install, listChained, uninstall } from '../hook/install.js';
import { messageOf } from '../errors.js';
import { git, GitError, noRepositoryAt } from '../git/run.js';
import { writeCommitGraph } from '../git/facts.js';
import { chooseHub, describeSource, redactLocation } from '../hub/location.js';
import { openHub } from '../hub/open.js';
import { refuseAnotherHub } from '../clone/hub.js';
import { refuseRenamedSlug } from '../clone/slug.js';
import { registerRepo } from '../registry.js';
import { packageFile } from '../package-files.js';
import { mergeDriverStatus } from '../hook/merge-setup.js';
import { openRepo } from '../repo.js';

/** Why `install` should do nothing here, as husky does: it runs from `prepare`, so it must never fail an `npm ci`. */
async function reasonToSkipInstall(cwd: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  if (env.CUSTODIAN_HOOKS === '0') return 'CUSTODIAN_HOOKS=0 is set';
  const inRepo = await git(cwd, ['rev-parse', '--git-dir']).then(
    () => true,
    (error: unknown) => (error instanceof GitError ? false : Promise.reject(error)),
  );
  if (inRepo) return null;
  return env.GIT_DIR || env.GIT_WORK_TREE ? noRepositoryAt(cwd, env) : `no git repository here (${cwd}), as in a Docker build or an unpacked tarball`;
}

export async function installCommand(cwd: string, write: (text: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const skip = await reasonToSkipInstall(cwd, env);
  if (skip) {
    write(`custodian-hooks install skipped: ${skip}\n`);
    return;
  }
  const lines = await install(cwd);
  const repo = await openRepo(cwd);
  await registerRepo(repo.slug, repo.top);
  if (await writeCommitGraph(repo)) lines.push("history: git's commit-graph written, so that walking a long history stays quick");
  write(`${lines.map((l) => `custodian-hooks ${l}`).join('\n')}\nrepo '${repo.slug}' registered (run --repo ${repo.slug} works from anywhere)\n`);
}

export async function uninstallCommand(cwd: string, write: (text: string) => void): Promise<void> {
  write(`${(await uninstall(cwd)).map((l) => `custodian-hooks ${l}`).join('\n')}\n`);
}

/** `doctor`: would the hooks fire, what would they call, and does the hub answer? Exit 1 when something is off. */
export async function doctorCommand(cwd: string, write: (text: string) => void): Promise<number> {
  const { place, manager, hooks } = await hookStatus(cwd);
  const repo = await openRepo(cwd);
  let healthy = true;
  const ok = (good: boolean, text: string) => {
    healthy &&= good;
    write(`${good ? pc.green('✓') : pc.red('✗')} ${text}\n`);
  };
  write(
    `repo '${repo.slug}' at ${repo.top}; git runs hooks from ${place.hooksDir}${place.huskyDir ? ' (husky)' : place.teamDir ? " (the team's, in the working tree)" : manager ? ` (${manager.name}, which calls custodian-hooks from its config)` : ''}\n`,
  );
  for (const h of hooks) {
    if (h.fires) ok(true, `${h.hook}: fires → ${h.node} ${h.cli}${h.problem ? ` (${h.problem})` : ''}`);
    else ok(false, `${h.hook}: ${h.problem}`);
  }
  const driver = await mergeDriverStatus(place);
  if (!driver.command) ok(false, 'merge driver: not configured, so status-line conflicts stop a pull: run custodian-hooks install');
  else if (!driver.marked) ok(false, `merge driver: configured, but no workplan is marked for it: run custodian-hooks install`);
  else if (driver.problem && !/falls back/.test(driver.problem)) ok(false, `merge driver: ${driver.problem}`);
  else ok(true, `merge driver: ${driver.command} (workplans marked in ${driver.marked})${driver.problem ? ` (${driver.problem})` : ''}`);
  const chained = await listChained(place);
  if (chained.length > 0) write(`  hooks that were here before and still run first: ${chained.join(', ')}\n`);
  if (process.env.CUSTODIAN_HOOKS === '0') ok(false, 'CUSTODIAN_HOOKS=0 is set: the hooks do nothing in this environment');
  const choice = chooseHub(process.env, repo.config.hub, repo.top);
  write(`every hook reaches hub ${redactLocation(choice.location)} (${describeSource(choice)})\n`);
  for (const refusal of [() => refuseAnotherHub(repo, choice), () => refuseRenamedSlug(repo)]) {
    try {
      refusal();
    } catch (error) {
      ok(false, messageOf(error));
    }
  }
  try {
    const hub = await openHub(choice, { http: { timeoutMs: 3000, readRetries: 0 }, readOnly: true });
    try {
      const state = await hub.readRepo(repo.slug);
      const count = state === 'not-modified' ? '?' : state.tasks.length;
      ok(true, `hub ${hub.location} answers: ${count} tasks for '${repo.slug}'`);
    } finally {
      await hub.close();
    }
  } catch (error) {
    ok(false, `hub ${redactLocation(choice.location)} does not answer: ${messageOf(error)}`);
  }
  return healthy ? 0 : 1;
}

export async function protocolText(): Promise<string> {
  return readFile(packageFile('templates/session-protocol.md'), 'utf8');
}
