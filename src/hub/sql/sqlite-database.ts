import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UserError } from '../../errors.js';

/**
 * A better-sqlite3 database with its native addon named outright. The package's JavaScript is
 * bundled (a hook pays for every file it loads from node_modules), and better-sqlite3 left to
 * itself finds the addon through `bindings`, which guesses the package folder from call stacks
 * and guesses wrong inside a bundle.
 */
export function openDatabase(file: string, options: Database.Options = {}): Database.Database {
  const nativeBinding = addonFile();
  try {
    return new Database(file, { ...options, nativeBinding });
  } catch (error) {
    // A build for another Node.js (node upgraded after npm install) fails to load, not to open.
    if ((error as { code?: unknown }).code === 'ERR_DLOPEN_FAILED') throw addonMissing(`${nativeBinding} does not load (${firstLine(error)})`, error);
    throw error;
  }
}

let addon: string | undefined;
function addonFile(): string {
  if (!addon) {
    const build = path.join(path.dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build');
    const kinds = ['Release', 'Debug'].map((kind) => path.join(build, kind, 'better_sqlite3.node'));
    addon = kinds.find((f) => existsSync(f));
    // Left to `bindings`, a missing build failed with "__filename is not defined" from inside the bundle.
    if (!addon) throw addonMissing(`it is not built (no ${kinds.join(' or ')})`);
  }
  return addon;
}

const firstLine = (error: unknown) => String(error instanceof Error ? error.message : error).split('\n')[0];

function addonMissing(why: string, cause?: unknown): UserError {
  return new UserError(
    `the SQLite hub needs better-sqlite3's native addon, and ${why}: run \`npm rebuild better-sqlite3\` with this Node.js (a C++ toolchain may be needed), or name an HTTP or postgres:// hub`,
    1,
    { cause },
  );
}
