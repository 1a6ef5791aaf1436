/**
 * The shared store's schema in PostgreSQL: the same tables and columns as the embedded SQLite
 * store (see Database.ts), so the stores run the same statements on both. Applied in order,
 * each in one transaction, under an advisory lock.
 */
export const PG_MIGRATIONS: string[] = [
  `CREATE TABLE doc_snapshots (
     name TEXT PRIMARY KEY,
     data BYTEA NOT NULL,
     updated_at BIGINT NOT NULL,
     seq BIGINT NOT NULL DEFAULT 0
   );
   CREATE TABLE doc_updates (
     name TEXT NOT NULL,
     doc_seq BIGINT NOT NULL,
     data BYTEA NOT NULL,
     PRIMARY KEY (name, doc_seq)
   );
   CREATE TABLE doc_heads (name TEXT PRIMARY KEY, seq BIGINT NOT NULL);
   CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL);
   CREATE TABLE workspaces (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE users (
     id TEXT PRIMARY KEY,
     username TEXT NOT NULL,
     display_name TEXT NOT NULL,
     password_hash TEXT,
     role TEXT NOT NULL,
     workspace_id TEXT NOT NULL,
     disabled INTEGER NOT NULL DEFAULT 0,
     created_at BIGINT NOT NULL,
     grids TEXT
   );
   CREATE UNIQUE INDEX users_lower_username ON users (lower(username));
   CREATE INDEX users_workspace ON users (workspace_id);
   CREATE TABLE sessions (
     token_hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
     created_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL,
     revoked_at BIGINT
   );
   CREATE INDEX sessions_user ON sessions (user_id);
   CREATE TABLE api_tokens (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     created_at BIGINT NOT NULL,
     last_used_at BIGINT
   );
   CREATE TABLE invites (
     token_hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
     purpose TEXT NOT NULL,
     created_by TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL
   );
   CREATE TABLE audit (
     id BIGSERIAL PRIMARY KEY,
     at BIGINT NOT NULL,
     device_at BIGINT,
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
     data BYTEA NOT NULL,
     created_at BIGINT NOT NULL,
     decided_by TEXT,
     decided_at BIGINT,
     decision TEXT
   );
   CREATE INDEX held_open ON held_updates (workspace_id, decided_at, created_at);
   CREATE INDEX held_user ON held_updates (document, user_id) WHERE decided_at IS NULL;`,
  // As SQLite's fourth: a transaction retried after a COMMIT that went through writes an audit
  // row once.
  `ALTER TABLE audit ADD COLUMN uid TEXT;
   CREATE UNIQUE INDEX audit_uid ON audit (uid);`,
];
