/**
 * 7. Map (Outpost only): a district's live map in Chromium. Seeds located tasks spread over a
 * city-sized area on several boards (6,000 pins; quick: 1,000), signs the leader in, and
 * measures how long /map takes until every pin is in the live summary and drawn (clustered),
 * then the frame times while the map is dragged around and zoomed. Reported, never asserted.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import type { Page } from 'playwright-core';
import { TaskBoard, TASK_KINDS, TASK_STATUSES } from '@outpost/model';
import { FullClient } from '../client/clients.ts';
import { CHROMIUM, openLeaderPage } from '../client/leader-page.ts';
import { ACTOR } from '../client/seed.ts';
import { docUrl } from '../lib/protocol.ts';
import { summarize, type Summary } from '../lib/stats.ts';
import { REPO_ROOT } from '../servers/targets.ts';
import { boardDoc, errorsOf, forEachTarget, registerBoards, row, type Scenario } from './common.ts';

const BOARDS = 10;
const GRIDS = ['g1', 'g2', 'g3', 'g4'];

interface MapResult {
  pins: number;
  /** Navigation until the summary is live and the side list counts every pin. */
  loadMs: number;
  /** Frame intervals while dragging and zooming the map. */
  frames: Summary | null;
  /** Frames longer than 50 ms (visible stutter). */
  longFrames: number;
  heapBytes: number | null;
}

/** `count` located tasks on one board, 200 per update, spread over ~20 × 20 km around Wuhan. */
function seedLocated(boardIndex: number, count: number): Uint8Array[] {
  const updates: Uint8Array[] = [];
  let seed = boardIndex * 7919 + 1;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let from = 0; from < count; from += 200) {
    const doc = new Y.Doc();
    const board = new TaskBoard(doc);
    if (from === 0) board.meta.set('name', `Map bench ${boardIndex}`);
    for (let i = from; i < Math.min(count, from + 200); i++) {
      board.create(
        {
          title: `Checkpoint ${boardIndex}-${i}`,
          status: TASK_STATUSES[i % TASK_STATUSES.length]!,
          kind: TASK_KINDS[i % TASK_KINDS.length]!,
          grid: GRIDS[i % GRIDS.length]!,
          location: { lat: 30.45 + rand() * 0.2, lng: 114.2 + rand() * 0.25 },
          due: i % 5 === 0 ? Date.now() - 3600_000 : null,
        },
        ACTOR,
      );
    }
    updates.push(Y.encodeStateAsUpdate(doc));
    doc.destroy();
  }
  return updates;
}

export const map: Scenario = {
  name: 'map',
  title: '9. Map: a district of located tasks in Chromium (6,000 pins; quick: 1,000)',
  expectedMs: { quick: 12_000, full: 60_000 },
  async run(ctx) {
    const pins = ctx.quick ? 1000 : 6000;
    const none = { rows: [], checks: [], errors: [], details: {} };
    if (!fs.existsSync(path.join(REPO_ROOT, 'web', 'build', 'handler.js')))
      return { ...none, skipped: 'web app not built (run pnpm build)' };
    if (!fs.existsSync(CHROMIUM)) return { ...none, skipped: `${CHROMIUM} not installed` };
    const outcomes = await forEachTarget(ctx, ['outpost'], async (target): Promise<MapResult> => {
      const ids = Array.from({ length: BOARDS }, (_, i) => `map-bench-${i}`);
      await registerBoards(ctx, target, ids);
      for (let b = 0; b < BOARDS; b++) {
        const client = await FullClient.connect(
          docUrl(target.wsBase, boardDoc(ids[b]!), target.token),
          {
            timeoutMs: 60_000,
          },
        );
        try {
          for (const update of seedLocated(b, Math.ceil(pins / BOARDS)))
            Y.applyUpdate(client.doc, update);
          await client.barrier(60_000);
        } finally {
          await client.close();
        }
      }
      ctx.log(`  seeded ${pins} located tasks on ${BOARDS} boards`);
      const { browser, context, page } = await openLeaderPage(target);
      try {
        const t0 = performance.now();
        await page.goto('/map', { waitUntil: 'commit' });
        await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
        await page.waitForFunction((want) => {
          const text = document.querySelector('#pin-list-heading')?.textContent ?? '';
          return Number(/\d+/.exec(text.replace(/,/g, ''))?.[0] ?? 0) >= want;
        }, pins);
        await page.locator('.marker-cluster, .leaflet-marker-icon').first().waitFor();
        const loadMs = performance.now() - t0;
        const frames = await panAndZoom(page);
        const heapBytes = await page.evaluate(() => {
          const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
          return memory ? memory.usedJSHeapSize : null;
        });
        await context.close();
        return {
          pins,
          loadMs,
          frames: summarize(frames),
          longFrames: frames.filter((f) => f > 50).length,
          heapBytes,
        };
      } finally {
        await browser.close().catch(() => undefined);
      }
    });
    const na = { naText: 'n/a' };
    return {
      rows: [
        row('', `/map with ${pins} pins: live and drawn`, 'ms', outcomes, (v) => v.loadMs, na),
        row(
          '',
          'frame time while panning and zooming p50',
          'ms',
          outcomes,
          (v) => v.frames?.p50,
          na,
        ),
        row('', 'frame time p95', 'ms', outcomes, (v) => v.frames?.p95, na),
        row('', 'frame time max', 'ms', outcomes, (v) => v.frames?.max, na),
        row('', 'frames over 50 ms', 'count', outcomes, (v) => v.longFrames, {
          ...na,
          noRatio: true,
        }),
        row('', 'JS heap after load', 'bytes', outcomes, (v) => v.heapBytes ?? undefined, na),
      ],
      checks: [],
      errors: errorsOf(outcomes),
      details: { pins, outcomes },
    };
  },
};

/** Drags the map around and zooms in and out while the page records every frame interval. */
async function panAndZoom(page: Page): Promise<number[]> {
  // A string, not a function: the bundler's helpers (e.g. `__name`) do not exist in the page.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__stop = false;
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const box = (await page.locator('.map').boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  for (let i = 0; i < 6; i++) {
    const dx = (i % 2 === 0 ? 1 : -1) * 300;
    const dy = (i % 3 === 0 ? 1 : -1) * 150;
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx + dx, cy + dy, { steps: 30 });
    await page.mouse.up();
  }
  for (const delta of [-300, -300, 300, 300]) {
    await page.mouse.move(cx, cy);
    await page.mouse.wheel(0, delta);
    await page.waitForTimeout(400);
  }
  return page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__stop = true;
    return w.__frames.slice(1);
  });
}
