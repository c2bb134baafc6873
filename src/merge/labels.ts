import { gitOutcome } from '../git/run.js';
import { gitCommandLine, gitSubcommand } from './git-command-line.js';
import type { Candidate } from './side-commits.js';

/** The conflict labels git writes: ours is HEAD unless named. */
export interface Labels {
  ours?: string;
  base: string;
  theirs: string;
}

/** Options of `git revert` whose value is the next argument. */
const REVERT_WITH_VALUE = new Set(['-m', '--mainline', '-s', '--strategy', '-X', '--strategy-option', '--cleanup', '-S']);

/**
 * The conflict labels git itself writes, which git before 2.44 does not pass a driver (%S %X %Y):
 * a merge names theirs as given and the base by its short id (or "merged common ancestors"); a
 * pick names theirs `<short id> (<subject>)` and the base its "parent of"; a revert the other way
 * round; a stash applied (by hand, or a rebase's autostash) names all three as `git stash` does.
 * null where git's labels are not known here: the driver's defaults stand.
 */
export async function gitLabels(top: string, candidate: Candidate | undefined): Promise<Labels | null> {
  const out = async (args: string[]) => {
    const ran = await gitOutcome(top, args);
    return ran.exitCode === 0 ? ran.stdout.toString('utf8').trim() : '';
  };
  // git names a commit by its short id and the first line of its message.
  const named = async (rev: string) => {
    const [id, subject] = (await out(['show', '-s', '--format=%h%n%B', `${rev}^{commit}`, '--'])).split('\n');
    return id ? `${id} (${subject ?? ''})` : '';
  };
  if (candidate?.merged) {
    const bases = (await out(['merge-base', '--all', 'HEAD', candidate.rev])).split('\n').filter(Boolean);
    const base = bases.length > 1 ? 'merged common ancestors' : bases[0] ? await out(['rev-parse', '--short', bases[0]]) : '';
    return { base: base || 'base', theirs: candidate.merged };
  }
  if (candidate) {
    const picked = await named(candidate.rev);
    return picked ? { base: `parent of ${picked}`, theirs: picked } : { base: 'base', theirs: candidate.rev };
  }
  const command = gitSubcommand(gitCommandLine());
  if (command?.name === 'stash') return { ours: 'Updated upstream', base: 'Stash base', theirs: 'Stashed changes' };
  // One commit reverted: of several, the sequencer's current one is not on the command line.
  const revisions =
    command?.name === 'revert' ? command.args.filter((arg, at) => !arg.startsWith('-') && !REVERT_WITH_VALUE.has(command.args[at - 1] ?? '')) : [];
  const revert = revisions.length === 1 ? await named(revisions[0]!) : '';
  return revert ? { base: revert, theirs: `parent of ${revert}` } : null;
}
