import { newId, type Role, type SessionUser } from '@outpost/model';
import type { Sql } from '../store/sql.ts';
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
  disabled: Number(row.disabled) === 1,
  createdAt: Number(row.created_at),
  hasPassword: row.password_hash !== null,
});

const SESSION_USER = `SELECT users.* FROM sessions JOIN users ON users.id = sessions.user_id
  WHERE sessions.token_hash = ? AND sessions.expires_at > ? AND sessions.revoked_at IS NULL
    AND users.disabled = 0`;

/**
 * Users, sessions, API tokens and invitations, in the embedded store or (cluster mode) in
 * PostgreSQL through the same statements. Secrets (session cookies, tokens, invitation links)
 * are stored only as hashes. Usernames compare case-insensitively.
 */
export class AccountStore {
  private readonly tokenTouched = new Map<string, number>();

  constructor(
    private readonly sql: Sql,
    private readonly sessionTtlMs: number,
  ) {}

  async createWorkspace(id: string, name: string): Promise<void> {
    await this.sql.run(
      'INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
      [id, name, Date.now()],
    );
  }

  async workspace(id: string): Promise<{ id: string; name: string } | null> {
    return (
      (await this.sql.get<{ id: string; name: string }>(
        'SELECT id, name FROM workspaces WHERE id = ?',
        [id],
      )) ?? null
    );
  }

