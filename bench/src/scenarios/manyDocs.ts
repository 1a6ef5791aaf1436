/**
 * 3. Many documents: D documents with 2 clients each (the first writes one task). Connect time,
 * server CPU per connection, RSS; then everyone leaves and, after Outpost's unload grace (1 s in
 * the bench) and the reference's own behaviour (it keeps documents without persistence), RSS
 * again: it should come back near the baseline. Servers run with an inspector so that a forced
 * full GC at the start and at the end tells memory still held from memory not yet collected.
 */
import type { ConnectResult } from '../client/worker.ts';
import { sleep, summarize } from '../lib/stats.ts';
import {
  UNLOAD_GRACE_MS,
  boardDoc,
  check,
  errorsOf,
  forEachTarget,
  noiseRow,
  registerBoards,
  row,
  spread,
  warning,
  type Scenario,
} from './common.ts';

interface ManySample {
  connections: number;
  connect: Omit<ConnectResult, 'times'>[];
  wallMs: number;
  p50: number | null;
  p99: number | null;
  cpuPerConnectionMs: number;
  /** After a forced full GC, before anyone connects. */
  rssBaseline: number;
  heapBaseline: number;
  rssConnected: number;
  /** After everyone left and the wait, as the OS sees it. */
  rssAfterLeave: number;
  /** The same after a forced full GC. */
  rssAfterLeaveGc: number;
  heapAfterLeaveGc: number;
  documentsAfterLeave: number | null;
}

