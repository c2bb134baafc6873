import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RecordedPoint, Rewrite, RunRecord, SyncBatch, SyncPoint } from '../hub/types.js';
import type { RepoPlace } from '../repo.js';
import { forgetDriverPoints } from './driver-points.js';
import { hubIdentity, settledHub } from './hub.js';
import { writeJsonFile } from './json-file.js';
import { appendJsonLines, readJsonLines, writeJsonLines } from './json-lines.js';

/**
 * The records this clone has sent and the hub took (DESIGN.md, "Rules v2", 3): rules 2 and 3
 * read them beside the hub's, so the hub's retention, a restore from a backup or a busy team
 * cannot take away what this clone already knows. Bounded like the hub's own.
 *
 * Runs and rewrites are few and sit in `records.json`. Points are one a task a run (10,000 after
 * a first sync): they are appended to `points.jsonl`, a line each, and read only by a run that
 * needs them (the hub says it dropped some), so a hook does not read and rewrite megabytes on
 * every pull.
 *
 * They are records of one hub's, for one repo on it (`OwnScope`): a clone that moves to another
 * hub (from the embedded store to a team's) starts them anew, as its old points' status versions
 * and runs say nothing of the new hub's, and read beside them would look like a restore.
 */
export interface OwnRecords {
  /** Where they were sent. */
  scope: OwnScope;
  /** The clone holds records of another scope, so none were read: the merge driver's notes are not either. */
  ofAnother: boolean;
  /** Filled by `readOwnPoints` when a run needs them; empty otherwise. */
  points: Record<string, SyncPoint[]>;
  runs: RunRecord[];
  rewrites: Rewrite[];
}

const POINTS_KEPT = 8;
const RUNS_KEPT = 64;
const REWRITES_KEPT = 512;
/** Past this size the points log is rewritten with only the points it keeps. */
const LOG_BYTES = 8 * 1024 * 1024;

const dir = (gitDir: string) => path.join(gitDir, 'custodian-hooks');
const recordsFile = (gitDir: string) => path.join(dir(gitDir), 'records.json');
const pointsFile = (gitDir: string) => path.join(dir(gitDir), 'points.jsonl');
/** The size of the log the last compaction kept. */
const keptFile = (gitDir: string) => `${pointsFile(gitDir)}.kept`;
const noPoints = (): OwnRecords['points'] => Object.create(null);

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const isPoint = (x: unknown): x is SyncPoint =>
  isObject(x) && typeof x.seq === 'number' && typeof x.commit === 'string' && typeof x.origin === 'string' && typeof x.status === 'string';
const isRun = (x: unknown): x is RunRecord =>
  isObject(x) && typeof x.commit === 'string' && typeof x.machine === 'string' && typeof x.at === 'string' && Array.isArray(x.skipped);
/** A rewrite record read back from a file the clone keeps. */
export const isRewrite = (x: unknown): x is Rewrite => isObject(x) && typeof x.old === 'string' && typeof x.new === 'string' && Array.isArray(x.changed);

/** The hub (see hubIdentity) and the repo on it that a clone's records were sent to. */
export interface OwnScope {
  hub: string;
  repo: string;
  /** Whether records from a version before scopes are this hub's: the clone settled with it (not with the embedded store alone). */
  legacy: boolean;
}

/** The scope of the records the clone at `place` sends to the hub at `location`. */
export function ownScope(place: RepoPlace & { slug: string }, location: string): OwnScope {
  const hub = hubIdentity(location);
  return { hub, repo: place.slug, legacy: settledHub(place) === hub };
}

/**
 * Whether the clone's records are of another scope than `scope` (another hub or repo): then none is
 * read, nor the merge driver's notes. Records from a version before scopes are read as the hub's
 * the clone settled with; a clone with no records yet has none of another.
 */
function ofAnother(gitDir: string, records: Record<string, unknown> | null, scope: OwnScope): boolean {
  const kept = records && isObject(records.scope) ? records.scope : null;
  if (kept) return kept.hub !== scope.hub || kept.repo !== scope.repo;
  return (records !== null || existsSync(pointsFile(gitDir))) && !scope.legacy;
}

/** What `records.json` keeps of a scope. */
const scopeKept = ({ hub, repo }: OwnScope) => ({ hub, repo });

