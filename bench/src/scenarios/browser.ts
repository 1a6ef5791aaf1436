/**
 * 6. Browser (Outpost only): time until a 5,000-task board is interactive in Chromium, and an
 * edit's latency from one page to another. Reported as skipped when the web app is not built or
 * its login page does not work yet.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserResult } from '../client/browser.ts';
import { REPO_ROOT } from '../servers/targets.ts';
import { boardDoc, errorsOf, forEachTarget, registerBoards, row, type Scenario } from './common.ts';

const CHROMIUM = '/usr/bin/chromium';

export const browser: Scenario = {
  name: 'browser',
  title: '6. Browser: a large board in Chromium (5,000 tasks; quick: 2,000)',
  expectedMs: { quick: 12_000, full: 55_000 },
  async run(ctx) {
    const { tasks, moves } = ctx.sizes.browser;
    const handler = path.join(REPO_ROOT, 'web', 'build', 'handler.js');
    const none = { rows: [], checks: [], errors: [], details: {} };
    if (!fs.existsSync(handler))
      return {
        ...none,
        skipped: 'web app not built (web/build/handler.js missing; run pnpm build)',
      };
    if (!fs.existsSync(CHROMIUM))
      return { ...none, skipped: `${CHROMIUM} not installed (apt-get install chromium)` };
    const outcomes = await forEachTarget(ctx, ['outpost'], async (target) => {
      await registerBoards(ctx, target, ['bench-board']);
      return ctx.pool.call<BrowserResult>(
        0,
        {
          cmd: 'browser',
          args: {
            httpUrl: target.httpUrl,
            wsBase: target.wsBase,
            token: target.token,
            password: target.password,
            boardId: 'bench-board',
            doc: boardDoc('bench-board'),
            tasks,
            moves,
            timeoutMs: 60_000,
          },
        },
        300_000,
      );
    });
    const skipped =
      outcomes.outpost && !outcomes.outpost.ok && outcomes.outpost.error.startsWith('skipped:')
        ? outcomes.outpost.error.slice('skipped:'.length).trim()
        : undefined;
    if (skipped) return { ...none, skipped, details: { outcomes } };
    const na = { naText: 'n/a' };
    const rows = [
      row(
        '',
        `board of ${tasks} tasks interactive (first page)`,
        'ms',
        outcomes,
        (v) => v.interactiveMs,
        na,
      ),
      row(
        '',
        'board interactive (second person)',
        'ms',
        outcomes,
        (v) => v.interactiveSecondMs,
        na,
      ),
      row('', 'cards rendered', 'count', outcomes, (v) => v.cardsRendered, {
        ...na,
        noRatio: true,
      }),
      row('', 'edit page → other page p50 (keyboard move)', 'ms', outcomes, (v) => v.edit?.p50, na),
      row('', 'edit page → other page max', 'ms', outcomes, (v) => v.edit?.max, na),
      row(
        '',
        'of which: key press → update on the wire p50',
        'ms',
        outcomes,
        (v) => v.editWire?.p50,
        na,
      ),
      row(
        '',
        'of which: key press → own page shows it p50',
        'ms',
        outcomes,
        (v) => v.editLocal?.p50,
        na,
      ),
    ];
    return {
      rows,
      checks: [],
      errors: errorsOf(outcomes),
      details: { sizes: ctx.sizes.browser, outcomes },
    };
  },
};
