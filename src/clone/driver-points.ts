import path from 'node:path';
import { COMMIT_ID } from '../git/commit-id.js';
import { DRIVER_POINTS_KEPT } from '../hub/retention.js';
import type { DriverPoint } from '../hub/types.js';
import { isStatus } from '../status.js';
import { appendJsonLines, readJsonLines, writeJsonLines } from './json-lines.js';

/**
 * This clone's own copy of the hub values its merge driver took (see DriverPoint): it stands
 * while the hub is down or has not kept them. A record older than this is dropped: the run that
 * needed it has long come.
 */
export const DRIVER_POINT_KEPT_MS = 30 * 24 * 60 * 60 * 1000;

const file = (gitDir: string) => path.join(gitDir, 'custodian-hooks', 'driver-points.jsonl');

const isDriverPoint = (x: unknown): x is DriverPoint => {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    isStatus(r.status) &&
    Number.isInteger(r.statusVersion) &&
    // A commit id, never a name git would read as a ref or an option.
    typeof r.parent === 'string' &&
    COMMIT_ID.test(r.parent) &&
    (r.theirs === undefined || (typeof r.theirs === 'string' && COMMIT_ID.test(r.theirs))) &&
    typeof r.at === 'string' &&
    !Number.isNaN(Date.parse(r.at))
  );
};

/** The records kept, oldest first; a line cut short or edited by hand is skipped alone, and so is one past its age. */
export function readDriverPoints(gitDir: string, now = Date.now()): DriverPoint[] {
  return readJsonLines(file(gitDir))
    .filter((entry): entry is DriverPoint => isDriverPoint(entry) && now - Date.parse(entry.at) < DRIVER_POINT_KEPT_MS)
    .slice(-DRIVER_POINTS_KEPT);
}

/** Adds `points`; the file is rewritten with only the records it keeps once it holds more than that. */
export function keepDriverPoints(gitDir: string, points: readonly DriverPoint[], now = Date.now()): void {
  if (points.length === 0) return;
  if (readJsonLines(file(gitDir)).length + points.length <= DRIVER_POINTS_KEPT) appendJsonLines(file(gitDir), points);
  else writeJsonLines(file(gitDir), [...readDriverPoints(gitDir, now), ...points].slice(-DRIVER_POINTS_KEPT));
}

/** Lets every note go: they were of a hub the clone no longer syncs with (see keepOwnRecords). */
export function forgetDriverPoints(gitDir: string): void {
  writeJsonLines(file(gitDir), []);
}