export const manyDocs: Scenario = {
  name: 'many-docs',
  title: '3. Many documents: 2 clients each, then all leave (1,000 documents; quick: 100)',
  expectedMs: { quick: 12_000, full: 35_000 },
  async run(ctx) {
    const { docs, settleMs, afterLeaveMs } = ctx.sizes.manyDocs;
    const outcomes = await forEachTarget(
      ctx,
      ['outpost', 'reference', 'relay'],
      async (target) => {
        const ids = Array.from({ length: docs }, (_, i) => `many-${i}`);
        await registerBoards(ctx, target, ids);
        const names = ids.map(boardDoc);
        // Both clients of a document in the same worker, documents spread over workers.
        const perWorker = spread(names, ctx.sizes.workers).map((part) =>
          part.flatMap((d) => [d, d]),
        );
        const baseline = await target.sampleAfterGc();
        const started = performance.now();
        const connect = await ctx.pool.all<ConnectResult>(
          perWorker.map((list) => ({
            cmd: 'connect',
            args: {
              wsBase: target.wsBase,
              token: target.token,
              group: 'many',
              docs: list,
              concurrency: ctx.sizes.connectConcurrency,
              perConnectionTimeoutMs: 20_000,
              totalTimeoutMs: 90_000,
              seedFirstPerDoc: true,
            },
          })),
          120_000,
        );
        const wallMs = performance.now() - started;
        const failed = connect.reduce((n, c) => n + c.failed, 0);
        if (failed > 0)
          throw new Error(`${failed} connections failed: ${connect.flatMap((c) => c.errors)[0]}`);
        await sleep(settleMs);
        const connected = await target.sample();
        const connections = docs * 2;
        const leftAt = Date.now();
        await ctx.pool.all(
          perWorker.map(() => ({ cmd: 'close', group: 'many' })),
          120_000,
        );
        await sleep((target.kind === 'outpost' ? UNLOAD_GRACE_MS : 0) + afterLeaveMs);
        const after = await target.sample();
        const afterGc = await target.sampleAfterGc();
        let documentsAfterLeave: number | null = null;
        if (after.documents !== null && baseline.documents !== null) {
          documentsAfterLeave = after.documents - baseline.documents;
        } else {
          const unloaded = target.snapshotsSince(boardDoc('many-'), leftAt);
          documentsAfterLeave = unloaded === null ? null : docs - unloaded;
        }
        const all = summarize(connect.flatMap((c) => c.times));
        const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
        ctx.log(
          `  ${target.kind}: ${connections} connections in ${(wallMs / 1000).toFixed(2)} s; RSS ${mb(baseline.rssBytes)} → ${mb(connected.rssBytes)} → ${mb(after.rssBytes)} (${mb(afterGc.rssBytes)} after GC) MB; heap ${mb(baseline.heapUsedBytes)} → ${mb(afterGc.heapUsedBytes)} MB`,
        );
        return {
          connections,
          connect: connect.map(({ times: _times, ...rest }) => rest),
          wallMs,
          p50: all?.p50 ?? null,
          p99: all?.p99 ?? null,
          cpuPerConnectionMs: (connected.cpuMs - baseline.cpuMs) / connections,
          rssBaseline: baseline.rssBytes,
          heapBaseline: baseline.heapUsedBytes,
          rssConnected: connected.rssBytes,
          rssAfterLeave: after.rssBytes,
          rssAfterLeaveGc: afterGc.rssBytes,
          heapAfterLeaveGc: afterGc.heapUsedBytes,
          documentsAfterLeave,
        } satisfies ManySample;
      },
      { inspect: true },
    );
    const n = docs * 2;
    const rows = [
      row('', `connect ${n} clients to ${docs} docs (wall)`, 's', outcomes, (v) => v.wallMs / 1000),
      row('', 'connect time per client p50', 'ms', outcomes, (v) => v.p50),
      row('', 'connect time per client p99', 'ms', outcomes, (v) => v.p99),
      row(
        '',
        'server CPU per connection (incl. 1 write per doc)',
        'ms',
        outcomes,
        (v) => v.cpuPerConnectionMs,
      ),
      row('', 'server RSS before (after a full GC)', 'bytes', outcomes, (v) => v.rssBaseline),
      row('', 'server RSS connected', 'bytes', outcomes, (v) => v.rssConnected),
      row('', 'server RSS after all left', 'bytes', outcomes, (v) => v.rssAfterLeave),
      row(
        '',
        'server RSS after all left, after a full GC',
        'bytes',
        outcomes,
        (v) => v.rssAfterLeaveGc,
      ),
      row(
        '',
        'heap still used after leaving + full GC, over before',
        'bytes',
        outcomes,
        (v) => v.heapAfterLeaveGc - v.heapBaseline,
      ),
      row(
        '',
        'documents still in memory after leaving',
        'count',
        outcomes,
        (v) => v.documentsAfterLeave ?? 'unknown',
        { noRatio: true },
      ),
      noiseRow('', outcomes),
    ];
    const checks = [];
    const outpost = outcomes.outpost;
    if (outpost?.ok) {
      const v = outpost.value;
      const wait = UNLOAD_GRACE_MS + afterLeaveMs;
      if (v.documentsAfterLeave !== null)
        checks.push(
          check(
            v.documentsAfterLeave === 0,
            `many documents outpost: ${v.documentsAfterLeave} of ${docs} documents still in memory ${wait} ms after everyone left`,
          ),
        );
      const heldMb = (v.heapAfterLeaveGc - v.heapBaseline) / 1024 / 1024;
      checks.push(
        check(
          heldMb < 4,
          `many documents outpost: after everyone left and a full GC the heap holds ${heldMb.toFixed(1)} MB more than before`,
        ),
      );
      const grew = v.rssConnected - v.rssBaseline;
      const kept = v.rssAfterLeave - v.rssBaseline;
      if (grew > 0 && kept > grew * 0.5)
        checks.push(
          warning(
            `many documents outpost: ${wait} ms after leaving, RSS still keeps ${(kept / 1024 / 1024).toFixed(0)} of the ${(grew / 1024 / 1024).toFixed(0)} MB it grew (V8 had not collected yet; see the after-GC rows)`,
          ),
        );
    }
    return {
      rows,
      checks,
      errors: errorsOf(outcomes),
      details: { sizes: ctx.sizes.manyDocs, outcomes },
    };
  },
};
