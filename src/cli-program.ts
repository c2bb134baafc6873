import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { messageOf, UserError } from './errors.js';
import { HubUnavailableError, InvalidRequestError, NotFoundError } from './hub/types.js';
import { printable } from './output/printable.js';
import { packageFile } from './package-files.js';
import type { HubServeOptions } from './commands/hub.js';
import { DAY_MS, DEFAULT_RETENTION } from './hub/retention.js';

const write = (text: string | Buffer) => process.stdout.write(text);
const warn = (text: string) => process.stderr.write(text);

function program(): Command {
  const cli = new Command('custodian-hooks')
    .description('Keep task statuses in Markdown workplans and the state hub in agreement.')
    .version((JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version)
    .showHelpAfterError()
    .exitOverride();
  repoCommands(cli);
  setupCommands(cli);
  hubCommands(cli.command('hub').description('run or administer a shared hub'));
  taskCommands(cli.command('task').description('read or change tasks in the configured hub ($CUSTODIAN_HUB, else hub in .custodian.yml)'));
  return cli;
}

/** What a user runs in a repo: run, init, status. */
function repoCommands(cli: Command): void {
  cli
    .command('run')
    .description('reconcile workplans with the hub: report only, unless --fix')
    .option('--fix', 'push file-newer statuses, write back hub-newer ones and commit them', false)
    .option('--no-writeback', 'with --fix: write no files, keep the no-regress rule and the pull gate')
    .option('--pull', 'with --fix: git pull --ff-only first; if that fails, warn and go on', false)
    .option('--repo <slug>', 'act on the repo registered under this slug instead of the current directory')
    .option('--json', 'print one JSON document instead of text', false)
    .option('--diff', 'change nothing; print what a writeback would change, as a unified diff', false)
    .option('-v, --verbose', 'list every workplan and task', false)
    .addOption(new Option('-C, --cwd <dir>', 'run as if started in <dir>').default(process.cwd(), 'the current directory'))
    .action(async (opts: { json: boolean; verbose: boolean; cwd: string; fix: boolean; writeback: boolean; pull: boolean; diff: boolean; repo?: string }) => {
      const { runCommand } = await import('./commands/run.js');
      process.exitCode = await runCommand(opts, write, warn, process.stderr);
    });

  cli
    .command('init')
    .description("set the repo up for a team: .custodian.yml (its slug, the team's hub) and package.json's prepare script; run again, it changes nothing")
    .option('--hub <url>', "the team's hub, an http(s):// or postgres:// URL without credentials (default: CUSTODIAN_HUB when it is an http(s) URL)")
    .option('--merge-attributes', "mark the workplans for the merge driver in a committed .gitattributes (default: each clone's .git/info/attributes)", false)
    .addOption(new Option('-C, --cwd <dir>').default(process.cwd()).hideHelp())
    .action(async (opts: { hub?: string; cwd: string; mergeAttributes: boolean }) => {
      const { initCommand } = await import('./commands/init.js');
      await initCommand(opts, write);
    });
  cli
    .command('status')
    .description('each workplan as committed: its tasks counted by status and how much is finished; the hub is not asked')
    .option('--json', 'print JSON', false)
    .addOption(new Option('-C, --cwd <dir>').default(process.cwd()).hideHelp())
    .action(async (opts: { json: boolean; cwd: string }) => {
      const { statusCommand } = await import('./commands/status.js');
      await statusCommand(opts, write, process.stdout.isTTY === true);
    });
}

/** The hooks' place in a repo, and what to tell agents. */
function setupCommands(cli: Command): void {
  cli
    .command('install')
    .description('put the post-merge, post-rewrite, pre-push and post-commit hooks and the workplan merge driver in the repo around the current directory')
    .action(async () => {
      const { installCommand } = await import('./commands/setup.js');
      await installCommand(process.cwd(), write);
    });
  cli
    .command('uninstall')
    .description('remove the hooks and the merge driver, restoring exactly what was there before')
    .action(async () => {
      const { uninstallCommand } = await import('./commands/setup.js');
      await uninstallCommand(process.cwd(), write);
    });
  cli
    .command('doctor')
    .description('say whether the hooks would fire, what they call, and whether the hub answers')
    .action(async () => {
      const { doctorCommand } = await import('./commands/setup.js');
      process.exitCode = await doctorCommand(process.cwd(), write);
    });
  cli
    .command('protocol')
    .description("print the session-close protocol, to paste into a repo's agent instructions")
    .action(async () => {
      const { protocolText } = await import('./commands/setup.js');
      write(await protocolText());
    });
}

/** `hub serve` and `hub token …`. */
function hubCommands(hub: Command): void {
  hub
    .command('serve')
    .description('serve a hub over HTTP for many machines')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '7420')
    .option('--db <location>', 'SQLite file or postgres:// URL (default: the embedded store)')
    .option('--keep-points <n>', 'sync points kept per task whatever their age', String(DEFAULT_RETENTION.points))
    .option('--keep-runs <n>', 'run records kept per repo whatever their age', String(DEFAULT_RETENTION.runs))
    .option('--keep-days <d>', 'keep every record younger than this many days (0: age keeps nothing)', String(DEFAULT_RETENTION.maxAgeMs / DAY_MS))
    .action(async (opts: HubServeOptions) => {
      const { hubServe } = await import('./commands/hub.js');
      await hubServe(opts, write);
    });
  const token = hub.command('token').description('bearer tokens for machines and agents');
  token
    .command('create <name>')
    .description('issue a token; it is printed once and only its hash is kept')
    .option('--db <location>', 'SQLite file or postgres:// URL (default: the embedded store)')
    .action(async (name: string, opts: { db?: string }) => {
      const { tokenCreate } = await import('./commands/hub.js');
      await tokenCreate(name, opts, write);
    });
  token
    .command('list')
    .description('the tokens issued: name and when; never the token itself')
    .option('--db <location>', 'SQLite file or postgres:// URL (default: the embedded store)')
    .action(async (opts: { db?: string }) => {
      const { tokenList } = await import('./commands/hub.js');
      await tokenList(opts, write);
    });
  token
    .command('revoke <name>')
    .description('withdraw a token: its next request is refused')
    .option('--db <location>', 'SQLite file or postgres:// URL (default: the embedded store)')
    .action(async (name: string, opts: { db?: string }) => {
      const { tokenRevoke } = await import('./commands/hub.js');
      await tokenRevoke(name, opts, write);
    });
  hub
    .command('repo')
    .description('the repos the hub holds')
    .command('release <slug>')
    .description('after a repository moved: give its repo to the new address (--to), or forget the old one so the next clone to sync claims it')
    .option('--to <url>', "the repository's new address, as git remote takes it")
    .option('--db <location>', 'SQLite file or postgres:// URL (default: the embedded store)')
    .action(async (slug: string, opts: { db?: string; to?: string }) => {
      const { repoRelease } = await import('./commands/hub.js');
      await repoRelease(slug, opts, write);
    });
}

