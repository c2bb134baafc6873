import { execa } from 'execa';
import { CLI } from './paths.js';

/** Runs the built binary as a user would, never rejecting, with colour off unless asked. */
export async function runCli(cwd: string, args: string[], env: Record<string, string | undefined> = {}) {
  const result = await execa(process.execPath, [CLI, ...args], { cwd, reject: false, env: { NO_COLOR: '1', ...env }, stdin: 'ignore' });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
