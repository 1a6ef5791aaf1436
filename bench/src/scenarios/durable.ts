/**
 * 5. Durable write (Outpost only): from an edit to the server's `[100, seq]` answer, which it
 * sends once everything received before the request is stored. The others have no such answer.
 */
import type { DurableResult } from '../client/worker.ts';
import {
  boardDoc,
  check,
  errorsOf,
  forEachTarget,
  noiseRow,
  registerBoards,
  row,
  type Scenario,
} from './common.ts';

export const durable: Scenario = {
  name: 'durable',
  title: '5. Durable write: edit to durable acknowledgement (200 edits; quick: 40)',
  expectedMs: { quick: 5_000, full: 14_000 },
  async run(ctx) {
    const { edits, ratePerSec } = ctx.sizes.durable;
    const outcomes = await forEachTarget(ctx, ['outpost'], async (target) => {
      await registerBoards(ctx, target, ['durable']);
      const result = await ctx.pool.call<DurableResult>(
        0,
        {
          cmd: 'durable',
          args: {
            wsBase: target.wsBase,
            token: target.token,
            doc: boardDoc('durable'),
            edits,
            ratePerSec,
            timeoutMs: 20_000,
          },
        },
        (edits / ratePerSec) * 1000 + 60_000,
      );
      const p = result.latency;
      ctx.log(
        `  ${target.kind}: ${result.acked}/${edits} acked, p50 ${p?.p50.toFixed(2)} ms, p99 ${p?.p99.toFixed(2)} ms`,
      );
      return result;
    });
    const na = { naText: 'n/a' };
    const rows = [
      row(
        '',
        `edit → durable ack p50 (${edits} edits at ${ratePerSec}/s)`,
        'ms',
        outcomes,
        (v) => v.latency?.p50,
        na,
      ),
      row('', 'edit → durable ack p99', 'ms', outcomes, (v) => v.latency?.p99, na),
      row('', 'edit → durable ack max', 'ms', outcomes, (v) => v.latency?.max, na),
      noiseRow('', outcomes),
    ];
    const checks = [];
    const o = outcomes.outpost;
    if (o?.ok)
      checks.push(
        check(o.value.acked === edits, `durable: ${o.value.acked} of ${edits} edits acknowledged`),
      );
    return {
      rows,
      checks,
      errors: errorsOf(outcomes),
      details: { sizes: ctx.sizes.durable, outcomes },
    };
  },
};
