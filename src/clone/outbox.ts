import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { COMMIT_ID } from '../git/commit-id.js';
import { writeJsonFile } from './json-file.js';
import { isRewrite } from './own-records.js';
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
/**
 * Where versions before one file a record kept them all (and still do, while one runs beside
 * this), and that file as a run took it aside to give each record a file of its own: read, and
 * emptied by a run. One a run that crashed left aside is read still.
 */
const OLDER = /^outbox\.json(?:\.\d+\.claimed)?$/;
const key = (r: Rewrite) => `${r.old}-${r.new}`;
/** A record whose commit ids can name its file. */
const keepable = (r: unknown): r is Rewrite => isRewrite(r) && COMMIT_ID.test(r.old) && COMMIT_ID.test(r.new);

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** The files of `dir` whose names pass `wanted`, by full path, sorted; none without the folder. */
function filesIn(dir: string, wanted: (name: string) => boolean): string[] {
  try {
    return readdirSync(dir)
      .filter(wanted)
      .sort()
      .map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

const olderFiles = (gitDir: string) => filesIn(path.join(gitDir, 'custodian-hooks'), (name) => OLDER.test(name));

/** Every record waiting, once each; one a crash cut short or an edit spoilt is skipped alone. */
export function readOutbox(gitDir: string): Rewrite[] {
  const own = filesIn(folder(gitDir), (name) => name.endsWith('.json')).map(readJson);
  const older = olderFiles(gitDir)
    .map(readJson)
    .flatMap((value) => (Array.isArray(value) ? value : []));
  const kept = new Map([...own, ...older].filter(keepable).map((r) => [key(r), r]));
  return [...kept.values()];
}

/** Keeps `rewrites` until the hub has them, each in its own file (the same record twice is one). */
export function keepInOutbox(gitDir: string, rewrites: readonly Rewrite[]): void {
  for (const r of rewrites) if (keepable(r)) writeJsonFile(path.join(folder(gitDir), `${key(r)}.json`), r);
}

/**
 * Takes what the hub has now accepted out of the outbox, leaving anything a hook added meanwhile.
 * Called under the run lock. The one file an older version keeps is first moved aside, so that
 * such a version's post-rewrite, writing it beside this run, makes a new one rather than
 * losing its record to ours; each record still waiting in what was moved gets a file of its own.
 */
export function deliveredFromOutbox(gitDir: string, delivered: readonly Rewrite[]): void {
  const sent = new Set(delivered.filter(keepable).map(key));
  const oneFile = path.join(gitDir, 'custodian-hooks', 'outbox.json');
  try {
    renameSync(oneFile, `${oneFile}.${process.pid}.claimed`);
  } catch {
    // None to take.
  }
  for (const file of olderFiles(gitDir).filter((f) => f !== oneFile)) {
    const old = readJson(file);
    keepInOutbox(
      gitDir,
      (Array.isArray(old) ? old : []).filter((r) => keepable(r) && !sent.has(key(r))),
    );
    rmSync(file, { force: true });
  }
  for (const name of sent) rmSync(path.join(folder(gitDir), `${name}.json`), { force: true });
}
