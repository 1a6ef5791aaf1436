import type BetterSqlite3 from 'better-sqlite3';

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/**
 * The little of SQL the stores need, asynchronous so that a network database (PostgreSQL in
 * cluster mode) and the embedded one (SQLite) sit behind the same stores. Statements use `?`
 * placeholders and SQL both engines understand; integers come back as numbers, binary columns
 * as Buffers.
 */
export interface Sql {
  readonly dialect: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * Everything inside must go through `tx`. Resolves only after the commit.
   */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * Runs `work` holding a lock named `key` across every process sharing the database (seeding
   * a demo workspace exactly once, migrations). The embedded store has one process: no-op.
   */
  lock<T>(key: string, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * SQLite through better-sqlite3 (synchronous underneath). A transaction spans awaits, so
 * statements from outside it wait until it has ended instead of slipping into it.
 */
export class SqliteSql implements Sql {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private active: Promise<void> | null = null;
  private readonly inside: Sql;

  constructor(readonly db: BetterSqlite3.Database) {
    const direct = {
      all: <T>(sql: string, params: readonly SqlValue[] = []) =>
        Promise.resolve(this.prepare(sql).all(...params) as T[]),
      get: <T>(sql: string, params: readonly SqlValue[] = []) =>
        Promise.resolve(this.prepare(sql).get(...params) as T | undefined),
      run: (sql: string, params: readonly SqlValue[] = []) =>
        Promise.resolve(this.prepare(sql).run(...params).changes),
    };
    this.inside = {
      dialect: 'sqlite',
      ...direct,
      transaction: (work) => work(this.inside),
      lock: (_key, work) => work(),
      close: () => Promise.reject(new Error('close() inside a transaction')),
    };
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    while (this.active) await this.active;
    return this.prepare(sql).all(...params) as T[];
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    while (this.active) await this.active;
    return this.prepare(sql).get(...params) as T | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    while (this.active) await this.active;
    return this.prepare(sql).run(...params).changes;
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    while (this.active) await this.active;
    let end!: () => void;
    this.active = new Promise<void>((resolve) => (end = resolve));
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = await work(this.inside);
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    } finally {
      this.active = null;
      end();
    }
  }

  lock<T>(_key: string, work: () => Promise<T>): Promise<T> {
    return work();
  }

  async close(): Promise<void> {
    while (this.active) await this.active;
    this.db.close();
  }

  private prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
