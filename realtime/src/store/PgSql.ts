import pg from 'pg';
import type { Logger } from '../logger.ts';
import type { Sql, SqlValue } from './sql.ts';
import { PG_MIGRATIONS } from './pgSchema.ts';

// BIGINT columns (epoch milliseconds, sequence numbers) as numbers: all stay below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** SQLSTATE classes and codes after which the same statement may simply be tried again. */
const TRANSIENT_CODES = new Set(['57P01', '57P02', '57P03', '40001', '40P01', '53300']);
const TRANSIENT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND']);

/** Did the database go away (restart, failover, network) rather than refuse the statement? */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (TRANSIENT_CODES.has(code) || TRANSIENT_ERRNO.has(code) || code.startsWith('08'))
      return true;
  }
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
    error.message,
  );
}

/** `?` placeholders to PostgreSQL's `$1, $2, ...` (our statements have no `?` in literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export interface PgOptions {
  connectionString: string;
  /** Connections per node. */
  max?: number;
  /** How long a statement or transaction is retried while the database is unreachable. */
  retryForMs?: number;
  logger: Logger;
}

/**
 * PostgreSQL through node-postgres: a pool, parametrised statements, migrations under an
 * advisory lock (several nodes may start at once), and retries while the database restarts.
 * A retried transaction is run again from the start; a transaction whose COMMIT was cut off
 * may have committed, so what runs in one must be safe to run twice (appending a Yjs update
 * twice changes nothing).
 */
export class PgSql implements Sql {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  private readonly retryForMs: number;
  private readonly logger: Logger;
  /** Milliseconds the last statements took (store latency, for metrics). */
  onTiming: ((ms: number, ok: boolean) => void) | null = null;

  constructor(options: PgOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    this.retryForMs = options.retryForMs ?? 60_000;
    this.logger = options.logger;
    // An idle client losing its connection (database restart) must not crash the process.
    this.pool.on('error', (error) =>
      this.logger.warn('postgres connection lost', { error: error.message }),
    );
  }

  async migrate(): Promise<void> {
    await this.lock('outpost:migrate', async () => {
      await this.pool.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const row = await this.pool.query<{ version: number }>('SELECT version FROM schema_version');
      let version = row.rows[0]?.version ?? 0;
      if (!row.rows.length) await this.pool.query('INSERT INTO schema_version VALUES (0)');
      for (; version < PG_MIGRATIONS.length; version++) {
        const client = await this.pool.connect();
        try {
          await client.query('BEGIN');
          await client.query(PG_MIGRATIONS[version]!);
          await client.query('UPDATE schema_version SET version = $1', [version + 1]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      }
    });
  }

  all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.retrying(
      async () => (await this.pool.query(numbered(sql), [...params])).rows as T[],
    );
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.retrying(
      async () => (await this.pool.query(numbered(sql), [...params])).rowCount ?? 0,
    );
  }

  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return this.retrying(async () => {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work(clientSql(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        broken = isTransient(error);
        if (!broken) await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release(broken);
      }
    });
  }

  /**
   * Runs `work` while holding a cluster-wide lock named `key` (a PostgreSQL advisory lock on
   * one connection): whichever node comes first does it, the others wait and then see it done.
   */
  async lock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
      try {
        return await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
      }
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.retryForMs;
    for (let pause = 100; ; pause = Math.min(pause * 2, 2_000)) {
      const started = performance.now();
      try {
        const result = await attempt();
        this.onTiming?.(performance.now() - started, true);
        return result;
      } catch (error) {
        this.onTiming?.(performance.now() - started, false);
        if (!isTransient(error) || Date.now() + pause > deadline) throw error;
        this.logger.warn('postgres unavailable, retrying', { error: String(error), pause });
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }
}

/** The statements of one transaction, on its connection. */
function clientSql(client: pg.PoolClient): Sql {
  const self: Sql = {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      (await client.query(numbered(sql), [...params])).rows as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      (await client.query(numbered(sql), [...params])).rows[0] as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) =>
      (await client.query(numbered(sql), [...params])).rowCount ?? 0,
    transaction: (work) => work(self),
    lock: (_key, work) => work(),
    close: () => Promise.reject(new Error('close() inside a transaction')),
  };
  return self;
}
