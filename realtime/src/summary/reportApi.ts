import express from 'express';
import { z } from 'zod';
import { can, inScope, isDay } from '@outpost/model';
import { ApiError, idSchema, parse, who } from '../http/kit.ts';
import type { SummaryService } from './SummaryService.ts';

const reportQuery = z
  .object({
    day: z.string().refine(isDay, 'a calendar day as YYYY-MM-DD'),
    /** Comma-separated grid ids; absent: every grid in the reader's scope. */
    grids: z
      .string()
      .max(64 * 65)
      .optional()
      .transform((v) => (v ? v.split(',') : null))
      .pipe(z.array(idSchema).max(64).nullable()),
  })
  .strict();

/** `GET /api/report?day=YYYY-MM-DD&grids=g1,g2`: the daily report, for people with reports:read. */
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
    res.json({ report: summary.report(me, day, scoped), today: summary.today(me.workspaceId) });
  });
  return router;
}
