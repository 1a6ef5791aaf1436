import { newId, type Role, type SessionUser } from '@outpost/model';
import type { Database } from '../store/Database.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import { hashSecret, newSecret } from './tokens.ts';

export interface UserRecord extends SessionUser {
  disabled: boolean;
  createdAt: number;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string | null;
  role: Role;
  workspace_id: string;
  disabled: number;
  created_at: number;
}

export interface ApiTokenInfo {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

const toUser = (row: UserRow): UserRecord => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  role: row.role,
  workspaceId: row.workspace_id,
  disabled: row.disabled === 1,
  createdAt: row.created_at,
});

/** Users, sessions and API tokens in the embedded store. Secrets are stored only as hashes. */
export class AccountStore {
  private readonly q;
  private readonly tokenTouched = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly sessionTtlMs: number,
  ) {
    this.q = {
      userById: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?'),
      userByName: db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?'),
      users: db.prepare<[string], UserRow>(
        'SELECT * FROM users WHERE workspace_id = ? ORDER BY username',
      ),
      insertUser: db.prepare(
        `INSERT INTO users (id, username, display_name, password_hash, role, workspace_id, created_at)
         VALUES (@id, @username, @displayName, @passwordHash, @role, @workspaceId, @createdAt)`,
      ),
      setPassword: db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE id = ?'),
      insertSession: db.prepare<[string, string, number, number]>(
        'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      ),
      session: db.prepare<[string, number], UserRow>(
        `SELECT users.* FROM sessions JOIN users ON users.id = sessions.user_id
         WHERE sessions.token_hash = ? AND sessions.expires_at > ? AND users.disabled = 0`,
      ),
      sessionByHash: db.prepare<[string, number], { ok: number }>(
        `SELECT 1 AS ok FROM sessions JOIN users ON users.id = sessions.user_id
         WHERE sessions.token_hash = ? AND sessions.expires_at > ? AND users.disabled = 0`,
      ),
      tokenById: db.prepare<[string], { ok: number }>(
        `SELECT 1 AS ok FROM api_tokens JOIN users ON users.id = api_tokens.user_id
         WHERE api_tokens.id = ? AND users.disabled = 0`,
      ),
      deleteSession: db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?'),
      purgeSessions: db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?'),
      insertToken: db.prepare<[string, string, string, string, number]>(
        'INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      token: db.prepare<[string], UserRow & { token_id: string }>(
        `SELECT users.*, api_tokens.id AS token_id FROM api_tokens JOIN users ON users.id = api_tokens.user_id
         WHERE api_tokens.token_hash = ? AND users.disabled = 0`,
      ),
      touchToken: db.prepare<[number, string]>(
        'UPDATE api_tokens SET last_used_at = ? WHERE id = ?',
      ),
      tokens: db.prepare<
        [string],
        { id: string; name: string; created_at: number; last_used_at: number | null }
      >(
        'SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY created_at',
      ),
      deleteToken: db.prepare<[string, string]>(
        'DELETE FROM api_tokens WHERE id = ? AND user_id = ?',
      ),
      workspace: db.prepare<[string], { id: string; name: string }>(
        'SELECT id, name FROM workspaces WHERE id = ?',
      ),
      insertWorkspace: db.prepare<[string, string, number]>(
        'INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
      ),
      workspaces: db.prepare<[], { id: string; name: string }>(
        'SELECT id, name FROM workspaces ORDER BY id',
      ),
    };
  }

  createWorkspace(id: string, name: string): void {
    this.q.insertWorkspace.run(id, name, Date.now());
  }

  workspace(id: string): { id: string; name: string } | null {
    return this.q.workspace.get(id) ?? null;
  }

  workspaces(): { id: string; name: string }[] {
    return this.q.workspaces.all();
  }

  async createUser(input: {
    username: string;
    displayName: string;
    role: Role;
    workspaceId: string;
    password: string | null;
  }): Promise<UserRecord> {
    const passwordHash = input.password === null ? null : await hashPassword(input.password);
    const id = newId();
    this.q.insertUser.run({ id, ...input, passwordHash, createdAt: Date.now() });
    return this.user(id)!;
  }

  async setPassword(userId: string, password: string): Promise<void> {
    this.q.setPassword.run(await hashPassword(password), userId);
  }

  user(id: string): UserRecord | null {
    const row = this.q.userById.get(id);
    return row ? toUser(row) : null;
  }

  userByName(username: string): UserRecord | null {
    const row = this.q.userByName.get(username);
    return row ? toUser(row) : null;
  }

  users(workspaceId: string): UserRecord[] {
    return this.q.users.all(workspaceId).map(toUser);
  }

  /** Checks a password in constant-ish time whether or not the user exists. */
  async verify(username: string, password: string): Promise<UserRecord | null> {
    const row = this.q.userByName.get(username);
    const ok = await verifyPassword(password, row?.password_hash ?? (await dummyPasswordHash()));
    if (!row || !ok || row.disabled || !row.password_hash) return null;
    return toUser(row);
  }

  createSession(userId: string, now = Date.now()): { token: string; expiresAt: number } {
    const token = newSecret();
    const expiresAt = now + this.sessionTtlMs;
    this.q.insertSession.run(hashSecret(token), userId, now, expiresAt);
    return { token, expiresAt };
  }

  userForSession(token: string, now = Date.now()): UserRecord | null {
    const row = this.q.session.get(hashSecret(token), now);
    return row ? toUser(row) : null;
  }

  /** Is the credential (from `AuthContext.credential`) still good? For sweeps of open sockets. */
  credentialValid(credential: string, now = Date.now()): boolean {
    const [kind, id] = [credential.slice(0, 2), credential.slice(2)];
    if (kind === 's:') return this.q.sessionByHash.get(id, now) !== undefined;
    if (kind === 't:') return this.q.tokenById.get(id) !== undefined;
    return false;
  }

  endSession(token: string): void {
    this.q.deleteSession.run(hashSecret(token));
  }

  purgeExpiredSessions(now = Date.now()): void {
    this.q.purgeSessions.run(now);
  }

  /** Creates an API token for a non-browser client; the secret is returned once and never again. */
  createToken(userId: string, name: string): { id: string; token: string } {
    const id = newId();
    const token = newSecret('opt_');
    this.q.insertToken.run(id, userId, name, hashSecret(token), Date.now());
    return { id, token };
  }

  userForToken(token: string): (UserRecord & { tokenId: string }) | null {
    const row = this.q.token.get(hashSecret(token));
    if (!row) return null;
    // At most one write a minute per token: a bench or a gateway opening thousands of
    // connections must not turn every authentication into a commit.
    const now = Date.now();
    if (now - (this.tokenTouched.get(row.token_id) ?? 0) > 60_000) {
      this.tokenTouched.set(row.token_id, now);
      this.q.touchToken.run(now, row.token_id);
    }
    return { ...toUser(row), tokenId: row.token_id };
  }

  tokens(userId: string): ApiTokenInfo[] {
    return this.q.tokens.all(userId).map((t) => ({
      id: t.id,
      name: t.name,
      createdAt: t.created_at,
      lastUsedAt: t.last_used_at,
    }));
  }

  deleteToken(userId: string, tokenId: string): boolean {
    return this.q.deleteToken.run(tokenId, userId).changes > 0;
  }
}
