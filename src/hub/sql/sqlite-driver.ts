import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { breather } from '../breather.js';
import { HubBusyError } from '../types.js';
import { type SqlDriver, type Statement, statementText } from './driver.js';
import { openDatabase } from './sqlite-database.js';

/**
 * better-sqlite3 is synchronous, but store code awaits between statements; a promise chain keeps
 * two transactions on this connection from interleaving. Other processes wait on SQLite's lock.
 *
 * A long transaction (a batch of tens of thousands of changes) lets the event loop turn between
 * statements, so the server goes on answering; statements outside a transaction wait their turn
 * in the chain, so they never read another's uncommitted rows. A transaction still commits whole
 * or not at all.
 */
export function openSqlite(file: string, { readOnly = false } = {}): SqlDriver {
  if (readOnly) {
    // Check mode: a file that is there, read as it is; no folder or schema change. Opened for
    // writing but refusing every write: a read-only connection would leave WAL files behind it.
    const db = openDatabase(file, { fileMustExist: true });
    db.pragma('query_only = ON');
    return driverOver(db, 'BEGIN');
  }
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = openDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return driverOver(db, 'BEGIN IMMEDIATE');
}

/** Statements prepared once and run synchronously; a write lock held past busy_timeout is a busy hub. */
function statementsOf(db: Database.Database) {
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const execute = <T>(work: () => T): T => {
    try {
      return work();
    } catch (error) {
      // Another process held the write lock past busy_timeout.
      if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new HubBusyError('the SQLite database is locked by another process', { cause: error });
      throw error;
    }
  };
  const all = <T>(sql: Statement, params: readonly unknown[]) =>
    execute(() => {
      const statement = prepare(statementText(sql));
      if (statement.reader) return statement.all(...params) as T[];
      statement.run(...params);
      return [];
    });
  const run = (sql: Statement, params: readonly unknown[]) => execute(() => prepare(statementText(sql)).run(...params).changes);
  return { prepare, execute, all, run };
}

/** `begin`: IMMEDIATE takes the write lock up front; a reader's plain BEGIN reads one snapshot and never asks for it. */
function driverOver(db: Database.Database, begin: 'BEGIN' | 'BEGIN IMMEDIATE'): SqlDriver {
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const { prepare, execute, all, run } = statementsOf(db);

  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    queue = result.catch(() => undefined);
    return result;
  };

  let breathe = breather();

  const driver: SqlDriver = {
    dialect: 'sqlite',
    // One connection does one thing at a time; a few in flight keep it busy between them.
    slots: 4,
    all: (sql, params = []) => inTurn(async () => all(sql, params)),
    run: (sql, params = []) => inTurn(async () => run(sql, params)),
    transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
      return inTurn(async () => {
        execute(() => prepare(begin).run());
        breathe = breather();
        try {
          const value = await fn(tx);
          prepare('COMMIT').run();
          return value;
        } catch (error) {
          if (db.inTransaction) prepare('ROLLBACK').run();
          throw error;
        }
      });
    },
    async close() {
      await queue;
      db.close();
    },
  };
  const tx: SqlDriver = {
    ...driver,
    async all<T>(sql: Statement, params: readonly unknown[] = []) {
      await breathe();
      return all<T>(sql, params);
    },
    async run(sql, params = []) {
      await breathe();
      return run(sql, params);
    },
  };
  return driver;
}
