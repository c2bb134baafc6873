import { appendFile, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { git } from '../../src/git/run.js';

export const IDENTITY = ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false'];

/** A fresh temp directory, removed when the test ends. */
export async function tempDir(t: TestContext, prefix = 'custodian-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A local identity, no signing, no automatic gc or maintenance (a process after every fetch and commit), no line-ending conversion. */
export function configure(dir: string): Promise<void> {
  return addLocalConfig(dir, [
    ['user.name', 'Test'],
    ['user.email', 'test@example.com'],
    ['commit.gpgsign', 'false'],
    ['gc.auto', '0'],
    ['maintenance.auto', 'false'],
    ['core.autocrlf', 'false'],
  ]);
}

/**
 * Settings (`section.key`, plain values) added to a repository's own config file as git writes
 * them: a section may repeat, the last value counts. One write instead of a git process a setting,
 * for every repository a test makes.
 */
export function addLocalConfig(dir: string, settings: readonly (readonly [string, string])[]): Promise<void> {
  const text = settings.map(([name, value]) => {
    const at = name.lastIndexOf('.');
    return `[${name.slice(0, at)}]\n\t${name.slice(at + 1)} = ${value}\n`;
  });
  return appendFile(path.join(dir, '.git', 'config'), text.join(''));
}

/** A real git repository on branch main with a local identity and no signing. */
export async function tempRepo(t: TestContext, files: Record<string, string> = {}): Promise<string> {
  const dir = await tempDir(t);
  await git(dir, ['init', '-q', '-b', 'main']);
  await configure(dir);
  if (Object.keys(files).length > 0) await commitFiles(dir, files, 'initial');
  return dir;
}

/** Writes files and commits them; returns the new HEAD. */
export async function commitFiles(dir: string, files: Record<string, string>, message: string): Promise<string> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  await git(dir, ['add', '--', ...Object.keys(files)]);
  await git(dir, ['commit', '-q', '-m', message]);
  return (await git(dir, ['rev-parse', 'HEAD'])).trim();
}

/** A clone of `origin` at `dir` that commits as `name`: no signing, no automatic gc or maintenance, pulls that merge. */
export async function cloneAs(origin: string, dir: string, name: string, cloneArgs: readonly string[] = []): Promise<void> {
  await git(path.dirname(dir), ['clone', '-q', ...cloneArgs, origin, dir]);
  await addLocalConfig(dir, [
    ['user.name', name],
    ['user.email', `${name}@example.com`],
    ['commit.gpgsign', 'false'],
    ['gc.auto', '0'],
    ['maintenance.auto', 'false'],
    ['pull.rebase', 'false'],
  ]);
}
