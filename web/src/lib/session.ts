import type { SessionUser } from '@outpost/model';
import { ROLES } from '@outpost/model';
import { CSRF_HEADERS } from './api.ts';

/**
 * The signed-in user. The server is the authority (`GET /api/me`); a copy is kept in
 * localStorage so the app still opens offline after a reload.
 */
const SESSION_KEY = 'outpost:session';

export type SessionResult =
  { kind: 'user'; user: SessionUser; offline: boolean } | { kind: 'signed-out' };

export function cachedUser(): SessionUser | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    return isSessionUser(parsed) ? normalize(parsed) : null;
  } catch {
    return null;
  }
}

export function cacheUser(user: SessionUser | null): void {
  try {
    if (user) localStorage.setItem(SESSION_KEY, JSON.stringify(user));
    else localStorage.removeItem(SESSION_KEY);
  } catch {
    // Storage full or disabled: the app still works online.
  }
}

/**
 * Asks the server who is signed in. A 401 signs out; no answer at all (offline, server down)
 * falls back to the cached user so field workers can keep working.
 */
export async function fetchSession(fetchFn: typeof fetch): Promise<SessionResult> {
  let response: Response;
  try {
    response = await fetchFn('/api/me', { credentials: 'same-origin', cache: 'no-store' });
  } catch {
    return offlineSession();
  }
  if (response.status === 401 || response.status === 403) {
    cacheUser(null);
    return { kind: 'signed-out' };
  }
  if (!response.ok) return offlineSession();
  const body: unknown = await response.json().catch(() => null);
  if (!isSessionUser(body)) return offlineSession();
  const user = normalize(body);
  cacheUser(user);
  return { kind: 'user', user, offline: false };
}

function offlineSession(): SessionResult {
  const user = cachedUser();
  return user ? { kind: 'user', user, offline: true } : { kind: 'signed-out' };
}

export type LoginResult =
  | { ok: true; user: SessionUser }
  | { ok: false; reason: 'invalid' | 'rate-limited' | 'offline' | 'server'; message?: string };

export async function login(username: string, password: string): Promise<LoginResult> {
  let response: Response;
  try {
    response = await fetch('/api/auth/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', ...CSRF_HEADERS },
      body: JSON.stringify({ username, password }),
    });
  } catch {
    return { ok: false, reason: 'offline' };
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok) {
    const user = isRecord(body) ? body.user : null;
    if (!isSessionUser(user)) return { ok: false, reason: 'server' };
    cacheUser(normalize(user));
    return { ok: true, user: normalize(user) };
  }
  const message = isRecord(body) && typeof body.error === 'string' ? body.error : undefined;
  if (response.status === 401 || response.status === 400) {
    return { ok: false, reason: 'invalid', message };
  }
  if (response.status === 429) return { ok: false, reason: 'rate-limited', message };
  return { ok: false, reason: 'server', message };
}

export async function logout(): Promise<void> {
  cacheUser(null);
  try {
    await fetch('/api/auth/logout', {
      method: 'POST',
      credentials: 'same-origin',
      headers: CSRF_HEADERS,
    });
  } catch {
    // Offline: the cookie stays until it expires, but the app forgets the user locally.
  }
}

/**
 * A copy cached before grid scopes existed has no `grids`: read it as "every grid" until the
 * server answers again (the server decides access in any case; this only shapes the screen).
 */
function normalize(user: SessionUser): SessionUser {
  const grids = Array.isArray(user.grids)
    ? user.grids.filter((g): g is string => typeof g === 'string')
    : null;
  return { ...user, grids };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isSessionUser(value: unknown): value is SessionUser {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.username === 'string' &&
    typeof value.displayName === 'string' &&
    typeof value.workspaceId === 'string' &&
    (ROLES as readonly unknown[]).includes(value.role)
  );
}
