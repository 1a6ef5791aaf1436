import express from 'express';
import { z } from 'zod';
import { can, inScope, isDay } from '@outpost/model';
import { ApiError, idSchema, parse, who } from '../http/kit.ts';
import type { SummaryService } from './SummaryService.ts';

const reportQuery = z
  .object({
    /** Absent: today, in the workspace's time zone. */
    day: z.string().refine(isDay, 'a calendar day as YYYY-MM-DD').optional(),
    /** Comma-separated grid ids; absent: every grid in the reader's scope. */
    grids: z
      .string()
      .max(64 * 65)
      .optional()
      .transform((v) => (v ? v.split(',') : null))
      .pipe(z.array(idSchema).max(64).nullable()),
  })
  .strict();

/**
 * `GET /api/report?day=YYYY-MM-DD&grids=g1,g2`: the daily report (of today without `day`), for
 * people with reports:read;
 * `GET /api/rosters/<grid>/elsewhere`: the grid's people booked on another grid at the same time.
 */
export function reportRoutes(summary: SummaryService): express.Router {
  const router = express.Router();
  router.get('/report', async (req, res) => {
    const me = who(req);
    if (!can(me, 'reports', 'read'))
      throw new ApiError(403, `your role (${me.role}) may not read reports`);
    const { day, grids } = parse(reportQuery, req.query);
    for (const grid of grids ?? []) {
      if (!inScope(me, grid)) throw new ApiError(403, `grid ${grid} is outside your grids`);
    }
    await summary.ready;
    // A person scoped to some grids gets those grids, never the workspace-wide remainder.
    const scoped = grids ?? (inScope(me, null) ? null : [...(me.grids ?? [])]);
    const today = summary.today(me.workspaceId);
    res.json({ report: summary.report(me, day ?? today, scoped), today });
  });
  // People of this grid's roster booked at the same time on another grid's: each grid keeps
  // its own roster, so only the server sees both.
  router.get('/rosters/:grid/elsewhere', async (req, res) => {
    const me = who(req);
    const grid = parse(idSchema, req.params.grid);
    if (!can(me, 'schedules', 'read'))
      throw new ApiError(403, `your role (${me.role}) may not read rosters`);
    if (!inScope(me, grid)) throw new ApiError(403, `grid ${grid} is outside your grids`);
    await summary.ready;
    res.json({ bookings: summary.elsewhere(me.workspaceId, grid) });
  });
  return router;
}
