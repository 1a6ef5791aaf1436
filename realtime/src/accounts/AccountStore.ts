import { newId, type Role, type SessionUser } from '@outpost/model';
import type { Database } from '../store/Database.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import { hashSecret, newSecret } from './tokens.ts';

export interface UserRecord extends SessionUser {
  disabled: boolean;
  createdAt: number;
  /** False until the person has set a password (invited, not yet joined). */
  hasPassword: boolean;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string | null;
  role: Role;
  workspace_id: string;
  grids: string | null;
  disabled: number;
  created_at: number;
}

export interface ApiTokenInfo {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface UserChange {
  displayName?: string;
  role?: Role;
  grids?: string[] | null;
  disabled?: boolean;
}

/** A revoked session may still hand in offline work for this long after revocation. */
const HAND_IN_WINDOW_MS = 14 * 24 * 3600_000;

const toUser = (row: UserRow): UserRecord => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  role: row.role,
  workspaceId: row.workspace_id,
  grids: row.grids === null ? null : (JSON.parse(row.grids) as string[]),
  disabled: row.disabled === 1,
  createdAt: row.created_at,
  hasPassword: row.password_hash !== null,
});

/**
 * Users, sessions, API tokens and invitations in the embedded store. Secrets (session cookies,
 * tokens, invitation links) are stored only as hashes.
 */
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
        `INSERT INTO users (id, username, display_name, password_hash, role, workspace_id, grids, created_at)
         VALUES (@id, @username, @displayName, @passwordHash, @role, @workspaceId, @grids, @createdAt)`,
      ),
      updateUser: db.prepare(
        `UPDATE users SET display_name = @displayName, role = @role, grids = @grids, disabled = @disabled
         WHERE id = @id`,
      ),
      setPassword: db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE id = ?'),
      insertSession: db.prepare<[string, string, number, number]>(
        'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      ),
      session: db.prepare<[string, number], UserRow>(
        `SELECT users.* FROM sessions JOIN users ON users.id = sessions.user_id
         WHERE sessions.token_hash = ? AND sessions.expires_at > ? AND sessions.revoked_at IS NULL
           AND users.disabled = 0`,
      ),
      handInSession: db.prepare<[string, number], UserRow>(
        `SELECT users.* FROM sessions JOIN users ON users.id = sessions.user_id
         WHERE sessions.token_hash = ? AND (sessions.revoked_at IS NULL OR sessions.revoked_at > ?)`,
      ),
      sessionByHash: db.prepare<[string, number], { ok: number }>(
        `SELECT 1 AS ok FROM sessions JOIN users ON users.id = sessions.user_id
         WHERE sessions.token_hash = ? AND sessions.expires_at > ? AND sessions.revoked_at IS NULL
           AND users.disabled = 0`,
      ),
      revokeSessions: db.prepare<[number, string]>(
        'UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL',
      ),
      deleteSession: db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?'),
      purgeSessions: db.prepare<[number, number]>(
        'DELETE FROM sessions WHERE expires_at <= ? OR (revoked_at IS NOT NULL AND revoked_at <= ?)',
      ),
      insertToken: db.prepare<[string, string, string, string, number]>(
        'INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      token: db.prepare<[string], UserRow & { token_id: string }>(
        `SELECT users.*, api_tokens.id AS token_id FROM api_tokens JOIN users ON users.id = api_tokens.user_id
         WHERE api_tokens.token_hash = ? AND users.disabled = 0`,
      ),
      tokenById: db.prepare<[string], { ok: number }>(
        `SELECT 1 AS ok FROM api_tokens JOIN users ON users.id = api_tokens.user_id
         WHERE api_tokens.id = ? AND users.disabled = 0`,
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
      insertInvite: db.prepare<[string, string, string, string, number, number]>(
        `INSERT INTO invites (token_hash, user_id, purpose, created_by, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      invite: db.prepare<[string, number], { user_id: string; purpose: string }>(
        'SELECT user_id, purpose FROM invites WHERE token_hash = ? AND expires_at > ?',
      ),
      deleteInvites: db.prepare<[string]>('DELETE FROM invites WHERE user_id = ?'),
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

  /** Creates a user; with `password: null` the person joins through an invitation link. */
  async createUser(input: {
    username: string;
    displayName: string;
    role: Role;
    workspaceId: string;
    grids?: string[] | null;
    password: string | null;
    /** A fixed id (demo accounts); a random one otherwise. */
    id?: string;
  }): Promise<UserRecord> {
    const passwordHash = input.password === null ? null : await hashPassword(input.password);
    const id = input.id ?? newId();
    this.q.insertUser.run({
      id,
      username: input.username,
      displayName: input.displayName,
      role: input.role,
      workspaceId: input.workspaceId,
      grids: encodeGrids(input.grids ?? null),
      passwordHash,
      createdAt: Date.now(),
    });
    return this.user(id)!;
  }

  /** Changes role, scope, name or status. Disabling also revokes every session and token use. */
  updateUser(id: string, change: UserChange): UserRecord {
    const current = this.user(id);
    if (!current) throw new Error(`no user ${id}`);
    const next = {
      id,
      displayName: change.displayName ?? current.displayName,
      role: change.role ?? current.role,
      grids: encodeGrids(change.grids === undefined ? current.grids : change.grids),
      disabled: (change.disabled ?? current.disabled) ? 1 : 0,
    };
    this.db.transaction(() => {
      this.q.updateUser.run(next);
      if (next.disabled) this.q.revokeSessions.run(Date.now(), id);
    })();
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

  /**
   * The user behind a session that may have been revoked (disabled account) within the
   * hand-in window: such a session may do nothing but hand in the edits it made offline.
   */
  userForHandIn(token: string, now = Date.now()): UserRecord | null {
    const row = this.q.handInSession.get(hashSecret(token), now - HAND_IN_WINDOW_MS);
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

  /** Signs the user out everywhere; their sessions may still hand in offline work. */
  revokeSessions(userId: string, now = Date.now()): void {
    this.q.revokeSessions.run(now, userId);
  }

  purgeExpiredSessions(now = Date.now()): void {
    this.q.purgeSessions.run(now, now - HAND_IN_WINDOW_MS);
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

  /**
   * A one-time link secret to join (`invite`) or to choose a new password (`reset`). Any
   * earlier link of the user stops working.
   */
  createInvite(
    userId: string,
    purpose: 'invite' | 'reset',
    createdBy: string,
    ttlMs: number,
  ): string {
    const token = newSecret('inv_');
    const now = Date.now();
    this.db.transaction(() => {
      this.q.deleteInvites.run(userId);
      this.q.insertInvite.run(hashSecret(token), userId, purpose, createdBy, now, now + ttlMs);
    })();
    return token;
  }

  /** Who an invitation link is for, if it is still valid. */
  inviteUser(
    token: string,
    now = Date.now(),
  ): { user: UserRecord; purpose: 'invite' | 'reset' } | null {
    const row = this.q.invite.get(hashSecret(token), now);
    const user = row ? this.user(row.user_id) : null;
    if (!row || !user || user.disabled) return null;
    return { user, purpose: row.purpose as 'invite' | 'reset' };
  }

  /** Sets the password from a valid link and uses the link up. */
  async redeemInvite(token: string, password: string): Promise<UserRecord | null> {
    const found = this.inviteUser(token);
    if (!found) return null;
    const hash = await hashPassword(password);
    this.db.transaction(() => {
      this.q.setPassword.run(hash, found.user.id);
      this.q.deleteInvites.run(found.user.id);
      // A reset ends the sessions an attacker who knew the old password may hold.
      if (found.purpose === 'reset') this.q.revokeSessions.run(Date.now(), found.user.id);
    })();
    return this.user(found.user.id);
  }
}

function encodeGrids(grids: readonly string[] | null): string | null {
  return grids === null ? null : JSON.stringify([...new Set(grids)].sort());
}
