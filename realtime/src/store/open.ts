import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { openSqlite } from './Database.ts';
import type { Sql } from './sql.ts';

/** The database the stores use: PostgreSQL in cluster mode (migrated), else the embedded SQLite. */
export async function openSql(config: Config, logger: Logger): Promise<Sql> {
  if (!config.databaseUrl) return openSqlite(config.dataDir);
  // Loaded only in cluster mode: a single node starts without the PostgreSQL client.
  const { PgSql } = await import('./PgSql.ts');
  const pg = new PgSql({ connectionString: config.databaseUrl, logger });
  try {
    await pg.migrate();
  } catch (error) {
    await pg.close();
    throw error;
  }
  return pg;
}
