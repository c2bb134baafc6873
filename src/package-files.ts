import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A file shipped with the package (hooks/, templates/, package.json), found from wherever this
 * code runs: compiled one file per module under dist/src, or bundled under dist/bundle.
 */
export function packageFile(relative: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`custodian-hooks: cannot find its own package (looking for ${relative})`);
    dir = parent;
  }
  return path.join(dir, relative);
}
