import { gitOutcome } from '../git/run.js';
import type { Candidate } from './side-commits.js';

/**
 * The conflict labels git itself writes for the base and theirs, which git before 2.44 does not
 * pass a driver (%S, %Y): a merge names theirs as given and the base by its short id (or "merged
 * common ancestors"); a pick names theirs `<short id> (<subject>)` and the base its "parent of".
 */
export async function gitLabels(top: string, candidate: Candidate): Promise<{ base: string; theirs: string }> {
  const out = async (args: string[]) => {
    const ran = await gitOutcome(top, args);
    return ran.exitCode === 0 ? ran.stdout.toString('utf8').trim() : '';
  };
  if (candidate.merged !== null) {
    const bases = (await out(['merge-base', '--all', 'HEAD', candidate.rev])).split('\n').filter(Boolean);
    const base = bases.length > 1 ? 'merged common ancestors' : bases[0] ? await out(['rev-parse', '--short', bases[0]]) : '';
    return { base: base || 'base', theirs: candidate.merged };
  }
  const picked = await out(['log', '-1', '--format=%h (%s)', candidate.rev, '--']);
  return picked ? { base: `parent of ${picked}`, theirs: picked } : { base: 'base', theirs: candidate.rev };
}
