import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stateDir } from './hub/location.js';

/** slug → working tree, so `run --repo SLUG` works from anywhere. Kept in the state directory. */
const file = (env: NodeJS.ProcessEnv) => path.join(stateDir(env), 'repos.json');

export async function readRegistry(env: NodeJS.ProcessEnv = process.env): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(file(env), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** Records where a repo lives; writes only when that changes. */
export async function registerRepo(slug: string, top: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const registry = await readRegistry(env);
  if (registry[slug] === top) return;
  registry[slug] = top;
  await mkdir(path.dirname(file(env)), { recursive: true });
  const temp = `${file(env)}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(registry, null, 2)}\n`);
  await rename(temp, file(env));
}
