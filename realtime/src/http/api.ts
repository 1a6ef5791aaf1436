import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  LIMITS,
  PRIORITIES,
  TASK_KINDS,
  TASK_STATUSES,
  TaskBoard,
  WorkspaceDirectory,
  boardDocName,
  isValidSegment,
  workspaceDocName,
  type SessionUser,
} from '@outpost/model';
import type { AccountStore } from '../accounts/AccountStore.ts';
import {
  SESSION_COOKIE,
  sessionCredential,
  tokenCredential,
  type Authenticator,
} from '../accounts/Authenticator.ts';
import { MAX_PASSWORD_LENGTH } from '../accounts/passwords.ts';
import { RateLimiter } from '../accounts/RateLimiter.ts';
import type { AuthContext } from '../core/types.ts';
import type { YjsHub } from '../core/YjsHub.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';

export interface ApiDeps {
  config: Config;
  accounts: AccountStore;
  authenticator: Authenticator;
  hub: YjsHub;
  logger: Logger;
  /** Closes every socket opened with a credential, at once (logout, token revoked). */
  revokeCredential(credential: string, reason: string): void;
}

/** A response error with a status and a message that is safe to show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const latLng = z
  .object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) })
  .strict();
// Below 8.64e15 ms, the largest valid JavaScript date, as the document schema requires.
const timestamp = z.number().int().min(0).lt(8.64e15);

const loginBody = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});
const tokenBody = z.object({ name: z.string().trim().min(1).max(LIMITS.nameLength) }).strict();
const taskFields = {
  title: z.string().trim().min(1).max(LIMITS.titleLength),
  description: z.string().max(LIMITS.descriptionLength),
  status: z.enum(TASK_STATUSES),
  kind: z.enum(TASK_KINDS),
  priority: z.enum(PRIORITIES),
  grid: id.nullable(),
  location: latLng.nullable(),
  due: timestamp.nullable(),
  assignees: z.array(id).max(LIMITS.assignees),
  tags: z.array(z.string().trim().min(1).max(LIMITS.tagLength)).max(LIMITS.tags),
};
const createTaskBody = z.object(taskFields).partial().required({ title: true }).strict();
const patchTaskBody = z.object(taskFields).partial().strict();

/** Parses with a schema or answers 400 naming the first offending field. */
function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new ApiError(400, `${where}${issue?.message ?? 'invalid request'}`);
}

const principals = new WeakMap<Request, AuthContext>();

/** The principal the auth middleware pinned to this request. */
function who(req: Request): AuthContext {
  const auth = principals.get(req);
  if (!auth) throw new ApiError(401, 'authentication required');
  return auth;
}