  workspaces(): Promise<{ id: string; name: string }[]> {
    return this.sql.all('SELECT id, name FROM workspaces ORDER BY id');
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
    await this.sql.run(
      `INSERT INTO users (id, username, display_name, password_hash, role, workspace_id, grids, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        input.username,
        input.displayName,
        passwordHash,
        input.role,
        input.workspaceId,
        encodeGrids(input.grids ?? null),
        Date.now(),
      ],
    );
    return (await this.user(id))!;
  }

  /** Changes role, scope, name or status. Disabling also revokes every session and token use. */
  async updateUser(id: string, change: UserChange): Promise<UserRecord> {
    const current = await this.user(id);
    if (!current) throw new Error(`no user ${id}`);
    const disabled = (change.disabled ?? current.disabled) ? 1 : 0;
    await this.sql.transaction(async (tx) => {
      await tx.run(
        'UPDATE users SET display_name = ?, role = ?, grids = ?, disabled = ? WHERE id = ?',
        [
          change.displayName ?? current.displayName,
          change.role ?? current.role,
          encodeGrids(change.grids === undefined ? current.grids : change.grids),
          disabled,
          id,
        ],
      );
      if (disabled) await revokeAll(tx, id, Date.now());
    });
    return (await this.user(id))!;
  }

  async setPassword(userId: string, password: string): Promise<void> {
    await this.sql.run('UPDATE users SET password_hash = ? WHERE id = ?', [
      await hashPassword(password),
      userId,
    ]);
  }

  async user(id: string): Promise<UserRecord | null> {
    const row = await this.sql.get<UserRow>('SELECT * FROM users WHERE id = ?', [id]);
    return row ? toUser(row) : null;
  }

  async userByName(username: string): Promise<UserRecord | null> {
    const row = await this.rowByName(username);
    return row ? toUser(row) : null;
  }

  async users(workspaceId: string): Promise<UserRecord[]> {
    const rows = await this.sql.all<UserRow>(
      'SELECT * FROM users WHERE workspace_id = ? ORDER BY lower(username)',
      [workspaceId],
    );
    return rows.map(toUser);
  }

  /** Checks a password in constant-ish time whether or not the user exists. */
  async verify(username: string, password: string): Promise<UserRecord | null> {
    const row = await this.rowByName(username);
    const ok = await verifyPassword(password, row?.password_hash ?? (await dummyPasswordHash()));
    if (!row || !ok || row.disabled || !row.password_hash) return null;
    return toUser(row);
  }

  async createSession(
    userId: string,
    now = Date.now(),
  ): Promise<{ token: string; expiresAt: number }> {
    const token = newSecret();
    const expiresAt = now + this.sessionTtlMs;
    await this.sql.run(
      'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      [hashSecret(token), userId, now, expiresAt],
    );
    return { token, expiresAt };
  }

  async userForSession(token: string, now = Date.now()): Promise<UserRecord | null> {
    const row = await this.sql.get<UserRow>(SESSION_USER, [hashSecret(token), now]);
    return row ? toUser(row) : null;
  }

  /**
   * The user behind a session that may have been revoked (disabled account) within the
   * hand-in window: such a session may do nothing but hand in the edits it made offline.
   */
  async userForHandIn(token: string, now = Date.now()): Promise<UserRecord | null> {
    const row = await this.sql.get<UserRow>(
      `SELECT users.* FROM sessions JOIN users ON users.id = sessions.user_id
       WHERE sessions.token_hash = ? AND (sessions.revoked_at IS NULL OR sessions.revoked_at > ?)`,
      [hashSecret(token), now - HAND_IN_WINDOW_MS],
    );
    return row ? toUser(row) : null;
  }

  /** Is the credential (from `AuthContext.credential`) still good? For sweeps of open sockets. */
  async credentialValid(credential: string, now = Date.now()): Promise<boolean> {
    const [kind, id] = [credential.slice(0, 2), credential.slice(2)];
    if (kind === 's:') {
      return (
        (await this.sql.get(SESSION_USER.replace('users.*', '1 AS ok'), [id, now])) !== undefined
      );
    }
    if (kind === 't:') {
      const row = await this.sql.get(
        `SELECT 1 AS ok FROM api_tokens JOIN users ON users.id = api_tokens.user_id
         WHERE api_tokens.id = ? AND users.disabled = 0`,
        [id],
      );
      return row !== undefined;
    }
    return false;
  }

  async endSession(token: string): Promise<void> {
    await this.sql.run('DELETE FROM sessions WHERE token_hash = ?', [hashSecret(token)]);
  }

  /** Signs the user out everywhere; their sessions may still hand in offline work. */
  async revokeSessions(userId: string, now = Date.now()): Promise<void> {
    await revokeAll(this.sql, userId, now);
  }

  async purgeExpiredSessions(now = Date.now()): Promise<void> {
    await this.sql.run(
      'DELETE FROM sessions WHERE expires_at <= ? OR (revoked_at IS NOT NULL AND revoked_at <= ?)',
      [now, now - HAND_IN_WINDOW_MS],
    );
  }

  /** Creates an API token for a non-browser client; the secret is returned once and never again. */
  async createToken(userId: string, name: string): Promise<{ id: string; token: string }> {
    const id = newId();
    const token = newSecret('opt_');
    await this.sql.run(
      'INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      [id, userId, name, hashSecret(token), Date.now()],
    );
    return { id, token };
  }

  async userForToken(token: string): Promise<(UserRecord & { tokenId: string }) | null> {
    const row = await this.sql.get<UserRow & { token_id: string }>(
      `SELECT users.*, api_tokens.id AS token_id FROM api_tokens JOIN users ON users.id = api_tokens.user_id
       WHERE api_tokens.token_hash = ? AND users.disabled = 0`,
      [hashSecret(token)],
    );
    if (!row) return null;
    // At most one write a minute per token: a bench or a gateway opening thousands of
    // connections must not turn every authentication into a commit.
    const now = Date.now();
    if (now - (this.tokenTouched.get(row.token_id) ?? 0) > 60_000) {
      this.tokenTouched.set(row.token_id, now);
      await this.sql.run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', [
        now,
        row.token_id,
      ]);
    }
    return { ...toUser(row), tokenId: row.token_id };
  }

  async tokens(userId: string): Promise<ApiTokenInfo[]> {
    const rows = await this.sql.all<{
      id: string;
      name: string;
      created_at: number;
      last_used_at: number | null;
    }>(
      'SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY created_at',
      [userId],
    );
    return rows.map((t) => ({
      id: t.id,
      name: t.name,
      createdAt: Number(t.created_at),
      lastUsedAt: t.last_used_at === null ? null : Number(t.last_used_at),
    }));
  }

  async deleteToken(userId: string, tokenId: string): Promise<boolean> {
    return (
      (await this.sql.run('DELETE FROM api_tokens WHERE id = ? AND user_id = ?', [
        tokenId,
        userId,
      ])) > 0
    );
  }

  /**
   * A one-time link secret to join (`invite`) or to choose a new password (`reset`). Any
   * earlier link of the user stops working.
   */
  async createInvite(
    userId: string,
    purpose: 'invite' | 'reset',
    createdBy: string,
    ttlMs: number,
  ): Promise<string> {
    const token = newSecret('inv_');
    const now = Date.now();
    await this.sql.transaction(async (tx) => {
      await tx.run('DELETE FROM invites WHERE user_id = ?', [userId]);
      await tx.run(
        `INSERT INTO invites (token_hash, user_id, purpose, created_by, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [hashSecret(token), userId, purpose, createdBy, now, now + ttlMs],
      );
    });
    return token;
  }

  /** Who an invitation link is for, if it is still valid. */
  async inviteUser(
    token: string,
    now = Date.now(),
  ): Promise<{ user: UserRecord; purpose: 'invite' | 'reset' } | null> {
    const row = await this.sql.get<{ user_id: string; purpose: string }>(
      'SELECT user_id, purpose FROM invites WHERE token_hash = ? AND expires_at > ?',
      [hashSecret(token), now],
    );
    const user = row ? await this.user(row.user_id) : null;
    if (!row || !user || user.disabled) return null;
    return { user, purpose: row.purpose as 'invite' | 'reset' };
  }

  /** Sets the password from a valid link and uses the link up. */
  async redeemInvite(token: string, password: string): Promise<UserRecord | null> {
    const found = await this.inviteUser(token);
    if (!found) return null;
    const hash = await hashPassword(password);
    const used = await this.sql.transaction(async (tx) => {
      // Used once: a second redemption racing this one finds no row and changes nothing.
      const gone = await tx.run('DELETE FROM invites WHERE user_id = ? AND token_hash = ?', [
        found.user.id,
        hashSecret(token),
      ]);
      if (!gone) return false;
      await tx.run('DELETE FROM invites WHERE user_id = ?', [found.user.id]);
      await tx.run('UPDATE users SET password_hash = ? WHERE id = ?', [hash, found.user.id]);
      // A reset ends the sessions and API tokens an attacker who knew the old password may
      // have made for themselves.
      if (found.purpose === 'reset') {
        await revokeAll(tx, found.user.id, Date.now());
        await tx.run('DELETE FROM api_tokens WHERE user_id = ?', [found.user.id]);
      }
      return true;
    });
    return used ? this.user(found.user.id) : null;
  }

  private rowByName(username: string): Promise<UserRow | undefined> {
    return this.sql.get<UserRow>('SELECT * FROM users WHERE lower(username) = lower(?)', [
      username,
    ]);
  }
}

function revokeAll(sql: Sql, userId: string, now: number): Promise<number> {
  return sql.run('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', [
    now,
    userId,
  ]);
}

function encodeGrids(grids: readonly string[] | null): string | null {
  return grids === null ? null : JSON.stringify([...new Set(grids)].sort());
}
