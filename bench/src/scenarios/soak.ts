/**
 * 8. Command view soak (Outpost only): the wall screen left open all day, compressed. Chromium
 * at 1920×1080 shows /command while writers on several boards change tasks without pause:
 * status moves (events and counters), pins moved, new located tasks and archived ones (pins
 * come and go). The page's JS heap after a forced garbage collection, its DOM nodes and event
 * listeners are sampled over the run. A view that keeps what it no longer shows grows with the
 * number of edits; a bounded one stays flat. Reported, never asserted.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CDPSession } from 'playwright-core';
import { TASK_STATUSES } from '@outpost/model';
import { FullClient } from '../client/clients.ts';
import { CHROMIUM, openLeaderPage } from '../client/leader-page.ts';
import { ACTOR } from '../client/seed.ts';
import { docUrl } from '../lib/protocol.ts';
import { REPO_ROOT } from '../servers/targets.ts';
import { boardDoc, errorsOf, forEachTarget, registerBoards, row, type Scenario } from './common.ts';

const BOARDS = 4;
const GRIDS = ['g1', 'g2', 'g3', 'g4'];
/** Located tasks each board keeps (new ones replace archived ones). */
const LIVE_PER_BOARD = 150;

interface Sample {
  edits: number;
  heapBytes: number;
  nodes: number;
  listeners: number;
}

interface SoakResult {
  edits: number;
  seconds: number;
  samples: Sample[];
  /**
   * Heap growth per 1,000 edits after the warm-up (the first eighth of the run, in which the
   * event feed fills to its bound), from the second sample to the last; null when fewer than
   * 1,000 edits followed the warm-up (the quick run), too few to tell growth from noise.
   */
  heapGrowthPer1000: number | null;
}

