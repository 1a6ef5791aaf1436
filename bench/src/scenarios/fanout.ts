/**
 * 1. Fan-out: one document, N subscribers, one writer making small edits (a status change and a
 * title carrying a counter) at a fixed rate. Writer and subscribers live in the same worker
 * process, so send and receive times come from one clock.
 */
import os from 'node:os';
import type { ConnectResult, FanoutResult } from '../client/worker.ts';
import { noiseMeter, processesCpuMs } from '../lib/proc.ts';
import type { Row } from '../lib/report.ts';
import { errorMessage } from '../lib/stats.ts';
import type { TargetKind } from '../servers/targets.ts';
import {
  boardDoc,
  check,
  errorsOf,
  forEachTarget,
  registerBoards,
  row,
  warning,
  type Outcome,
  type Scenario,
} from './common.ts';

interface FanoutSample {
  connect: ConnectResult;
  warmupMs: number;
  run: FanoutResult;
  /** Server CPU time spent while the edits were sent and delivered. */
  cpuMs: number;
  /** Client workers' CPU time over the same period. */
  clientCpuMs: number;
  /**
   * Share of the machine (all cores) used outside the bench's process tree meanwhile, and the
   * share spent waiting for I/O: the noise on these figures.
   */
  otherLoad: number | null;
  iowait: number | null;
  rssBytes: number;
}

export const fanout: Scenario = {
  name: 'fanout',
  title: '1. Fan-out: one writer, N subscribers of one document (N = 50, 200, 1,000; quick: 200)',
  expectedMs: { quick: 11_000, full: 120_000 },
  async run(ctx) {
    const { subscribers, edits, ratePerSec } = ctx.sizes.fanout;
    const outcomes = await forEachTarget(ctx, ['outpost', 'reference', 'relay'], async (target) => {
      const byN: Record<number, Outcome<FanoutSample>> = {};
      await registerBoards(
        ctx,
        target,
        subscribers.map((n) => `fanout-${n}`),
      );
      for (const n of subscribers) {
        try {
          const doc = boardDoc(`fanout-${n}`);
          const endpoint = { wsBase: target.wsBase, token: target.token };
          const connect = await ctx.pool.call<ConnectResult>(
            0,
            {
              cmd: 'connect',
              args: {
                ...endpoint,
                group: 'subscribers',
                docs: Array.from({ length: n }, () => doc),
                concurrency: ctx.sizes.connectConcurrency,
                perConnectionTimeoutMs: 20_000,
                totalTimeoutMs: 60_000,
              },
            },
            90_000,
          );
          if (connect.failed > 0)
            throw new Error(`${connect.failed} of ${n} subscribers failed: ${connect.errors[0]}`);
          const { warmupMs } = await ctx.pool.call<{ warmupMs: number }>(
            0,
            {
              cmd: 'fanoutPrepare',
              args: { ...endpoint, group: 'subscribers', doc, edits, timeoutMs: 20_000 },
            },
            40_000,
          );
          const before = await target.sample();
          const meter = noiseMeter(os.cpus().length);
          const clientsBefore = processesCpuMs(ctx.pool.pids());
          const run = await ctx.pool.call<FanoutResult>(
            0,
            { cmd: 'fanoutRun', args: { ratePerSec, drainTimeoutMs: 15_000 } },
            (edits / ratePerSec) * 1000 + 40_000,
          );
          const after = await target.sample();
          const noise = meter();
          const clientCpuMs = processesCpuMs(ctx.pool.pids()) - clientsBefore;
          const cpuMs = after.cpuMs - before.cpuMs;
          const otherLoad = noise?.other ?? null;
          const iowait = noise?.iowait ?? null;
          await ctx.pool.call(0, { cmd: 'close', group: 'subscribers' }, 60_000);
          const p = run.latency;
          ctx.log(
            `  fan-out N=${n} ${target.kind}: p50 ${p?.p50.toFixed(2)} ms, p99 ${p?.p99.toFixed(2)} ms, lost ${run.lost}, server CPU ${(after.cpuMs - before.cpuMs).toFixed(0)} ms`,
          );
          byN[n] = {
            ok: true,
            value: {
              connect: { ...connect, times: [] },
              warmupMs,
              run,
              cpuMs,
              clientCpuMs,
              otherLoad,
              iowait,
              rssBytes: after.rssBytes,
            },
          };
        } catch (error) {
          ctx.log(`  fan-out N=${n} ${target.kind} FAILED: ${errorMessage(error)}`);
          byN[n] = { ok: false, error: errorMessage(error) };
          await ctx.pool.reset();
        }
      }
      return byN;
    });

    const rows: Row[] = [];
    const checks = [];
    const errors = errorsOf(outcomes);
    for (const n of subscribers) {
      const perN: Partial<Record<TargetKind, Outcome<FanoutSample>>> = {};
      for (const [kind, outcome] of Object.entries(outcomes) as [
        TargetKind,
        Outcome<Record<number, Outcome<FanoutSample>>>,
      ][]) {
        perN[kind] = outcome.ok ? (outcome.value[n] ?? { ok: false, error: 'not run' }) : outcome;
        const inner = outcome.ok ? outcome.value[n] : undefined;
        if (inner && !inner.ok) errors.push(`${kind} N=${n}: ${inner.error}`);
      }
      const section = `N=${n}`;
      rows.push(
        row(section, 'delivery latency p50', 'ms', perN, (v) => v.run.latency?.p50),
        row(section, 'delivery latency p95', 'ms', perN, (v) => v.run.latency?.p95),
        row(section, 'delivery latency p99', 'ms', perN, (v) => v.run.latency?.p99),
        row(section, 'delivery latency max', 'ms', perN, (v) => v.run.latency?.max),
        row(
          section,
          `deliveries lost or >15 s late (of ${n * edits}; must be 0)`,
          'count',
          perN,
          (v) => v.run.lost,
          {
            noRatio: true,
          },
        ),
        row(section, `server CPU for ${edits} edits`, 'ms', perN, (v) => v.cpuMs),
        row(section, 'server CPU per delivery', 'us', perN, (v) =>
          v.run.received ? (v.cpuMs * 1000) / v.run.received : null,
        ),
        row(section, 'server RSS', 'bytes', perN, (v) => v.rssBytes),
        row(
          section,
          'noise: CPU of other processes (% of machine)',
          'percent',
          perN,
          (v) => (v.otherLoad === null ? null : v.otherLoad * 100),
          { noRatio: true },
        ),
      );
      for (const [kind, outcome] of Object.entries(perN)) {
        if (outcome?.ok) {
          checks.push(
            check(
              outcome.value.run.lost === 0,
              `fan-out N=${n} ${kind}: ${outcome.value.run.lost} deliveries lost (or not there 15 s after the last edit)`,
            ),
          );
          const { otherLoad, iowait } = outcome.value;
          if ((otherLoad ?? 0) > 0.25 || (iowait ?? 0) > 0.1)
            checks.push(
              warning(
                `fan-out N=${n} ${kind}: other processes used ${((otherLoad ?? 0) * 100).toFixed(0)} % of the machine and ${((iowait ?? 0) * 100).toFixed(0)} % went to I/O wait during the run (noisy figure)`,
              ),
            );
          if (outcome.value.run.maxSendLagMs > 25)
            checks.push(
              warning(
                `fan-out N=${n} ${kind}: the writer fell ${outcome.value.run.maxSendLagMs.toFixed(0)} ms behind its schedule (client process or machine overloaded)`,
              ),
            );
        }
      }
    }
    return { rows, checks, errors, details: { sizes: ctx.sizes.fanout, outcomes } };
  },
};
