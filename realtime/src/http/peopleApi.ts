import express from 'express';
import { z } from 'zod';
import { LIMITS, ROLES, WorkspaceDirectory, can, workspaceDocName } from '@outpost/model';
import type { UserRecord } from '../accounts/AccountStore.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../accounts/passwords.ts';
import { RateLimiter } from '../accounts/RateLimiter.ts';
import type { ApiDeps } from './api.ts';
import { ApiError, idSchema, parse, requireJson, who } from './kit.ts';

/** How long an invitation or reset link works. */
const LINK_TTL_MS = 7 * 24 * 3600_000;

const username = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)');
const grids = z.array(idSchema).max(500).nullable();
const createUserBody = z
  .object({
    username,
    displayName: z.string().trim().min(1).max(LIMITS.nameLength),
    role: z.enum(ROLES),
    grids: grids.default(null),
  })
  .strict();
const changeUserBody = z
  .object({
    displayName: z.string().trim().min(1).max(LIMITS.nameLength),
    role: z.enum(ROLES),
    grids,
    disabled: z.boolean(),
  })
  .partial()
  .strict();
const joinBody = z
  .object({ password: z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH) })
  .strict();

/** What an administrator sees of an account: never a hash, never a secret. */
function publicUser(user: UserRecord) {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    grids: user.grids,
    disabled: user.disabled,
    hasPassword: user.hasPassword,
    createdAt: user.createdAt,
  };
}

/** People and accounts: invitations, roles and scopes, disabling, password resets. */
export const peopleRoutes = {
  public({ accounts, access }: ApiDeps): express.Router {
    const router = express.Router();
    const attempts = new RateLimiter(30, 15 * 60_000);

    router.get('/invites/:token', async (req, res) => {
      const found = await accounts.inviteUser(String(req.params.token));
      if (!found) throw new ApiError(404, 'this link is no longer valid; ask for a new one');
      res.json({
        username: found.user.username,
        displayName: found.user.displayName,
        purpose: found.purpose,
      });
    });

    router.post('/invites/:token', async (req, res) => {
      requireJson(req);
      const ip = req.ip ?? 'unknown';
      if (attempts.retryAfter(ip) > 0)
        throw new ApiError(429, 'too many attempts; try again later');
      const { password } = parse(joinBody, req.body);
      const user = await accounts.redeemInvite(String(req.params.token), password);
      if (!user) {
        attempts.fail(ip);
        throw new ApiError(404, 'this link is no longer valid; ask for a new one');
      }
      // A reset ended the account's sessions: close what they have open now.
      await access.revokeInvalid('password reset');
      res.json({ username: user.username });
    });
    return router;
  },

  private({ accounts, access, hub }: ApiDeps): express.Router {
    const router = express.Router();

    const requirePeople = (req: express.Request, action: 'read' | 'create' | 'edit') => {
      const me = who(req);
      if (!can(me, 'people', action))
        throw new ApiError(403, `your role (${me.role}) may not ${action} people`);
      return me;
    };
    const knownGrids = async (workspaceId: string, list: string[] | null) => {
      if (list === null) return;
      const known = await hub.read(
        workspaceDocName(workspaceId),
        (doc) => new WorkspaceDirectory(doc).grids,
      );
      const unknown = list.filter((g) => !known.has(g));
      if (unknown.length) throw new ApiError(400, `grids: unknown grid ${unknown[0]}`);
    };
    const target = async (req: express.Request) => {
      const user = await accounts.user(String(req.params.userId));
      if (!user || user.workspaceId !== who(req).workspaceId)
        throw new ApiError(404, 'no such user');
      return user;
    };
    const link = (token: string) => ({
      token,
      path: `/join/${token}`,
      expiresAt: Date.now() + LINK_TTL_MS,
    });

    router.get('/users', async (req, res) => {
      const me = requirePeople(req, 'read');
      res.json({ users: (await accounts.users(me.workspaceId)).map(publicUser) });
    });

    router.post('/users', async (req, res) => {
      const me = requirePeople(req, 'create');
      const input = parse(createUserBody, req.body);
      if (await accounts.userByName(input.username))
        throw new ApiError(409, 'username: already taken');
      await knownGrids(me.workspaceId, input.grids);
      const user = await accounts.createUser({
        ...input,
        workspaceId: me.workspaceId,
        password: null,
      });
      // Every node learns of the new account (assignable at once, anywhere).
      await access.applyUserChange(user);
      const invite = link(await accounts.createInvite(user.id, 'invite', me.userId, LINK_TTL_MS));
      res.status(201).json({ user: publicUser(user), invite });
    });

    router.patch('/users/:userId', async (req, res) => {
      const me = requirePeople(req, 'edit');
      const change = parse(changeUserBody, req.body);
      const user = await target(req);
      if (user.id === me.userId && (change.disabled || (change.role && change.role !== me.role))) {
        throw new ApiError(409, 'you cannot disable yourself or change your own role');
      }
      if (change.grids !== undefined) await knownGrids(me.workspaceId, change.grids);
      const updated = await accounts.updateUser(user.id, change);
      await access.applyUserChange(updated);
      res.json({ user: publicUser(updated) });
    });

    router.post('/users/:userId/reset', async (req, res) => {
      const me = requirePeople(req, 'edit');
      const user = await target(req);
      const token = await accounts.createInvite(user.id, 'reset', me.userId, LINK_TTL_MS);
      res.status(201).json({ reset: link(token) });
    });
    return router;
  },
};
