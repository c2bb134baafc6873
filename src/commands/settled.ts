import { rememberCloneHub } from '../clone/hub.js';
import { rememberCloneSlug } from '../clone/slug.js';
import { configDigest, workplanPathspec, writeHookState } from '../hook/state.js';
import type { HubChoice } from '../hub/location.js';
import type { Repo } from '../repo.js';
import type { Report } from '../output/report.js';

/**
 * Leaves the hooks' fast path what a settled fix run established, or takes it away, and records
 * the hub the clone settled with. The hook state keeps the location as the fast path compares it,
 * credentials and all.
 */
export function rememberSettled(repo: Repo, hub: HubChoice, report: Report): void {
  if (report.mode !== 'fix') return;
  const settled = report.settled;
  if (settled) {
    rememberCloneHub(repo.gitDir, hub);
    rememberCloneSlug(repo);
  }
  writeHookState(
    repo.gitDir,
    settled
      ? {
          head: settled.head,
          etag: settled.etag,
          hub: hub.location,
          hubSource: hub.source,
          config: configDigest(repo.top),
          slug: repo.slug,
          pathspec: workplanPathspec(repo.config.workplans),
        }
      : null,
  );
}
