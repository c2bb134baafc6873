import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The git dir a worktree shares with its repository (refs, `shallow`), from the `commondir` file
 * git keeps in a worktree's own git dir; a main working tree's git dir is its own common dir.
 */
export function commonGitDir(gitDir: string): string {
  try {
    return path.resolve(gitDir, readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim());
  } catch {
    return gitDir;
  }
}
