/**
 * 4. Idle connections: C connections spread over 100 documents, doing nothing once synced.
 * RSS per connection (growth over a fresh server's baseline, divided by C) and connect time.
 * Each level runs on a freshly started server. RSS depends on when V8 last collected and how
 * far it grew its young generation, so the servers also run with an inspector: after the RSS
 * reading, a forced full GC gives the heap each connection really holds, and RSS read after a
 * full GC on both sides leaves out garbage of the connection burst.
 */
import type { ConnectResult } from '../client/worker.ts';
import type { Row } from '../lib/report.ts';
import { sleep, summarize } from '../lib/stats.ts';
import { TARGETS, type TargetKind } from '../servers/targets.ts';
import {
  boardDoc,
  errorsOf,
  noiseRow,
  registerBoards,
  row,
  spread,
  withTarget,
  type Outcome,
  type Scenario,
} from './common.ts';

interface IdleSample {
  connections: number;
  wallMs: number;
  p50: number | null;
  p99: number | null;
  rssBaseline: number;
  rssConnected: number;
  rssPerConnection: number;
  /** The same with both readings taken right after a forced full GC (no garbage counted). */
  rssPerConnectionAfterGc: number;
  /** V8 heap still used per connection after a forced full GC (over the same before GC). */
  heapPerConnection: number;
  cpuPerConnectionMs: number;
  errors: string[];
}

export const idle: Scenario = {
  name: 'idle',
  title: '4. Idle connections over 100 documents (2,000, 5,000, 10,000; quick: 1,000)',
  expectedMs: { quick: 9_000, full: 80_000 },
  async run(ctx) {
    const { connections: levels, docs, settleMs } = ctx.sizes.idle;
    const rows: Row[] = [];
    const errors: string[] = [];
    const details: Record<number, unknown> = {};
    for (const count of levels) {
      const outcomes: Partial<Record<TargetKind, Outcome<IdleSample>>> = {};
      for (const kind of TARGETS) {
        if (!ctx.targets.includes(kind)) continue;
        if (Date.now() > ctx.deadline) {
          outcomes[kind] = { ok: false, error: 'skipped: time budget of the run exhausted' };
          ctx.budgetSkips.push(`${kind} (${count} connections)`);
          continue;
        }
        outcomes[kind] = await withTarget(
          ctx,
          kind,
          async (target) => {
            const ids = Array.from({ length: docs }, (_, i) => `idle-${i}`);
            await registerBoards(ctx, target, ids);
            const names = Array.from({ length: count }, (_, i) => boardDoc(ids[i % docs]!));
            const perWorker = spread(names, ctx.sizes.workers);
            const baselineGc = await target.sampleAfterGc();
            const baseline = await target.sample();
            const started = performance.now();
            const connect = await ctx.pool.all<ConnectResult>(
              perWorker.map((list) => ({
                cmd: 'connect',
                args: {
                  wsBase: target.wsBase,
                  token: target.token,
                  group: 'idle',
                  docs: list,
                  concurrency: ctx.sizes.connectConcurrency,
                  perConnectionTimeoutMs: 30_000,
                  totalTimeoutMs: 120_000,
                },
              })),
              180_000,
            );
            const wallMs = performance.now() - started;
            const failed = connect.reduce((n, c) => n + c.failed, 0);
            if (failed > 0)
              throw new Error(
                `${failed} of ${count} connections failed: ${connect.flatMap((c) => c.errors)[0]}`,
              );
            await sleep(settleMs);
            const connected = await target.sample();
            const connectedGc = await target.sampleAfterGc();
            await ctx.pool.all(
              perWorker.map(() => ({ cmd: 'close', group: 'idle' })),
              120_000,
            );
            const all = summarize(connect.flatMap((c) => c.times));
            const perConnection = (connected.rssBytes - baseline.rssBytes) / count;
            ctx.log(
              `  idle ${count} ${kind}: connected in ${(wallMs / 1000).toFixed(2)} s, ${(perConnection / 1024).toFixed(1)} KB RSS per connection`,
            );
            return {
              connections: count,
              wallMs,
              p50: all?.p50 ?? null,
              p99: all?.p99 ?? null,
              rssBaseline: baseline.rssBytes,
              rssConnected: connected.rssBytes,
              rssPerConnection: perConnection,
              rssPerConnectionAfterGc: (connectedGc.rssBytes - baselineGc.rssBytes) / count,
              heapPerConnection: (connectedGc.heapUsedBytes - baselineGc.heapUsedBytes) / count,
              cpuPerConnectionMs: (connected.cpuMs - baseline.cpuMs) / count,
              errors: connect.flatMap((c) => c.errors),
            };
          },
          { inspect: true },
        );
      }
      const section = `${count} idle`;
      rows.push(
        row(section, 'RSS per connection', 'bytes', outcomes, (v) => v.rssPerConnection),
        row(
          section,
          'RSS per connection, both readings after a full GC',
          'bytes',
          outcomes,
          (v) => v.rssPerConnectionAfterGc,
        ),
        row(
          section,
          'heap per connection after a full GC',
          'bytes',
          outcomes,
          (v) => v.heapPerConnection,
        ),
        row(section, 'server RSS connected', 'bytes', outcomes, (v) => v.rssConnected),
        row(section, 'connect all (wall)', 's', outcomes, (v) => v.wallMs / 1000),
        row(section, 'connect time per client p50', 'ms', outcomes, (v) => v.p50),
        row(section, 'connect time per client p99', 'ms', outcomes, (v) => v.p99),
        row(section, 'server CPU per connection', 'ms', outcomes, (v) => v.cpuPerConnectionMs),
        noiseRow(section, outcomes),
      );
      errors.push(...errorsOf(outcomes).map((e) => `${count} connections, ${e}`));
      details[count] = outcomes;
    }
    return { rows, checks: [], errors, details: { sizes: ctx.sizes.idle, outcomes: details } };
  },
};
