#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { messageOf, UserError } from './errors.js';

const write = (text: string) => process.stdout.write(text);

function program(): Command {
  const cli = new Command('custodian-hooks')
    .description('Keep task statuses in Markdown workplans and the state hub in agreement.')
    .showHelpAfterError()
    .exitOverride();

  cli
    .command('run')
    .description('reconcile workplans with the hub (check mode unless --fix)')
    .option('--json', 'print one JSON document instead of text', false)
    .option('-v, --verbose', 'list every workplan and task', false)
    .addOption(new Option('-C, --cwd <dir>', 'run as if started in <dir>').default(process.cwd(), 'the current directory'))
    .action(async (opts: { json: boolean; verbose: boolean; cwd: string }) => {
      const { runCommand } = await import('./commands/run.js');
      process.exitCode = await runCommand(opts, write);
    });

  return cli;
}

async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; every other parse failure is a usage error.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
    } else if (error instanceof UserError) {
      process.stderr.write(`custodian-hooks: ${error.message}\n`);
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`custodian-hooks: unexpected error — this is a bug, please report it:\n${(error as Error)?.stack ?? messageOf(error)}\n`);
      process.exitCode = 70;
    }
  }
}

await main(process.argv);
