import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stateDir } from './hub/location.js';

/** slug → working tree, so `run --repo SLUG` works from anywhere. Kept in the state directory. */
const file = (env: NodeJS.ProcessEnv) => path.join(stateDir(env), 'repos.json');

async function readEntries(env: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file(env), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return new Map();
    // A Map, not the parsed object: a slug such as `constructor` or `__proto__` must find nothing, not Object's own.
    return new Map(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return new Map();
  }
}

/** Where the repo registered under `slug` lives, or undefined. */
export async function registeredRepo(slug: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return (await readEntries(env)).get(slug);
}

/** Records where a repo lives; writes only when that changes. */
export async function registerRepo(slug: string, top: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const registry = await readEntries(env);
  if (registry.get(slug) === top) return;
  registry.set(slug, top);
  await mkdir(path.dirname(file(env)), { recursive: true });
  const temp = `${file(env)}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(Object.fromEntries(registry), null, 2)}\n`);
  await rename(temp, file(env));
}