/** `records.json` as it is, or null; a file edited by hand or left by another version is read only where it has the shape. */
function readRecordsFile(gitDir: string): Record<string, unknown> | null {
  try {
    const parsed = JSON.parse(readFileSync(recordsFile(gitDir), 'utf8')) as unknown;
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** Points kept in `records.json` by versions before the log: each task's list, as it has the shape. */
function legacyPoints(records: Record<string, unknown> | null): OwnRecords['points'] {
  const points = noPoints();
  const lists = records && isObject(records.points) ? records.points : {};
  for (const [id, list] of Object.entries(lists)) if (Array.isArray(list)) points[id] = list.filter(isPoint);
  return points;
}

/** The runs and rewrites this clone sent to `scope`; its points wait for `readOwnPoints`. */
export function readOwnRecords(gitDir: string, scope: OwnScope): OwnRecords {
  const found = readRecordsFile(gitDir);
  const another = ofAnother(gitDir, found, scope);
  const records = another ? null : found;
  return {
    scope,
    ofAnother: another,
    points: noPoints(),
    runs: Array.isArray(records?.runs) ? records.runs.filter(isRun) : [],
    rewrites: Array.isArray(records?.rewrites) ? records.rewrites.filter(isRewrite) : [],
  };
}

/** Every task's points this clone sent, the newest `POINTS_KEPT` of each, oldest first; none where its records are of another scope. */
export function readOwnPoints(gitDir: string, { ofAnother }: Pick<OwnRecords, 'ofAnother'>): OwnRecords['points'] {
  return ofAnother ? noPoints() : readLog(gitDir, legacyPoints(readRecordsFile(gitDir)));
}

/** The log's points added to `points`, each task's list cut to the newest `POINTS_KEPT`. */
function readLog(gitDir: string, points: OwnRecords['points']): OwnRecords['points'] {
  for (const entry of readJsonLines(pointsFile(gitDir))) {
    // A line edited by hand is skipped alone.
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !isPoint(entry[1])) continue;
    const list = [...(points[entry[0]] ?? []), entry[1]];
    points[entry[0]] = list.length > POINTS_KEPT ? list.slice(-POINTS_KEPT) : list;
  }
  return points;
}

/**
 * Adds what a batch the hub took carried, with the seq and status version the hub gave each point:
 * its points to the log, its run and rewrites to `records` (what the run read at its start: it
 * holds the run lock, so no one else wrote them since) and to `records.json`, marked as records of
 * their scope. Records of another scope are let go first.
 */
export function keepOwnRecords(gitDir: string, records: OwnRecords, batch: SyncBatch, receipts: readonly RecordedPoint[], at: string): void {
  const { scope } = records;
  const receiptOf = new Map(receipts.map((r) => [r.id, r]));
  const lines = batch.changes.flatMap((change) => {
    const receipt = receiptOf.get(change.id);
    return change.point && receipt ? [[change.id, { ...change.point, at, seq: receipt.seq, statusVersion: receipt.statusVersion }]] : [];
  });
  const before = readRecordsFile(gitDir);
  const another = ofAnother(gitDir, before, scope);
  if (another) {
    // Marked first: a run cut short after this reads the new scope, never the old records as its.
    writeJsonFile(recordsFile(gitDir), { scope: scopeKept(scope), runs: [], rewrites: [] });
    writeJsonLines(pointsFile(gitDir), []);
    rmSync(keptFile(gitDir), { force: true });
    forgetDriverPoints(gitDir);
  }
  // Points a version before the log kept in records.json move to the log before that file is rewritten without them.
  const moved = another ? [] : Object.entries(legacyPoints(before)).flatMap(([id, list]) => list.map((p) => [id, p]));
  if (moved.length + lines.length > 0) {
    appendJsonLines(pointsFile(gitDir), [...moved, ...lines]);
    compactWhenLarge(gitDir);
  }
  const marked = another || isObject(before?.scope);
  if (!batch.run && !batch.rewrites && moved.length === 0 && marked) return;
  if (batch.run) records.runs = [...records.runs, { ...batch.run, machine: batch.by, at }].slice(-RUNS_KEPT);
  if (batch.rewrites) {
    // A record sent again (post-rewrite's, kept later by a run) is kept once, where it first was.
    const kept = new Set(records.rewrites.map((r) => `${r.old} ${r.new}`));
    records.rewrites = [...records.rewrites, ...batch.rewrites.filter((r) => !kept.has(`${r.old} ${r.new}`))].slice(-REWRITES_KEPT);
  }
  writeJsonFile(recordsFile(gitDir), { scope: scopeKept(scope), runs: records.runs, rewrites: records.rewrites });
}

/**
 * The log, rewritten with only the points it keeps once it has grown past `LOG_BYTES` and twice
 * what the last compaction kept (kept beside it): a log whose kept points alone are large is not
 * rewritten on every run.
 */
function compactWhenLarge(gitDir: string): void {
  const file = pointsFile(gitDir);
  const keptBefore = Number(readFileSafe(keptFile(gitDir))) || 0;
  if (statSync(file).size <= Math.max(LOG_BYTES, 2 * keptBefore)) return;
  const kept = writeJsonLines(
    file,
    Object.entries(readLog(gitDir, noPoints())).flatMap(([id, list]) => list.map((p) => [id, p])),
  );
  writeFileSync(keptFile(gitDir), String(kept));
}

/** The file's text; empty when it cannot be read (there is none yet). */
function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