/** `task set` and `task list`, against the configured hub. */
function taskCommands(task: Command): void {
  task
    .command('set <id> <status>')
    .description("set a task's status in the hub, as an agent on another machine does")
    .option('--repo <slug>', "the repo's slug (default: the repo around the current directory)")
    .option('--expect-version <n>', 'refuse unless the task is at this version (default: the version just read)')
    .option('--why <text>', 'a reason, kept in the history')
    .addOption(new Option('-C, --cwd <dir>').default(process.cwd()).hideHelp())
    .action(async (id: string, status: string, opts: { repo?: string; expectVersion?: string; why?: string; cwd: string }) => {
      const { taskSet } = await import('./commands/task.js');
      await taskSet(id, status, opts, write);
    });
  task
    .command('list')
    .description("the hub's tasks for this repo: id, status, version, last change")
    .option('--repo <slug>', "the repo's slug (default: the repo around the current directory)")
    .option('--json', 'print JSON', false)
    .addOption(new Option('-C, --cwd <dir>').default(process.cwd()).hideHelp())
    .action(async (opts: { repo?: string; json: boolean; cwd: string }) => {
      const { taskList } = await import('./commands/task.js');
      await taskList(opts, write);
    });
}

/** Errors a user can act on, whatever module raised them: a message and an exit code, no stack. */
function expectedFailure(error: unknown): { message: string; exitCode: number } | null {
  if (error instanceof UserError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof HubUnavailableError || error instanceof NotFoundError || error instanceof InvalidRequestError)
    return { message: error.message, exitCode: 1 };
  return null;
}

/** The whole CLI: parse, dispatch, and turn errors into messages and exit codes. */
export async function main(argv: string[]): Promise<void> {
  // Output piped into `head` and the like: a closed pipe ends the output, not in a crash.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  try {
    await program().parseAsync(argv);
  } catch (error) {
    const expected = expectedFailure(error);
    if (error instanceof CommanderError) {
      // Help and version are successes; every other parse failure is a usage error.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
    } else if (expected) {
      process.stderr.write(`custodian-hooks: ${printable(expected.message)}\n`);
      process.exitCode = expected.exitCode;
    } else {
      process.stderr.write(`custodian-hooks: unexpected error — this is a bug, please report it:\n${(error as Error)?.stack ?? messageOf(error)}\n`);
      process.exitCode = 70;
    }
  }
}
