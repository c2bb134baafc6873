import { readTextOrNull } from '../read-if-exists.js';
import path from 'node:path';

/**
 * The git dir a worktree shares with its repository (refs, `shallow`), from the `commondir` file
 * git keeps in a worktree's own git dir; a main working tree's git dir is its own common dir.
 */
export function commonGitDir(gitDir: string): string {
  const relative = readTextOrNull(path.join(gitDir, 'commondir'));
  return relative === null ? gitDir : path.resolve(gitDir, relative.trim());
}
