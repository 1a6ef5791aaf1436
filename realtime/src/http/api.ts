import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  LIMITS,
  PRIORITIES,
  TASK_KINDS,
  TASK_STATUSES,
  TaskBoard,
  boardDocName,
  can,
  inScope,
  isValidSegment,
  type BoardSummary,
} from '@outpost/model';
import type { AccessService } from '../access/AccessService.ts';
import type { AuditLog } from '../access/AuditLog.ts';
import type { HeldUpdates } from '../access/HeldUpdates.ts';
import { taskFieldAllowed } from '../access/writeRules.ts';
import type { AccountStore } from '../accounts/AccountStore.ts';
import {
  SESSION_COOKIE,
  sessionCredential,
  tokenCredential,
  type Authenticator,
} from '../accounts/Authenticator.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../accounts/passwords.ts';
import { RateLimiter } from '../accounts/RateLimiter.ts';
import type { YjsHub } from '../core/YjsHub.ts';
import type { Config } from '../config.ts';
import { readable } from '../extensions/AccountAuth.ts';
import type { Logger } from '../logger.ts';
import {
  ApiError,
  idSchema,
  parse,
  pin,
  requireCsrfHeader,
  requireJson,
  sessionUser,
  timestampSchema,
  toHttpError,
  who,
} from './kit.ts';
import { peopleRoutes } from './peopleApi.ts';
import { recordRoutes } from './recordsApi.ts';
import { reportRoutes } from '../summary/reportApi.ts';
import type { SummaryService } from '../summary/SummaryService.ts';

export interface ApiDeps {
  config: Config;
  accounts: AccountStore;
  authenticator: Authenticator;
  hub: YjsHub;
  access: AccessService;
  audit: AuditLog;
  held: HeldUpdates;
  logger: Logger;
  summary: SummaryService;
}

const latLng = z
  .object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) })
  .strict();
const loginBody = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});
const tokenBody = z.object({ name: z.string().trim().min(1).max(LIMITS.nameLength) }).strict();
const meBody = z.object({ displayName: z.string().trim().min(1).max(LIMITS.nameLength) }).strict();
const passwordBody = z
  .object({
    current: z.string().min(1).max(MAX_PASSWORD_LENGTH),
    next: z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH),
  })
  .strict();
const taskFields = {
  title: z.string().trim().min(1).max(LIMITS.titleLength),
  description: z.string().max(LIMITS.descriptionLength),
  status: z.enum(TASK_STATUSES),
  kind: z.enum(TASK_KINDS),
  priority: z.enum(PRIORITIES),
  grid: idSchema.nullable(),
  location: latLng.nullable(),
  due: timestampSchema.nullable(),
  assignees: z.array(idSchema).max(LIMITS.assignees),
  archived: z.boolean(),
  tags: z.array(z.string().trim().min(1).max(LIMITS.tagLength)).max(LIMITS.tags),
};
const createTaskBody = z.object(taskFields).partial().required({ title: true }).strict();
const patchTaskBody = z.object(taskFields).partial().strict();

/** Requests per minute one principal may make; far above any person, low enough for a runaway script. */
const REQUESTS_PER_MINUTE = 1200;

