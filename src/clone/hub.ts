import { UserError } from '../errors.js';
import { hubKey, inRepo, redactLocation, type HubChoice } from '../hub/location.js';
import type { RepoPlace } from '../repo.js';
import { readCloneRecord, writeCloneRecord } from './clone-record.js';

/**
 * The shared hub a clone has settled with, in `.git/custodian-hooks/hub` (one for all its worktrees). A clone that finds
 * another hub (a shell or GUI client without CUSTODIAN_HUB falling back to the embedded store, a
 * typo, a moved hub) refuses rather than reconcile its files with a second set of statuses.
 * Kept without credentials: a new password is the same hub. The embedded store is not recorded:
 * moving from it to a shared hub is how a team adopts one.
 */
const NAME = 'hub';
/** A hub as a clone names the one it settled with: without credentials, the scheme and host in lower case. */
export const hubIdentity = (location: string) => hubKey(redactLocation(location));

/** The hub the clone at `place` settled with (see refuseAnotherHub), or null: none recorded, or only the embedded store. */
export function settledHub(place: RepoPlace): string | null {
  const settled = readCloneRecord(place.gitDir, NAME)?.text.trim();
  return settled ? hubKey(inRepo(settled, place.top)) : null;
}

/**
 * Refuses a hub other than the one the clone at `place` settled with. A record an older version
 * wrote may name a relative SQLite file or spell a URL in other letters: read as this version
 * reads a location, it is the same hub.
 */
export function refuseAnotherHub(place: RepoPlace, choice: HubChoice): void {
  const { gitDir } = place;
  const settled = settledHub(place);
  if (settled === null || settled === hubIdentity(choice.location)) return;
  const now =
    choice.source === 'embedded' ? 'the embedded store (no CUSTODIAN_HUB, no hub in .custodian.yml)' : `${hubIdentity(choice.location)} (${choice.source})`;
  throw new UserError(
    `this clone has synced with hub ${settled}, but the hub now is ${now}: nothing reconciled, nothing written. ` +
      `Set the hub back, or if the team has moved hubs, delete ${readCloneRecord(gitDir, NAME)?.file}`,
    1,
  );
}

export function rememberCloneHub(gitDir: string, choice: HubChoice): void {
  if (choice.source !== 'embedded') writeCloneRecord(gitDir, NAME, `${hubIdentity(choice.location)}\n`);
}
