import { execa, type ResultPromise } from 'execa';
import type { TestContext } from 'node:test';
import { CLI } from './paths.js';

export interface HubProcess {
  url: string;
  process: ResultPromise;
  stderr: () => string;
}

/** `custodian-hooks hub serve` as a real process on a free loopback port; killed when the test ends. */
export async function spawnHub(t: TestContext, db: string, env: Record<string, string> = {}, flags: string[] = []): Promise<HubProcess> {
  const child = execa(process.execPath, [CLI, 'hub', 'serve', '--port', '0', '--db', db, ...flags], { reject: false, env, stdin: 'ignore' });
  t.after(() => {
    child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`hub exited with ${code} before listening: ${stderr}`)));
  });
  return { url, process: child, stderr: () => stderr };
}

export async function createToken(db: string, name: string): Promise<string> {
  const result = await execa(process.execPath, [CLI, 'hub', 'token', 'create', name, '--db', db], { stdin: 'ignore' });
  return String(result.stdout).trim();
}
