import type { Role, Task } from '@outpost/model';

/**
 * The REST API as the web app uses it: one `request` helper (same-origin cookie, JSON, the
 * CSRF header, errors as values) and the shapes of the answers it reads.
 *
 * The shapes mirror what `realtime/src/http/*Api.ts` send; they are written out here because
 * the web app may not import the server.
 */

/** Header sent with every state-changing request (the server checks it against CSRF). */
export const CSRF_HEADERS = { 'X-Requested-With': 'outpost' } as const;

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  /** `status` 0: no answer at all (offline, server down). `message`: the server's words. */
  | { ok: false; status: number; message: string };

export async function request<T>(
  path: string,
  options: { method?: string; body?: unknown; fetch?: typeof fetch } = {},
): Promise<ApiResult<T>> {
  const { method = 'GET', body, fetch: fetchFn = fetch } = options;
  let response: Response;
  try {
    response = await fetchFn(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: {
        ...(method === 'GET' ? {} : CSRF_HEADERS),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, message: '' };
  }
  const parsed: unknown = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.ok) return { ok: true, status: response.status, data: parsed as T };
  const message =
    typeof parsed === 'object' && parsed !== null && 'error' in parsed
      ? String((parsed as { error: unknown }).error)
      : response.statusText;
  return { ok: false, status: response.status, message };
}

/** An account as administrators see it (`GET /api/users`). */
export interface PersonRecord {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  /** Grid ids; null: every grid. */
  grids: string[] | null;
  disabled: boolean;
  /** False until the person has used their invitation. */
  hasPassword: boolean;
  createdAt: number;
}

/** A one-time link to join or to choose a new password. */
export interface AccountLink {
  path: string;
  expiresAt: number;
}

/** A change the server did not apply on its author's word (`GET /api/held`). */
export interface HeldChange {
  id: string;
  document: string;
  userId: string;
  reason: string;
  /** Lines such as `task Ab12: comments, status`. */
  summary: string[];
  createdAt: number;
  decision: 'accepted' | 'rejected' | null;
  decidedBy: string | null;
  decidedAt: number | null;
}

/** One row of the audit trail (`GET /api/audit`). */
export interface AuditEntry {
  id: number;
  /** Server time, epoch ms. */
  at: number;
  /** The device's clock for the change, when it said one. */
  deviceAt: number | null;
  userId: string | null;
  document: string;
  /** `web`, `yjs`, `api`, `system` or `held`. */
  via: string;
  entity: string | null;
  action: string;
  fields: string[];
}

/** What an invitation or reset link is for (`GET /api/invites/:token`). */
export interface InviteInfo {
  username: string;
  displayName: string;
  purpose: 'invite' | 'reset';
}

export type TaskList = { tasks: Task[] };
