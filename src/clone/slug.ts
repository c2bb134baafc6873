import { UserError } from '../errors.js';
import type { Repo } from '../repo.js';
import { readCloneRecord, writeCloneRecord } from './clone-record.js';

/**
 * The slug a clone has settled with its hub under, in `.git/custodian-hooks/slug` (one for all its worktrees). The default
 * slug follows the origin (`owner/name`); a clone that synced as `app` before that default (or
 * before the origin moved) would otherwise start a second, empty repo on the hub and stop
 * hearing the first one's statuses. It refuses instead, until `repo:` in `.custodian.yml` says
 * which name the team keeps: a name written there is the team's choice and is never refused.
 */
const NAME = 'slug';

export function refuseRenamedSlug(repo: Repo): void {
  if (repo.config.repo !== undefined) return;
  const record = readCloneRecord(repo.gitDir, NAME);
  const settled = record?.text.trim();
  if (!record || !settled || settled === repo.slug) return;
  throw new UserError(
    `this clone has synced with its hub as repo '${settled}', but its slug is now '${repo.slug}' (the owner and name of the remote ` +
      `its main line tracks): nothing reconciled, nothing written. To keep the hub's tasks, put "repo: ${settled}" in .custodian.yml ` +
      `(every clone that pulls it syncs as '${settled}'); to sync as '${repo.slug}' from now on (a fork's clone joining its team's repo), ` +
      `delete ${record.file}`,
    1,
  );
}

export function rememberCloneSlug(repo: Repo): void {
  writeCloneRecord(repo.gitDir, NAME, `${repo.slug}\n`);
}
