import { execa } from 'execa';

/** git as the user runs it, hooks firing, in a scene's environment: its exit code and what the hooks said. */
export async function gitAsUser(cwd: string, env: Record<string, string>, ...args: string[]): Promise<{ code: number | undefined; stderr: string }> {
  const result = await execa('git', args, { cwd, env: { ...env, GIT_TERMINAL_PROMPT: '0', NO_COLOR: '1' }, reject: false, stdin: 'ignore' });
  return { code: result.exitCode, stderr: String(result.stderr) };
}
