import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isStatus, type Status } from '../status.js';

/**
 * A status line the merge driver settled with the hub's value: the commit the merge (or the
 * replayed commit) makes will sit on `parent` and hold `status`, the hub's value at
 * `statusVersion`. That is what a sync point asserts; no run records one when the pull ran
 * without hooks, so the clone keeps it and a later run turns it into a point (see
 * sync/driver-commits.ts).
 */
export interface DriverPoint {
  id: string;
  status: Status;
  statusVersion: number;
  /** HEAD when the driver ran: ours in a merge, the commit a replayed one sits on in a rebase. */
  parent: string;
  at: string;
}

/** A record older than this is dropped: the run that needed it has long come. */
const KEPT_MS = 30 * 24 * 60 * 60 * 1000;
const KEPT = 256;

const file = (gitDir: string) => path.join(gitDir, 'custodian-hooks', 'driver-points.jsonl');

const isDriverPoint = (x: unknown): x is DriverPoint => {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    isStatus(r.status) &&
    Number.isInteger(r.statusVersion) &&
    typeof r.parent === 'string' &&
    typeof r.at === 'string' &&
    !Number.isNaN(Date.parse(r.at))
  );
};

/** The records kept, oldest first; a line cut short or edited by hand is skipped alone, and so is one past its age. */
export function readDriverPoints(gitDir: string, now = Date.now()): DriverPoint[] {
  let text: string;
  try {
    text = readFileSync(file(gitDir), 'utf8');
  } catch {
    return [];
  }
  const points: DriverPoint[] = [];
  for (const line of text.split('\n')) {
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (isDriverPoint(entry) && now - Date.parse(entry.at) < KEPT_MS) points.push(entry);
  }
  return points.slice(-KEPT);
}

/** Adds `points`; the file is rewritten with only the records it keeps once it holds more than that. */
export function keepDriverPoints(gitDir: string, points: readonly DriverPoint[], now = Date.now()): void {
  if (points.length === 0) return;
  mkdirSync(path.dirname(file(gitDir)), { recursive: true });
  const before = readFileSync(file(gitDir), { encoding: 'utf8', flag: 'a+' });
  const lines = points.map((p) => `${JSON.stringify(p)}\n`).join('');
  const count = before.split('\n').filter(Boolean).length;
  if (count + points.length <= KEPT) {
    // A line a crash cut short is ended first, so that it does not swallow the next record.
    appendFileSync(file(gitDir), `${before === '' || before.endsWith('\n') ? '' : '\n'}${lines}`);
    return;
  }
  const kept = [...readDriverPoints(gitDir, now), ...points].slice(-KEPT);
  // Through a temp file and a rename, so a reader never sees half of it.
  const temp = `${file(gitDir)}.${process.pid}`;
  writeFileSync(temp, kept.map((p) => `${JSON.stringify(p)}\n`).join(''));
  renameSync(temp, file(gitDir));
}