export function createApiRouter(deps: ApiDeps): express.Router {
  const { config, accounts, authenticator, hub, access, logger } = deps;
  const router = express.Router();
  const byIp = new RateLimiter(100, 15 * 60_000);
  const byUser = new RateLimiter(10, 15 * 60_000);
  const perPrincipal = new RateLimiter(REQUESTS_PER_MINUTE, 60_000);

  const smallJson = express.json({ limit: '64kb' });
  // Handing in offline work carries a whole document; it has its own, larger limit.
  router.use((req, res, next) =>
    req.path === '/held/hand-in' ? next() : smallJson(req, res, next),
  );

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
    const session = await accounts.createSession(user.id);
    res.cookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.secureCookies,
      path: '/',
      expires: new Date(session.expiresAt),
    });
    res.json({ user: sessionUser(user) });
  });

  router.post('/auth/logout', async (req, res) => {
    requireCsrfHeader(req);
    const token = authenticator.sessionToken(req);
    if (token) {
      await accounts.endSession(token);
      access.revokeWhere((c) => c === sessionCredential(token), 'signed out');
    }
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  // Routes a person reaches without a session: joining by invitation, handing in offline work.
  router.use(peopleRoutes.public(deps));
  router.use(recordRoutes.public(deps));

  // Everything below needs a principal.
  router.use(async (req, res, next) => {
    const auth = await authenticator.authenticate(req);
    if (!auth) throw new ApiError(401, 'authentication required');
    if (req.method !== 'GET' && req.method !== 'HEAD' && auth.via === 'session')
      requireCsrfHeader(req);
    const wait = perPrincipal.retryAfter(auth.credential);
    if (wait > 0) {
      res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
      throw new ApiError(429, 'too many requests; slow down');
    }
    perPrincipal.fail(auth.credential);
    pin(req, auth);
    next();
  });

  router.get('/me', async (req, res) => {
    const user = await accounts.user(who(req).userId);
    if (!user) throw new ApiError(401, 'authentication required');
    res.json(sessionUser(user));
  });

  router.patch('/me', async (req, res) => {
    const { displayName } = parse(meBody, req.body);
    const user = await accounts.updateUser(who(req).userId, { displayName });
    await access.applyUserChange(user);
    res.json(sessionUser(user));
  });

  router.post('/me/password', async (req, res) => {
    const { current, next } = parse(passwordBody, req.body);
    const me = who(req);
    if (!(await accounts.verify(me.username, current)))
      throw new ApiError(403, 'the current password is wrong');
    await accounts.setPassword(me.userId, next);
    res.status(204).end();
  });

  router.post('/auth/logout-all', async (req, res) => {
    const me = who(req);
    await accounts.revokeSessions(me.userId);
    await access.revokeInvalid('signed out everywhere');
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  router.get('/tokens', async (req, res) => {
    res.json({ tokens: await accounts.tokens(who(req).userId) });
  });

  router.post('/tokens', async (req, res) => {
    const { name } = parse(tokenBody, req.body);
    if ((await accounts.tokens(who(req).userId)).length >= 20)
      throw new ApiError(409, 'at most 20 tokens per user');
    res.status(201).json(await accounts.createToken(who(req).userId, name));
  });

  router.delete('/tokens/:tokenId', async (req, res) => {
    const tokenId = String(req.params.tokenId);
    if (!(await accounts.deleteToken(who(req).userId, tokenId)))
      throw new ApiError(404, 'no such token');
    access.revokeWhere((c) => c === tokenCredential(tokenId), 'token revoked');
    res.status(204).end();
  });

  router.get('/boards', async (req, res) => {
    res.json({ boards: await access.readableBoards(who(req)) });
  });

  router.get('/boards/:boardId/tasks', async (req, res) => {
    const { name } = await openBoard(req);
    const includeArchived = req.query.archived === '1';
    const tasks = await hub.read(name, (doc) =>
      new TaskBoard(doc).list().filter((t) => includeArchived || !t.archived),
    );
    res.json({ tasks });
  });

  router.post('/boards/:boardId/tasks', async (req, res) => {
    const { name, board } = await openBoard(req);
    const me = who(req);
    const input = parse(createTaskBody, req.body);
    if (!can(me, 'tasks', 'create'))
      throw new ApiError(403, `your role (${me.role}) may not create tasks`);
    const onlySelf = input.assignees?.every((id) => id === me.userId) ?? true;
    if (
      input.assignees?.length &&
      !can(me, 'tasks', 'assign') &&
      !(onlySelf && can(me, 'tasks', 'work'))
    ) {
      throw new ApiError(403, `your role (${me.role}) may not assign tasks to others`);
    }
    const grid = input.grid === undefined ? board.grid : input.grid;
    checkGrid(me, board, grid);
    if (input.archived) throw new ApiError(400, 'archived: a new task cannot be archived');
    checkAssignees(me.workspaceId, board, input.assignees ?? []);
    const task = await hub.change(name, me.userId, (doc) => {
      const tasks = new TaskBoard(doc);
      return tasks.get(tasks.create({ ...input, grid }, me.userId));
    });
    res.status(201).json({ task });
  });

  router.patch('/boards/:boardId/tasks/:taskId', async (req, res) => {
    const { name, board } = await openBoard(req);
    const me = who(req);
    const { assignees, tags, archived, ...patch } = parse(patchTaskBody, req.body);
    const taskId = String(req.params.taskId);
    if (patch.grid !== undefined) checkGrid(me, board, patch.grid);
    if (assignees) {
      if (!can(me, 'tasks', 'assign')) {
        throw new ApiError(403, `your role (${me.role}) may not change "assignees" of this task`);
      }
      checkAssignees(me.workspaceId, board, assignees);
    }
    const task = await hub.change(name, me.userId, (doc) => {
      const tasks = new TaskBoard(doc);
      const current = tasks.get(taskId);
      if (!current) throw new ApiError(404, 'no such task');
      const assigned = current.assignees.includes(me.userId);
      const fields = [
        ...Object.keys(patch),
        ...(assignees ? ['assignees'] : []),
        ...(tags ? ['tags'] : []),
        ...(archived !== undefined ? ['archived'] : []),
      ];
      for (const field of fields) {
        if (!taskFieldAllowed(me, field, assigned)) {
          throw new ApiError(403, `your role (${me.role}) may not change "${field}" of this task`);
        }
      }
      tasks.update(taskId, patch, me.userId);
      if (assignees) tasks.setAssignees(taskId, assignees, me.userId);
      if (tags) tasks.setTags(taskId, tags, me.userId);
      if (archived !== undefined && archived !== current.archived) {
        tasks.setArchived(taskId, archived, me.userId);
      }
      return tasks.get(taskId);
    });
    res.json({ task });
  });

  router.use(peopleRoutes.private(deps));
  router.use(reportRoutes(deps.summary));
  router.use(recordRoutes.private(deps));

  router.use((_req, _res) => {
    throw new ApiError(404, 'not found');
  });

  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, message } = toHttpError(error);
    if (status >= 500) logger.error('api error', { error: String(error) });
    res.status(status).json({ error: message });
  });

  function checkAssignees(workspaceId: string, board: BoardSummary, userIds: readonly string[]) {
    const wrong = userIds.find((id) => !access.assignable(workspaceId, board.grid, id));
    if (wrong)
      throw new ApiError(400, `assignees: ${wrong} cannot be assigned tasks of this board`);
  }

  /** The board behind `:boardId`, if it exists in the caller's workspace and they may read it. */
  async function openBoard(req: Request): Promise<{ name: string; board: BoardSummary }> {
    const boardId = String(req.params.boardId);
    const me = who(req);
    if (!isValidSegment(boardId)) throw new ApiError(404, 'no such board');
    const name = boardDocName(me.workspaceId, boardId);
    const board = await access.board({ kind: 'board', workspaceId: me.workspaceId, id: boardId });
    if (!board) throw new ApiError(404, 'no such board');
    if (!readable(me, board)) throw new ApiError(403, 'this board is outside your grids');
    return { name, board };
  }

  return router;
}

/** A task on a grid's board stays in that grid; on a workspace board, in the person's scope. */
function checkGrid(
  me: Parameters<typeof inScope>[0],
  board: BoardSummary,
  grid: string | null,
): void {
  if (board.grid !== null ? grid !== null && grid !== board.grid : !inScope(me, grid)) {
    throw new ApiError(400, 'grid: a task on this board must stay in its grid');
  }
}
