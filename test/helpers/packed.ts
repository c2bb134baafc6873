import { execa } from 'execa';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './paths.js';

/**
 * The package as `npm pack` ships it, unpacked into a temp dir: only what the `files` list
 * holds. Its dependencies are this checkout's own (the same lockfile), linked rather than
 * installed again, so better-sqlite3 is not rebuilt for every test run.
 */
export async function unpackPackage(): Promise<{ cli: string; root: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'custodian-pack-'));
  const { stdout } = await execa('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: ROOT });
  const tarball = path.join(dir, stdout.trim().split('\n').pop()!);
  await execa('tar', ['xzf', tarball, '-C', dir]);
  const root = path.join(dir, 'package');
  await symlink(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
  return { cli: path.join(root, 'dist', 'bundle', 'cli.cjs'), root, remove: () => rm(dir, { recursive: true, force: true }) };
}
