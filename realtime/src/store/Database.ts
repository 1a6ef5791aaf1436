import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteSql } from './sql.ts';

export type Database = BetterSqlite3.Database;

const MIGRATIONS: string[] = [
  `CREATE TABLE doc_snapshots (
     name TEXT PRIMARY KEY,
     data BLOB NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE doc_updates (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL,
     data BLOB NOT NULL
   );
   CREATE INDEX doc_updates_name ON doc_updates (name, seq);
   CREATE TABLE users (
     id TEXT PRIMARY KEY,
     username TEXT NOT NULL UNIQUE COLLATE NOCASE,
     display_name TEXT NOT NULL,
     password_hash TEXT,
     role TEXT NOT NULL,
     workspace_id TEXT NOT NULL,
     disabled INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE sessions (
     token_hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE TABLE api_tokens (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     last_used_at INTEGER
   );
   CREATE TABLE workspaces (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );`,
  // Roles and scopes, revocation that keeps offline work, invitations, the audit trail and the
  // holding queue (issue: roles, grid scopes, live revocation and an audit trail).
  `ALTER TABLE users ADD COLUMN grids TEXT;
   ALTER TABLE sessions ADD COLUMN revoked_at INTEGER;
   CREATE TABLE invites (
     token_hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
     purpose TEXT NOT NULL,
     created_by TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     device_at INTEGER,
     user_id TEXT,
     workspace_id TEXT NOT NULL,
     document TEXT NOT NULL,
     via TEXT NOT NULL,
     entity TEXT,
     action TEXT NOT NULL,
     fields TEXT
   );
   CREATE INDEX audit_entity ON audit (workspace_id, entity, id);
   CREATE INDEX audit_user ON audit (workspace_id, user_id, id);
   CREATE INDEX audit_document ON audit (workspace_id, document, id);
   CREATE TABLE held_updates (
     id TEXT PRIMARY KEY,
     workspace_id TEXT NOT NULL,
     document TEXT NOT NULL,
     user_id TEXT NOT NULL,
     reason TEXT NOT NULL,
     summary TEXT NOT NULL,
     data BLOB NOT NULL,
     created_at INTEGER NOT NULL,
     decided_by TEXT,
     decided_at INTEGER,
     decision TEXT
   );
   CREATE INDEX held_open ON held_updates (workspace_id, decided_at, created_at);`,
  // Cluster mode (issue #6): a per-document sequence assigned in commit order, so a node can
  // catch up on exactly what it missed; snapshots remember which sequence they cover; leases
  // let one node at a time compact a document. Usernames are compared case-insensitively
  // through lower(), which PostgreSQL shares.
  `ALTER TABLE doc_updates ADD COLUMN doc_seq INTEGER NOT NULL DEFAULT 0;
   UPDATE doc_updates SET doc_seq = (
     SELECT count(*) FROM doc_updates u WHERE u.name = doc_updates.name AND u.seq <= doc_updates.seq);
   DROP INDEX doc_updates_name;
   CREATE UNIQUE INDEX doc_updates_doc_seq ON doc_updates (name, doc_seq);
   ALTER TABLE doc_snapshots ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE doc_heads (name TEXT PRIMARY KEY, seq INTEGER NOT NULL);
   INSERT INTO doc_heads (name, seq) SELECT name, max(doc_seq) FROM doc_updates GROUP BY name;
   CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE INDEX users_lower_username ON users (lower(username));`,
  // A key chosen before each audit row is written, so a transaction retried after a COMMIT that
  // did go through (PostgreSQL restarting) writes the row once, not twice.
  `ALTER TABLE audit ADD COLUMN uid TEXT;
   CREATE UNIQUE INDEX audit_uid ON audit (uid);`,
];

/**
 * Opens (and migrates) the embedded store `outpost.db` in `dataDir`. WAL mode: readers never
 * block the writer, and a committed write survives the process being killed at any moment.
 */
export function openDatabase(dataDir: string): Database {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new BetterSqlite3(path.join(dataDir, 'outpost.db'));
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit is durable against a process crash (SIGKILL); only a power
  // loss can lose the last transactions. FULL would fsync every update.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let i = version; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
  return db;
}

/** The embedded store behind the asynchronous `Sql` interface the stores use. */
export function openSqlite(dataDir: string): SqliteSql {
  return new SqliteSql(openDatabase(dataDir));
}
