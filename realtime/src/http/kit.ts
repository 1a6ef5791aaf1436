import type { Request } from 'express';
import { z } from 'zod';
import type { SessionUser } from '@outpost/model';
import type { AuthContext } from '../core/types.ts';

/** A response error with a status and a message that is safe to show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
// Below 8.64e15 ms, the largest valid JavaScript date, as the document schema requires.
export const timestampSchema = z.number().int().min(0).lt(8.64e15);

/** Parses with a schema or answers 400 naming the first offending field. */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new ApiError(400, `${where}${issue?.message ?? 'invalid request'}`);
}

const principals = new WeakMap<Request, AuthContext>();

/** Pins the authenticated principal to a request (the API's auth middleware does this). */
export function pin(req: Request, auth: AuthContext): void {
  principals.set(req, auth);
}

/** The principal pinned to this request. */
export function who(req: Request): AuthContext {
  const auth = principals.get(req);
  if (!auth) throw new ApiError(401, 'authentication required');
  return auth;
}

export function sessionUser(user: SessionUser): SessionUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    workspaceId: user.workspaceId,
    grids: user.grids === null ? null : [...user.grids],
  };
}

export function requireJson(req: Request): void {
  if (!req.is('application/json')) {
    throw new ApiError(415, 'send JSON (Content-Type: application/json)');
  }
}

/**
 * Cookie-authenticated changes must carry a header a cross-site form cannot send: JSON content,
 * or `X-Requested-With`. Either forces a CORS preflight, which this server never grants.
 */
export function requireCsrfHeader(req: Request): void {
  if (req.is('application/json') || req.get('x-requested-with')) return;
  throw new ApiError(403, 'missing X-Requested-With header');
}

export function toHttpError(error: unknown): { status: number; message: string } {
  if (error instanceof ApiError) return { status: error.status, message: error.message };
  const status = (error as { status?: unknown; type?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const type = (error as { type?: unknown }).type;
    if (type === 'entity.too.large') return { status: 413, message: 'request body too large' };
    if (type === 'entity.parse.failed') return { status: 400, message: 'invalid JSON' };
    return { status, message: 'bad request' };
  }
  if (
    error instanceof Error &&
    /^(no task|a task needs|location must|field )/.test(error.message)
  ) {
    return { status: 400, message: error.message };
  }
  return { status: 500, message: 'internal error' };
}
