/**
 * The little a store needs from a SQL database. Statements use `?` placeholders; the PostgreSQL
 * driver numbers them. A transaction hands its callback a driver bound to that transaction.
 */
export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  /** How many requests the hub lets at this database at once: its connection pool, or a few for SQLite. */
  readonly slots: number;
  all<T>(sql: Statement, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; returns how many rows it changed. */
  run(sql: Statement, params?: readonly unknown[]): Promise<number>;
  /** Runs `fn` in one transaction, serialised with every other writer of the database. */
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A statement of fixed text that runs on nearly every request: PostgreSQL parses and plans it
 * once per connection, under `name`, instead of on every call. SQLite prepares every statement anyway.
 */
export interface NamedStatement {
  name: string;
  text: string;
}

export type Statement = string | NamedStatement;

export const statementText = (sql: Statement): string => (typeof sql === 'string' ? sql : sql.text);