export const soak: Scenario = {
  name: 'soak',
  title: '10. Command view soak: /command open while the district works (quick: 120 edits)',
  expectedMs: { quick: 12_000, full: 200_000 },
  async run(ctx) {
    const seconds = ctx.quick ? 6 : 180;
    const perSecond = ctx.quick ? 20 : 40;
    const none = { rows: [], checks: [], errors: [], details: {} };
    if (!fs.existsSync(path.join(REPO_ROOT, 'web', 'build', 'handler.js')))
      return { ...none, skipped: 'web app not built (run pnpm build)' };
    if (!fs.existsSync(CHROMIUM)) return { ...none, skipped: `${CHROMIUM} not installed` };
    const outcomes = await forEachTarget(ctx, ['outpost'], async (target): Promise<SoakResult> => {
      const ids = Array.from({ length: BOARDS }, (_, i) => `soak-${i}`);
      await registerBoards(ctx, target, ids);
      const writers = await Promise.all(
        ids.map((id) =>
          FullClient.connect(docUrl(target.wsBase, boardDoc(id), target.token), {
            timeoutMs: 60_000,
          }),
        ),
      );
      const { browser, context, page } = await openLeaderPage(target);
      try {
        const live = writers.map((w, b) =>
          Array.from({ length: LIVE_PER_BOARD }, (_, i) => newTask(w, b, i)),
        );
        await Promise.all(writers.map((w) => w.barrier(60_000)));
        await page.goto('/command');
        await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
        const cdp = await context.newCDPSession(page);
        await cdp.send('Performance.enable');
        const samples: Sample[] = [];
        let edits = 0;
        const sample = async () => samples.push({ edits, ...(await measure(cdp)) });
        await sample();

        const total = seconds * perSecond;
        const sampleEvery = Math.max(1, Math.floor(total / 8));
        const started = performance.now();
        let serial = LIVE_PER_BOARD;
        while (edits < total) {
          const b = edits % BOARDS;
          const writer = writers[b]!;
          const pool = live[b]!;
          const pick = (edits * 7919) % pool.length;
          const id = pool[pick]!;
          if (edits % 10 === 9) {
            // A task leaves the map and a new one arrives: new pin keys all day long.
            writer.board.setArchived(id, true, ACTOR);
            pool[pick] = newTask(writer, b, serial++);
          } else if (edits % 3 === 0) {
            const at = writer.board.get(id)?.location;
            if (at) writer.board.update(id, { location: nudge(at, edits) }, ACTOR);
          } else {
            const status = TASK_STATUSES[((edits / BOARDS) % TASK_STATUSES.length) | 0]!;
            writer.board.move(id, status, null, ACTOR);
          }
          edits++;
          if (edits % sampleEvery === 0) {
            await Promise.all(writers.map((w) => w.barrier(30_000)));
            await sample();
          }
          // Paced: edit n is due at n / perSecond seconds.
          const due = started + (edits / perSecond) * 1000;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((done) => setTimeout(done, wait));
        }
        await Promise.all(writers.map((w) => w.barrier(30_000)));
        // Let the last deltas reach the page before the final sample.
        await page.waitForTimeout(1000);
        await sample();
        const warm = samples[1]!;
        const last = samples[samples.length - 1]!;
        return {
          edits,
          seconds: (performance.now() - started) / 1000,
          samples,
          heapGrowthPer1000:
            last.edits - warm.edits >= 1000
              ? ((last.heapBytes - warm.heapBytes) / (last.edits - warm.edits)) * 1000
              : null,
        };
      } finally {
        await Promise.all(writers.map((w) => w.close().catch(() => undefined)));
        await browser.close().catch(() => undefined);
      }
    });
    const na = { naText: 'n/a' };
    const at = (which: 'first' | 'last', key: keyof Sample) => (v: SoakResult) => {
      const s = which === 'first' ? v.samples[0] : v.samples[v.samples.length - 1];
      return s?.[key];
    };
    return {
      rows: [
        row('', 'edits made while /command was open', 'count', outcomes, (v) => v.edits, {
          ...na,
          noRatio: true,
        }),
        row('', 'JS heap after GC, at the start', 'bytes', outcomes, at('first', 'heapBytes'), na),
        row('', 'JS heap after GC, at the end', 'bytes', outcomes, at('last', 'heapBytes'), na),
        row(
          '',
          'heap growth per 1,000 edits after warm-up (full run only)',
          'bytes',
          outcomes,
          (v) => v.heapGrowthPer1000,
          na,
        ),
        row('', 'DOM nodes start', 'count', outcomes, at('first', 'nodes'), {
          ...na,
          noRatio: true,
        }),
        row('', 'DOM nodes end', 'count', outcomes, at('last', 'nodes'), { ...na, noRatio: true }),
        row(
          '',
          'event listeners end (start in details)',
          'count',
          outcomes,
          at('last', 'listeners'),
          {
            ...na,
            noRatio: true,
          },
        ),
      ],
      checks: [],
      errors: errorsOf(outcomes),
      details: { seconds, perSecond, outcomes },
    };
  },
};

function newTask(writer: FullClient, board: number, serial: number): string {
  return writer.board.create(
    {
      title: `Soak ${board}-${serial}`,
      grid: GRIDS[board % GRIDS.length]!,
      location: {
        lat: 30.45 + ((serial * 37) % 200) / 1000,
        lng: 114.2 + ((serial * 53) % 250) / 1000,
      },
    },
    ACTOR,
  );
}

function nudge(at: { lat: number; lng: number }, n: number): { lat: number; lng: number } {
  const step = n % 2 === 0 ? 0.0004 : -0.0004;
  return { lat: at.lat + step, lng: at.lng - step };
}

/** The page's heap after a full garbage collection, its DOM nodes and its event listeners. */
async function measure(cdp: CDPSession): Promise<Omit<Sample, 'edits'>> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
  return { heapBytes: usedSize, nodes: metric('Nodes'), listeners: metric('JSEventListeners') };
}
