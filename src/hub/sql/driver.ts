/**
 * The little a store needs from a SQL database. Statements use `?` placeholders; the PostgreSQL
 * driver numbers them. A transaction hands its callback a driver bound to that transaction.
 */
export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  /** How many requests the hub lets at this database at once: its connection pool, or a few for SQLite. */
  readonly slots: number;
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; returns how many rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs `fn` in one transaction, serialised with every other writer of the database. */
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
