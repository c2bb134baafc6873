import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * A better-sqlite3 database with its native addon named outright. The package's JavaScript is
 * bundled (a hook pays for every file it loads from node_modules), and better-sqlite3 left to
 * itself finds the addon through `bindings`, which guesses the package folder from call stacks
 * and guesses wrong inside a bundle.
 */
export function openDatabase(file: string, options: Database.Options = {}): Database.Database {
  return new Database(file, { ...options, ...nativeBinding() });
}

let addon: { nativeBinding?: string } | undefined;
function nativeBinding(): { nativeBinding?: string } {
  if (!addon) {
    const build = path.join(path.dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build');
    const file = ['Release', 'Debug'].map((kind) => path.join(build, kind, 'better_sqlite3.node')).find((f) => existsSync(f));
    addon = file ? { nativeBinding: file } : {};
  }
  return addon;
}
