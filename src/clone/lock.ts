import { rmSync } from 'node:fs';
import { open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';

const STALE_MS = 10 * 60 * 1000;
/** A lock without a pid this young is one being written; older, one whose writer died first. */
const BEING_WRITTEN_MS = 5000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One fix run per working tree at a time. Returns a release function, or null when another live
 * run holds the lock. A lock left by a dead process, or older than ten minutes, is taken over.
 */
export async function acquireRunLock(gitDir: string): Promise<(() => Promise<void>) | null> {
  const file = path.join(gitDir, 'custodian-hooks.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      // Ended by the hook's deadline (process.exit), the run leaves no lock to wait out.
      const drop = () => rmSync(file, { force: true });
      process.once('exit', drop);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => {
        process.off('exit', drop);
        return rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : ''));
      // Released between the two calls: free to take now.
      if (text === null) continue;
      const pid = Number(text);
      const age =
        Date.now() -
        (await stat(file).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      // No pid yet: another run has just created it and is writing its pid.
      if (age < STALE_MS && (pid > 0 ? alive(pid) : age < BEING_WRITTEN_MS)) return null;
      await rm(file, { force: true });
    }
  }
  return null;
}
