import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { SqlDriver } from './driver.js';
import { openDatabase } from './sqlite-database.js';

/**
 * better-sqlite3 is synchronous, but store code awaits between statements; a promise chain keeps
 * two transactions on this connection from interleaving. Other processes wait on SQLite's lock.
 */
export function openSqlite(file: string): SqlDriver {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = openDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  let queue: Promise<unknown> = Promise.resolve();

  const direct: SqlDriver = {
    dialect: 'sqlite',
    async all<T>(sql: string, params: readonly unknown[] = []) {
      const statement = prepare(sql);
      if (statement.reader) return statement.all(...params) as T[];
      statement.run(...params);
      return [];
    },
    async run(sql, params = []) {
      return prepare(sql).run(...params).changes;
    },
    transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
      const result = queue.then(async () => {
        prepare('BEGIN IMMEDIATE').run();
        try {
          const value = await fn(direct);
          prepare('COMMIT').run();
          return value;
        } catch (error) {
          if (db.inTransaction) prepare('ROLLBACK').run();
          throw error;
        }
      });
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      await queue;
      db.close();
    },
  };
  return direct;
}
