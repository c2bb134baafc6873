import { workplanPathspec, writeHookState } from '../hook-state.js';
import type { Repo } from '../repo.js';
import type { Report } from '../report.js';

/**
 * Leaves the hooks' fast path what a settled fix run established, or takes it away. `hub` is the
 * configured location as the fast path compares it, credentials and all.
 */
export function rememberSettled(repo: Repo, hub: string, report: Report): void {
  if (report.mode !== 'fix') return;
  const settled = report.settled;
  writeHookState(
    repo.gitDir,
    settled ? { head: settled.head, etag: settled.etag, hub, slug: repo.slug, pathspec: workplanPathspec(repo.config.workplans) } : null,
  );
}
