import crypto from 'node:crypto';
import express from 'express';
import {
  Roster,
  WorkspaceDirectory,
  dutyTable,
  readRosterSettings,
  rosterDocName,
  workspaceDocName,
  type Shift,
} from '@outpost/model';
import type { AccountStore } from '../accounts/AccountStore.ts';
import { RateLimiter } from '../accounts/RateLimiter.ts';
import type { YjsHub } from '../core/YjsHub.ts';

/** `<workspace>.<grid>.<secret>`: the link names its roster; the secret proves it. */
const TOKEN = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{22,64})$/;
/** Requests per address per minute: a notice-board QR code is scanned by people, not bots. */
const REQUESTS_PER_MINUTE = 60;

/** What the public duty table shows of a shift. */
export interface PublicShift {
  name: string;
  start: number;
  end: number;
  people: { name: string; phone?: string }[];
}

export interface PublicDutyTable {
  workspace: string;
  grid: string;
  timeZone: string;
  generatedAt: number;
  checkpoints: {
    name: string;
    kind: string;
    contact: string;
    now: PublicShift[];
    next: PublicShift[];
  }[];
}

/**
 * `GET /api/public/duty/<token>`: the read-only duty table behind a notice board's QR code,
 * without signing in. Only a live (not revoked) link of the roster answers; anything else is
 * the same 404, so a guess learns nothing. Phone numbers only when the workspace allows it.
 * Rate-limited per address.
 */
export function createDutyRouter(deps: { hub: YjsHub; accounts: AccountStore }): express.Router {
  const router = express.Router();
  const limiter = new RateLimiter(REQUESTS_PER_MINUTE, 60_000);
  const notFound = (res: express.Response) =>
    res
      .status(404)
      .json({ error: 'This duty table link is not valid: it may have been withdrawn.' });

  router.get('/:token', async (req, res) => {
    const ip = req.ip ?? 'unknown';
    const wait = limiter.retryAfter(ip);
    if (wait > 0) {
      res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
      res.status(429).json({ error: 'Too many requests. Try again in a minute.' });
      return;
    }
    limiter.fail(ip);
    res.setHeader('Cache-Control', 'no-store');
    const match = TOKEN.exec(String(req.params.token));
    if (!match) return void notFound(res);
    const [, workspaceId, grid, secret] = match as unknown as [string, string, string, string];
    if (!(await deps.accounts.workspace(workspaceId))) return void notFound(res);
    const directory = await deps.hub.read(workspaceDocName(workspaceId), (doc) => {
      const d = new WorkspaceDirectory(doc);
      return {
        name: d.name,
        grid: d.grids.get(grid)?.name ?? null,
        zone: d.timeZone,
        phones: readRosterSettings(d.meta).dutyTablePhones,
      };
    });
    if (directory.grid === null) return void notFound(res);
    const now = Date.now();
    const table = await deps.hub.read(rosterDocName(workspaceId, grid), (doc) => {
      const roster = new Roster(doc);
      const link = roster
        .listDutyLinks()
        .find((l) => l.revokedAt === null && sameSecret(l.token, secret));
      if (!link) return null;
      const staff = new Map(roster.listStaff().map((s) => [s.id, s]));
      const checkpoints = roster
        .listCheckpoints()
        .filter((c) => link.checkpoint === null || c.id === link.checkpoint);
      const shown = (shift: Shift): PublicShift => ({
        name: shift.name,
        start: shift.start,
        end: shift.end,
        people: shift.assignees.map((id) => {
          const person = staff.get(id);
          const name = person?.name ?? '?';
          return directory.phones && person?.phone ? { name, phone: person.phone } : { name };
        }),
      });
      return dutyTable(checkpoints, roster.listShifts(), now).map((entry) => ({
        name: entry.checkpoint.name,
        kind: entry.checkpoint.kind,
        contact: entry.checkpoint.contact,
        now: entry.now.map(shown),
        next: entry.next.map(shown),
      }));
    });
    if (!table) return void notFound(res);
    const body: PublicDutyTable = {
      workspace: directory.name,
      grid: directory.grid,
      timeZone: directory.zone,
      generatedAt: now,
      checkpoints: table,
    };
    res.json(body);
  });
  return router;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
