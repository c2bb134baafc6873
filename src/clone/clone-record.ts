import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { commonGitDir } from '../git/common-dir.js';
import { readTextOrNull } from '../read-if-exists.js';

/**
 * A record that holds for the whole clone, every worktree of it alike (the hub and the slug it
 * settled with): kept in the common git dir. An older version kept it in each worktree's own git
 * dir; one found there still counts until this version writes the clone's.
 */
const places = (gitDir: string) => {
  const common = commonGitDir(gitDir);
  return common === gitDir ? [common] : [common, gitDir];
};
const fileIn = (dir: string, name: string) => path.join(dir, 'custodian-hooks', name);

export function readCloneRecord(gitDir: string, name: string): { file: string; text: string } | null {
  for (const dir of places(gitDir)) {
    const file = fileIn(dir, name);
    const text = readTextOrNull(file);
    if (text !== null) return { file, text };
  }
  return null;
}

export function writeCloneRecord(gitDir: string, name: string, text: string): void {
  const [common, worktree] = places(gitDir);
  mkdirSync(path.dirname(fileIn(common!, name)), { recursive: true });
  writeFileSync(fileIn(common!, name), text);
  if (worktree) rmSync(fileIn(worktree, name), { force: true });
}
