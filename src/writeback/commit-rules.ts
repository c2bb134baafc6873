import type { RepoConfig } from '../config-schema.js';
import { git } from '../git/run.js';
import type { Repo } from '../repo.js';

/** `commit:` in `.custodian.yml`: what a team's rules ask of every commit, applied to the writeback commit. */
export type CommitRules = NonNullable<RepoConfig['commit']>;

/**
 * The spec's message with the team's additions: a suffix on the subject line (`[skip ci]`), and
 * trailers in a block of their own at the end, where `git interpret-trailers` finds them.
 */
export function teamMessage(message: string, rules: CommitRules | undefined): string {
  if (!rules) return message;
  const newline = message.indexOf('\n');
  const subject = newline === -1 ? message : message.slice(0, newline);
  const body = newline === -1 ? '' : message.slice(newline);
  let next = rules.suffix ? `${subject} ${rules.suffix}${body}` : message;
  if (rules.trailers?.length) next = `${next.replace(/\n*$/, '')}\n\n${rules.trailers.join('\n')}\n`;
  return next;
}

/** How long a signer may take: an agent answers at once; one that waits for a passphrase would hang the hook. */
export const SIGNING_TIMEOUT_MS = 10_000;

/**
 * Whether to sign: `sign: true` always, `sign: auto` when the user's git signs their own commits
 * (`commit.gpgsign`); never by default. git's own signing setup (gpg.format, user.signingKey) does the rest.
 */
export async function shouldSign(repo: Repo): Promise<boolean> {
  const sign = repo.config.commit?.sign;
  if (sign === true) return true;
  if (sign !== 'auto') return false;
  const value = await git(repo.top, ['config', '--type=bool', '--get', 'commit.gpgsign']).catch(() => 'false');
  return value.trim() === 'true';
}
