import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The git dir a worktree shares with its repository (refs, `shallow`), from the `commondir` file
 * git keeps in a worktree's own git dir; a main working tree's git dir is its own common dir.
 */
export function commonGitDir(gitDir: string): Promise<string> {
  return readFile(path.join(gitDir, 'commondir'), 'utf8').then(
    (relative) => path.resolve(gitDir, relative.trim()),
    () => gitDir,
  );
}
