/**
 * 2. Cold join: a board of 5,000 tasks. A fresh client joins (the first one after the document
 * left Outpost's memory, then more while it is loaded): time to synced and bytes received. Then
 * a returning client that has all but the last 10 edits: it must receive only the difference.
 * The relay stores nothing, so it has no figure here.
 */
import type { ColdJoinResult, ColdSeedResult } from '../client/worker.ts';
import { median, pollUntil, sleep } from '../lib/stats.ts';
import {
  UNLOAD_GRACE_MS,
  boardDoc,
  check,
  errorsOf,
  forEachTarget,
  noiseRow,
  registerBoards,
  row,
  type Scenario,
} from './common.ts';

interface ColdSample {
  seed: ColdSeedResult;
  join: ColdJoinResult;
  rssLoadedBytes: number;
  rssAfterSeedBytes: number;
  /** Outpost: how long after the last client left the board was stored and unloaded. */
  unloadedAfterMs: number | null;
  backlog: { bytes: number; ms: number };
}

/** Longest wait for Outpost to unload the board (grace, then its final store). */
const UNLOAD_TIMEOUT_MS = UNLOAD_GRACE_MS + 15_000;

export const coldJoin: Scenario = {
  name: 'cold-join',
  title: '2. Cold join: a board of 5,000 tasks (quick: 2,000)',
  expectedMs: { quick: 8_000, full: 32_000 },
  async run(ctx) {
    const { tasks, lateEdits, joins, backlogTasks } = ctx.sizes.cold;
    const doc = boardDoc('cold');
    const outcomes = await forEachTarget(ctx, ['outpost', 'reference'], async (target) => {
      const endpoint = { wsBase: target.wsBase, token: target.token };
      await registerBoards(ctx, target, ['cold', 'backlog']);
      const seed = await ctx.pool.call<ColdSeedResult>(
        0,
        { cmd: 'coldSeed', args: { ...endpoint, doc, tasks, lateEdits, timeoutMs: 60_000 } },
        150_000,
      );
      const afterSeed = await target.sample();
      ctx.log(
        `  ${target.kind}: seeded ${tasks} tasks (${(seed.seedBytes / 1e6).toFixed(2)} MB) in ${seed.seedMs.toFixed(0)} ms`,
      );
      // Outpost stores a snapshot when the board leaves memory: wait for it (bounded). The
      // reference keeps documents in memory for as long as it runs: nothing to wait for.
      let unloadedAfterMs: number | null = null;
      if (target.kind === 'outpost') {
        const stored = await pollUntil(
          () => (target.snapshotsSince(doc, seed.closedAt) ?? 0) > 0,
          UNLOAD_TIMEOUT_MS,
          50,
        );
        if (!stored) throw new Error(`the board was not unloaded within ${UNLOAD_TIMEOUT_MS} ms`);
        unloadedAfterMs = Date.now() - seed.closedAt;
        await sleep(200);
        ctx.log(`  ${target.kind}: board left memory ${unloadedAfterMs} ms after the seeder left`);
      }
      const join = await ctx.pool.call<ColdJoinResult>(
        0,
        { cmd: 'coldJoin', args: { ...endpoint, doc, joins, timeoutMs: 60_000 } },
        150_000,
      );
      const loaded = await target.sample();
      const first = join.joins[0];
      ctx.log(
        `  ${target.kind}: first join ${first?.ms.toFixed(0)} ms, ${first?.bytes} B; returning client ${join.returning.bytes} B (ideal ${join.returning.idealDiffBytes} B)`,
      );
      const backlog = await ctx.pool.call<{ bytes: number; ms: number }>(
        0,
        {
          cmd: 'ingest',
          args: { ...endpoint, doc: boardDoc('backlog'), tasks: backlogTasks, timeoutMs: 120_000 },
        },
        150_000,
      );
      ctx.log(
        `  ${target.kind}: one update of ${backlogTasks} tasks (${(backlog.bytes / 1e6).toFixed(2)} MB) processed in ${backlog.ms.toFixed(0)} ms`,
      );
      return {
        seed,
        join,
        rssLoadedBytes: loaded.rssBytes,
        rssAfterSeedBytes: afterSeed.rssBytes,
        unloadedAfterMs,
        backlog,
      };
    });

    const warm = (v: ColdSample) => median(v.join.joins.slice(1).map((j) => j.ms));
    const na = { naText: 'n/a (no state)' };
    const rows = [
      row(
        '',
        `seed ${tasks} tasks (as updates of 100) until processed`,
        'ms',
        outcomes,
        (v) => v.seed.seedMs,
        na,
      ),
      row(
        '',
        'first join after unload: time to synced',
        'ms',
        outcomes,
        (v) => v.join.joins[0]?.ms,
        na,
      ),
      row('', 'join while loaded: time to synced (median)', 'ms', outcomes, warm, na),
      row('', 'fresh client: bytes received', 'bytes', outcomes, (v) => v.join.joins[0]?.bytes, na),
      row(
        '',
        `returning client (lacks last ${lateEdits} edits): bytes`,
        'bytes',
        outcomes,
        (v) => v.join.returning.bytes,
        na,
      ),
      row('', 'returning client: time to synced', 'ms', outcomes, (v) => v.join.returning.ms, na),
      row(
        '',
        'returning client: minimum possible (the diff)',
        'bytes',
        outcomes,
        (v) => v.join.returning.idealDiffBytes,
        na,
      ),
      row('', 'server RSS with the board loaded', 'bytes', outcomes, (v) => v.rssLoadedBytes, na),
      row(
        '',
        `one update of ${backlogTasks} tasks (offline backlog) accepted`,
        'ms',
        outcomes,
        (v) => v.backlog.ms,
        na,
      ),
      noiseRow('', outcomes),
    ];
    const checks = [];
    for (const [kind, outcome] of Object.entries(outcomes)) {
      if (!outcome?.ok) continue;
      const { join } = outcome.value;
      const bad = join.joins.filter((j) => j.tasks !== join.expectedTasks).length;
      checks.push(
        check(
          bad === 0,
          `cold join ${kind}: every fresh client got all ${join.expectedTasks} tasks${bad ? ` (${bad} did not)` : ''}`,
        ),
      );
      checks.push(
        check(
          join.returning.complete,
          `cold join ${kind}: the returning client caught up completely`,
        ),
      );
      // Frames around the diff (server SyncStep1, headers) cost a few dozen bytes.
      const overhead = join.returning.step2Bytes - join.returning.idealDiffBytes;
      checks.push(
        check(
          overhead <= 64,
          `cold join ${kind}: returning client's SyncStep2 is ${join.returning.step2Bytes} B for a ${join.returning.idealDiffBytes} B diff`,
        ),
      );
    }
    return {
      rows,
      checks,
      errors: errorsOf(outcomes),
      details: { sizes: ctx.sizes.cold, outcomes },
    };
  },
};
