import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeJsonFile } from './json-file.js';
import type { Rewrite } from '../hub/types.js';

/**
 * Rewrite records the hub did not take (it was down while post-rewrite ran), kept in the clone
 * until a run delivers them. Dropped, the rebased writeback they describe would later look like
 * news, and rank could undo a change made in the hub meanwhile (DESIGN.md, "Rules v2", 4).
 *
 * One file a record: post-rewrite keeps records without the run lock (a hub that is down must not
 * keep it waiting), while a run holding it takes delivered ones out. Had both read, changed and
 * written back one file, a record kept between a run's read and its write would be lost (it was:
 * `test/outbox.test.ts`). Writing a record's own file and removing a delivered one's touch nothing
 * the other side writes.
 */
const folder = (gitDir: string) => path.join(gitDir, 'custodian-hooks', 'outbox');
/** Where versions before one file a record kept them all (and still do, while one runs beside this): read, and emptied by a run. */
const oneFile = (gitDir: string) => path.join(gitDir, 'custodian-hooks', 'outbox.json');
/** That file, taken by a run to give each of its records a file of its own. */
const CLAIMED = /^outbox\.json\.\d+\.claimed$/;
const key = (r: Rewrite) => `${r.old}-${r.new}`;
const COMMIT_PAIR = /^[0-9a-f]{40}(?:[0-9a-f]{24})?-[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

function isRewrite(value: unknown): value is Rewrite {
  const r = value as Rewrite;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.old === 'string' &&
    typeof r.new === 'string' &&
    Array.isArray(r.changed) &&
    r.changed.every((id) => typeof id === 'string') &&
    COMMIT_PAIR.test(key(r))
  );
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Every record waiting, once each; one a crash cut short or an edit spoilt is skipped alone. */
export function readOutbox(gitDir: string): Rewrite[] {
  let names: string[];
  try {
    names = readdirSync(folder(gitDir))
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch {
    names = [];
  }
  const own = names.map((name) => readJson(path.join(folder(gitDir), name)));
  const older = [oneFile(gitDir), ...claimedFiles(gitDir)].map(readJson).flatMap((value) => (Array.isArray(value) ? value : []));
  const kept = new Map([...own, ...older].filter(isRewrite).map((r) => [key(r), r]));
  return [...kept.values()];
}

/** The one file older versions keep, as runs took it; one a run that crashed left is read still. */
function claimedFiles(gitDir: string): string[] {
  try {
    const dir = path.dirname(oneFile(gitDir));
    return readdirSync(dir)
      .filter((name) => CLAIMED.test(name))
      .map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

/** Keeps `rewrites` until the hub has them, each in its own file (the same record twice is one). */
export function keepInOutbox(gitDir: string, rewrites: readonly Rewrite[]): void {
  for (const r of rewrites) if (isRewrite(r)) writeJsonFile(path.join(folder(gitDir), `${key(r)}.json`), r);
}

/**
 * Takes what the hub has now accepted out of the outbox, leaving anything a hook added meanwhile.
 * Called under the run lock. The one file an older version keeps is first moved aside, so that
 * such a version's post-rewrite, writing it beside this run, makes a new one rather than
 * losing its record to ours; each record still waiting in what was moved gets a file of its own.
 */
export function deliveredFromOutbox(gitDir: string, delivered: readonly Rewrite[]): void {
  const sent = new Set(delivered.filter(isRewrite).map(key));
  try {
    renameSync(oneFile(gitDir), `${oneFile(gitDir)}.${process.pid}.claimed`);
  } catch {
    // None to take.
  }
  for (const file of claimedFiles(gitDir)) {
    const old = readJson(file);
    keepInOutbox(
      gitDir,
      (Array.isArray(old) ? old : []).filter((r) => isRewrite(r) && !sent.has(key(r))),
    );
    rmSync(file, { force: true });
  }
  for (const name of sent) rmSync(path.join(folder(gitDir), `${name}.json`), { force: true });
}
