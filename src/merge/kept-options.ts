import path from 'node:path';
import { readObject } from '../git/objects.js';
import { readTextOrNull } from '../read-if-exists.js';
import { commands, holds, PICK_LINE } from './side-commits.js';

/** The git dir of the working tree at `top`: a linked worktree's own, where git keeps its rebase and sequencer. */
function workingTreeGitDir(top: string): string {
  const dotGit = path.join(top, '.git');
  const linked = /^gitdir: (.*)$/m.exec(readTextOrNull(dotGit) ?? '')?.[1];
  return linked ? path.resolve(top, linked.trim()) : dotGit;
}

/** The commit whose version of a file a todo line's pick merges in as theirs: the picked commit, or a reverted one's parent. */
function theirsOfLine(line: string | undefined): string | null {
  if (!line) return null;
  const picked = PICK_LINE.exec(line)?.[1];
  if (picked) return picked;
  const reverted = /^revert\s+(\S+)/.exec(line)?.[1];
  return reverted ? `${reverted}^` : null;
}

/**
 * The strategy options a rebase, or a cherry-pick or revert of several commits, keeps for the rest
 * of its run (`rebase-merge/strategy_opts`, `sequencer/opts`): what `--continue` merges with. They
 * are this merge's only when it is that run's own pick, its theirs holding exactly the bytes of the
 * commit the run is at. A stash applied, a rebase's autostash, a cherry-pick made while a rebase
 * stands stopped: git merges those without the run's options, and so must the driver.
 */
export async function keptStrategyOptions(top: string, file: string, theirs: Buffer): Promise<string> {
  const gitDir = workingTreeGitDir(top);
  const runs = [
    { opts: path.join(gitDir, 'rebase-merge', 'strategy_opts'), at: commands(readTextOrNull(path.join(gitDir, 'rebase-merge', 'done'))).at(-1) },
    { opts: path.join(gitDir, 'sequencer', 'opts'), at: commands(readTextOrNull(path.join(gitDir, 'sequencer', 'todo')))[0] },
  ];
  const kept: string[] = [];
  for (const run of runs) {
    const opts = readTextOrNull(run.opts);
    const rev = theirsOfLine(run.at);
    if (opts === null || rev === null) continue;
    const commit = await readObject(top, `${rev}^{commit}`);
    if (commit?.type === 'commit' && (await holds(top, commit.oid, file, theirs))) kept.push(opts);
  }
  return kept.join('\n');
}
