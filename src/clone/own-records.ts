import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RecordedPoint, Rewrite, RunRecord, SyncBatch, SyncPoint } from '../hub/types.js';
import { writeJsonFile } from './json-file.js';

/**
 * The records this clone has sent and the hub took (DESIGN.md, "Rules v2", 3): rules 2 and 3
 * read them beside the hub's, so the hub's retention, a restore from a backup or a busy team
 * cannot take away what this clone already knows. Bounded like the hub's own.
 */
export interface OwnRecords {
  points: Record<string, SyncPoint[]>;
  runs: RunRecord[];
  rewrites: Rewrite[];
}

const POINTS_KEPT = 8;
const RUNS_KEPT = 64;
const REWRITES_KEPT = 512;

const file = (gitDir: string) => path.join(gitDir, 'custodian-hooks', 'records.json');
const none = (): OwnRecords => ({ points: Object.create(null), runs: [], rewrites: [] });

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const isPoint = (x: unknown): x is SyncPoint =>
  isObject(x) && typeof x.seq === 'number' && typeof x.commit === 'string' && typeof x.origin === 'string' && typeof x.status === 'string';
const isRun = (x: unknown): x is RunRecord => isObject(x) && typeof x.commit === 'string' && typeof x.at === 'string' && Array.isArray(x.skipped);
const isRewrite = (x: unknown): x is Rewrite => isObject(x) && typeof x.old === 'string' && typeof x.new === 'string' && Array.isArray(x.changed);

export function readOwnRecords(gitDir: string): OwnRecords {
  try {
    const parsed = JSON.parse(readFileSync(file(gitDir), 'utf8')) as Record<string, unknown> | null;
    if (!parsed || typeof parsed !== 'object') return none();
    // A file edited by hand or left by another version: what does not have the shape is not read.
    const points: OwnRecords['points'] = Object.create(null);
    for (const [id, list] of Object.entries(typeof parsed.points === 'object' && parsed.points ? parsed.points : {})) {
      if (Array.isArray(list)) points[id] = list.filter(isPoint);
    }
    return {
      points,
      runs: Array.isArray(parsed.runs) ? parsed.runs.filter(isRun) : [],
      rewrites: Array.isArray(parsed.rewrites) ? parsed.rewrites.filter(isRewrite) : [],
    };
  } catch {
    return none();
  }
}

/**
 * Adds what a batch the hub took carried, with the seq and status version the hub gave each point,
 * to `records` (what the run read at its start: it holds the run lock, so no one else wrote them
 * since) and to the file. Not read again: at 10,000 tasks the file is 2 MB of JSON.
 */
export function keepOwnRecords(gitDir: string, records: OwnRecords, batch: SyncBatch, receipts: readonly RecordedPoint[], at: string): void {
  const receiptOf = new Map(receipts.map((r) => [r.id, r]));
  for (const change of batch.changes) {
    const receipt = receiptOf.get(change.id);
    if (!change.point || !receipt) continue;
    const kept = [...(records.points[change.id] ?? []), { ...change.point, at, seq: receipt.seq, statusVersion: receipt.statusVersion }];
    records.points[change.id] = kept.slice(-POINTS_KEPT);
  }
  if (batch.run) records.runs = [...records.runs, { ...batch.run, machine: batch.by, at }].slice(-RUNS_KEPT);
  if (batch.rewrites) records.rewrites = [...records.rewrites, ...batch.rewrites].slice(-REWRITES_KEPT);
  writeJsonFile(file(gitDir), records);
}
