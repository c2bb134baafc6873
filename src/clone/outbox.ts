import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeJsonFile } from './json-file.js';
import type { Rewrite } from '../hub/types.js';

/**
 * Rewrite records the hub did not take (it was down while post-rewrite ran), kept in the clone
 * until a run delivers them. Dropped, the rebased writeback they describe would later look like
 * news, and rank could undo a change made in the hub meanwhile (DESIGN.md, "Rules v2", 4).
 */
const file = (gitDir: string) => path.join(gitDir, 'custodian-hooks', 'outbox.json');

export function readOutbox(gitDir: string): Rewrite[] {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file(gitDir), 'utf8'));
    return Array.isArray(parsed) ? (parsed as Rewrite[]) : [];
  } catch {
    return [];
  }
}

/** Keeps `rewrites` (with what waits already, once each) until the hub has them. */
export function keepInOutbox(gitDir: string, rewrites: readonly Rewrite[]): void {
  if (rewrites.length === 0) return;
  const kept = new Map([...readOutbox(gitDir), ...rewrites].map((r) => [`${r.old} ${r.new}`, r]));
  writeOutbox(gitDir, [...kept.values()]);
}

/** Takes what the hub has now accepted out of the outbox, leaving anything a hook added meanwhile. */
export function deliveredFromOutbox(gitDir: string, delivered: readonly Rewrite[]): void {
  const sent = new Set(delivered.map((r) => `${r.old} ${r.new}`));
  writeOutbox(
    gitDir,
    readOutbox(gitDir).filter((r) => !sent.has(`${r.old} ${r.new}`)),
  );
}

function writeOutbox(gitDir: string, rewrites: readonly Rewrite[]): void {
  writeJsonFile(file(gitDir), rewrites.length > 0 ? rewrites : null);
}
