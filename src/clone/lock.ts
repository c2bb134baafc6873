import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { link, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readTextOrNull } from '../read-if-exists.js';

const STALE_MS = 10 * 60 * 1000;
/** A reaper holds its lock for a stat and an unlink: one older than this died there. */
const REAPER_DIED_MS = 10 * 1000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's text; null when there is none, undefined when it cannot be read. */
const readLock = (file: string) => readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : undefined));

/**
 * One fix run per working tree at a time. Returns a release function, or null when another live
 * run holds the lock. A lock left by a dead process, or older than ten minutes, is taken over.
 *
 * A lock is whole when it appears (written aside, then linked into place), and names its holder
 * with a token of its own, so a run that judged a lock stale removes that lock and never the one
 * another run took over in the meantime.
 */
export async function acquireRunLock(gitDir: string): Promise<(() => Promise<void>) | null> {
  const file = path.join(gitDir, 'custodian-hooks.lock');
  const mine = `${process.pid} ${randomUUID()}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await create(file, mine)) {
      const ours = () => readTextOrNull(file) === mine;
      // Ended by the hook's deadline (process.exit), the run leaves no lock to wait out.
      const drop = () => ours() && rmSync(file, { force: true });
      process.once('exit', drop);
      return async () => {
        process.off('exit', drop);
        drop();
      };
    }
    const held = await readLock(file);
    // Released between the two calls: free to take now.
    if (held === null) continue;
    // Whose it is cannot be told: not taken.
    if (held === undefined) return null;
    const pid = Number(held.split(' ')[0]);
    const age =
      Date.now() -
      (await stat(file).then(
        (s) => s.mtimeMs,
        () => Date.now(),
      ));
    if (age < STALE_MS && pid > 0 && alive(pid)) return null;
    await reap(file, held);
  }
  return null;
}

/** Puts the lock in place whole, unless one is there. */
async function create(file: string, content: string): Promise<boolean> {
  const aside = `${file}.${randomUUID()}`;
  await writeFile(aside, content, { flag: 'wx' });
  try {
    await link(aside, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(aside, { force: true });
  }
}

/** Removes the lock judged stale if it is still that one: one reaper at a time, so none removes a lock another just took. */
async function reap(file: string, judged: string): Promise<void> {
  const reaper = `${file}.reap`;
  try {
    await (await open(reaper, 'wx')).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age =
      Date.now() -
      (await stat(reaper).then(
        (s) => s.mtimeMs,
        () => Date.now(),
      ));
    if (age > REAPER_DIED_MS) await rm(reaper, { force: true });
    return;
  }
  try {
    if ((await readLock(file)) === judged) await rm(file, { force: true });
  } finally {
    await rm(reaper, { force: true });
  }
}