export function createApiRouter({
  config,
  accounts,
  authenticator,
  hub,
  logger,
  revokeCredential,
}: ApiDeps): express.Router {
  const router = express.Router();
  const byIp = new RateLimiter(100, 15 * 60_000);
  const byUser = new RateLimiter(10, 15 * 60_000);

  router.use(express.json({ limit: '64kb' }));

  router.post('/auth/login', async (req, res) => {
    requireJson(req);
    const ip = req.ip ?? 'unknown';
    const { username, password } = parse(loginBody, req.body);
    const userKey = `${ip}|${username.toLowerCase()}`;
    const wait = Math.max(byIp.retryAfter(ip), byUser.retryAfter(userKey));
    if (wait > 0) {
      res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
      throw new ApiError(429, 'too many failed attempts; try again later');
    }
    const user = await accounts.verify(username, password);
    if (!user) {
      byIp.fail(ip);
      byUser.fail(userKey);
      logger.info('login failed', { username: username.slice(0, 64), ip });
      throw new ApiError(401, 'wrong username or password');
    }
    byUser.reset(userKey);
    const session = accounts.createSession(user.id);
    res.cookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.secureCookies,
      path: '/',
      expires: new Date(session.expiresAt),
    });
    res.json({ user: sessionUser(user) });
  });

  router.post('/auth/logout', (req, res) => {
    requireCsrfHeader(req);
    const token = authenticator.sessionToken(req);
    if (token) {
      accounts.endSession(token);
      revokeCredential(sessionCredential(token), 'signed out');
    }
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  // Everything below needs a principal.
  router.use((req, _res, next) => {
    const auth = authenticator.authenticate(req);
    if (!auth) throw new ApiError(401, 'authentication required');
    if (req.method !== 'GET' && req.method !== 'HEAD' && auth.via === 'session')
      requireCsrfHeader(req);
    principals.set(req, auth);
    next();
  });

  router.get('/me', (req, res) => {
    const user = accounts.user(who(req).userId);
    if (!user) throw new ApiError(401, 'authentication required');
    res.json(sessionUser(user));
  });

  router.get('/tokens', (req, res) => {
    res.json({ tokens: accounts.tokens(who(req).userId) });
  });

  router.post('/tokens', (req, res) => {
    const { name } = parse(tokenBody, req.body);
    if (accounts.tokens(who(req).userId).length >= 20)
      throw new ApiError(409, 'at most 20 tokens per user');
    res.status(201).json(accounts.createToken(who(req).userId, name));
  });

  router.delete('/tokens/:tokenId', (req, res) => {
    const tokenId = String(req.params.tokenId);
    if (!accounts.deleteToken(who(req).userId, tokenId)) throw new ApiError(404, 'no such token');
    revokeCredential(tokenCredential(tokenId), 'token revoked');
    res.status(204).end();
  });

  router.get('/boards', async (req, res) => {
    const boards = await hub.read(workspaceDocName(who(req).workspaceId), (doc) =>
      new WorkspaceDirectory(doc).listBoards(),
    );
    res.json({ boards });
  });

  router.get('/boards/:boardId/tasks', async (req, res) => {
    const name = await boardName(req);
    const includeArchived = req.query.archived === '1';
    const tasks = await hub.read(name, (doc) =>
      new TaskBoard(doc).list().filter((t) => includeArchived || !t.archived),
    );
    res.json({ tasks });
  });

  router.post('/boards/:boardId/tasks', async (req, res) => {
    const name = await boardName(req);
    const input = parse(createTaskBody, req.body);
    const actor = who(req).userId;
    const task = await hub.change(name, actor, (doc) => {
      const board = new TaskBoard(doc);
      return board.get(board.create(input, actor));
    });
    res.status(201).json({ task });
  });

  router.patch('/boards/:boardId/tasks/:taskId', async (req, res) => {
    const name = await boardName(req);
    const { assignees, tags, ...patch } = parse(patchTaskBody, req.body);
    const actor = who(req).userId;
    const taskId = String(req.params.taskId);
    const task = await hub.change(name, actor, (doc) => {
      const board = new TaskBoard(doc);
      if (!board.get(taskId)) throw new ApiError(404, 'no such task');
      board.update(taskId, patch, actor);
      if (assignees) board.setAssignees(taskId, assignees, actor);
      if (tags) board.setTags(taskId, tags, actor);
      return board.get(taskId);
    });
    res.json({ task });
  });

  router.use((_req, _res) => {
    throw new ApiError(404, 'not found');
  });

  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, message } = toHttpError(error);
    if (status >= 500) logger.error('api error', { error: String(error) });
    res.status(status).json({ error: message });
  });

  /** The board's document name, after checking the board exists in the caller's workspace. */
  async function boardName(req: Request): Promise<string> {
    const boardId = String(req.params.boardId);
    const workspaceId = who(req).workspaceId;
    if (!isValidSegment(boardId)) throw new ApiError(404, 'no such board');
    const exists = await hub.read(workspaceDocName(workspaceId), (doc) =>
      new WorkspaceDirectory(doc).boards.has(boardId),
    );
    if (!exists) throw new ApiError(404, 'no such board');
    return boardDocName(workspaceId, boardId);
  }

  return router;
}

function sessionUser(user: SessionUser): SessionUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    workspaceId: user.workspaceId,
  };
}

function requireJson(req: Request): void {
  if (!req.is('application/json'))
    throw new ApiError(415, 'send JSON (Content-Type: application/json)');
}

/**
 * Cookie-authenticated changes must carry a header a cross-site form cannot send: JSON content,
 * or `X-Requested-With`. Either forces a CORS preflight, which this server never grants.
 */
function requireCsrfHeader(req: Request): void {
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
