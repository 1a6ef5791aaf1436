/** What every scenario gets, and the per-server loop with its error handling. */
import os from 'node:os';
import type { WorkerPool } from '../client/pool.ts';
import type { Cell, Check, Row, ScenarioResult, Unit } from '../lib/report.ts';
import { noiseMeter } from '../lib/proc.ts';
import { errorMessage } from '../lib/stats.ts';
import { startTarget, TARGETS, type Target, type TargetKind } from '../servers/targets.ts';

/** The demo workspace every bench document lives in. */
export const WORKSPACE = 'demo';

export function boardDoc(boardId: string): string {
  return `board:${WORKSPACE}:${boardId}`;
}

/**
 * Lists boards in the workspace directory (over Yjs, the same on every server): Outpost opens
 * only boards its workspace lists.
 */
export async function registerBoards(
  ctx: Context,
  target: Target,
  boardIds: string[],
): Promise<void> {
  await ctx.pool.call(
    0,
    {
      cmd: 'registerBoards',
      args: {
        wsBase: target.wsBase,
        token: target.token,
        workspace: WORKSPACE,
        boardIds,
        timeoutMs: 30_000,
      },
    },
    60_000,
  );
}

export interface Sizes {
  fanout: { subscribers: number[]; edits: number; ratePerSec: number };
  /** `backlogTasks`: size of the one-update ingest (an offline client's backlog). */
  cold: { tasks: number; lateEdits: number; joins: number; backlogTasks: number };
  manyDocs: { docs: number; settleMs: number; afterLeaveMs: number };
  idle: { connections: number[]; docs: number; settleMs: number };
  durable: { edits: number; ratePerSec: number };
  browser: { tasks: number; moves: number };
  /** Client worker processes. */
  workers: number;
  /** Connections each worker opens at once. */
  connectConcurrency: number;
}

/**
 * `--quick` must finish every scenario in under 2 minutes on the 2-core machine, servers
 * started fresh for each: the sizes are what fits (the table's titles say which they are).
 */
export const QUICK: Sizes = {
  fanout: { subscribers: [200], edits: 40, ratePerSec: 20 },
  cold: { tasks: 2000, lateEdits: 10, joins: 2, backlogTasks: 500 },
  manyDocs: { docs: 100, settleMs: 1000, afterLeaveMs: 1500 },
  idle: { connections: [1000], docs: 100, settleMs: 1000 },
  durable: { edits: 40, ratePerSec: 20 },
  browser: { tasks: 2000, moves: 2 },
  workers: 2,
  connectConcurrency: 32,
};

export const FULL: Sizes = {
  fanout: { subscribers: [50, 200, 1000], edits: 200, ratePerSec: 20 },
  cold: { tasks: 5000, lateEdits: 10, joins: 5, backlogTasks: 2000 },
  manyDocs: { docs: 1000, settleMs: 2000, afterLeaveMs: 5000 },
  idle: { connections: [2000, 5000, 10000], docs: 100, settleMs: 2000 },
  durable: { edits: 200, ratePerSec: 20 },
  browser: { tasks: 5000, moves: 10 },
  workers: 2,
  connectConcurrency: 32,
};

/** Outpost's unload grace in the bench (OUTPOST_UNLOAD_GRACE_MS). */
export const UNLOAD_GRACE_MS = 1000;

export interface Context {
  quick: boolean;
  sizes: Sizes;
  pool: WorkerPool;
  /** Servers to run (all three unless narrowed with --targets). */
  targets: readonly TargetKind[];
  /** Scenario work stops starting new servers after this (Date.now() ms). */
  deadline: number;
  /** Servers not run because the time budget ran out (`<server>`, per scenario). */
  budgetSkips: string[];
  log(line: string): void;
}

export interface Scenario {
  name: string;
  title: string;
  /**
   * About how long the scenario takes on an unloaded machine (all three servers). The run
   * scales it by how much slower than expected the scenarios so far were, and does not start
   * a scenario that would end past the run's time limit.
   */
  expectedMs: { quick: number; full: number };
  run(ctx: Context): Promise<Omit<ScenarioResult, 'name' | 'title' | 'durationMs'>>;
}

/**
 * Share of the machine (all cores, 0..1) that processes outside the bench (not the server under
 * test, its workers or their Chromium) used while a server was measured: the noise on its figures.
 */
export type Noise = number | null;

export type Outcome<T> =
  { ok: true; value: T; noise?: Noise } | { ok: false; error: string; noise?: Noise };

/**
 * Runs `fn` against each server in turn, each freshly started and stopped afterwards, so one
 * server's failure (or death) is recorded and the others still run. Servers not in `kinds`
 * (the scenario does not apply to them) get no outcome.
 */
export async function forEachTarget<T>(
  ctx: Context,
  kinds: readonly TargetKind[],
  fn: (target: Target) => Promise<T>,
  options: { inspect?: boolean } = {},
): Promise<Partial<Record<TargetKind, Outcome<T>>>> {
  const outcomes: Partial<Record<TargetKind, Outcome<T>>> = {};
  for (const kind of kinds) {
    if (!ctx.targets.includes(kind)) continue;
    if (Date.now() > ctx.deadline) {
      outcomes[kind] = { ok: false, error: 'skipped: time budget of the run exhausted' };
      ctx.budgetSkips.push(kind);
      continue;
    }
    outcomes[kind] = await withTarget(ctx, kind, fn, options);
  }
  return outcomes;
}

export async function withTarget<T>(
  ctx: Context,
  kind: TargetKind,
  fn: (target: Target) => Promise<T>,
  options: { inspect?: boolean } = {},
): Promise<Outcome<T>> {
  let target: Target | null = null;
  try {
    target = await startTarget(kind, { unloadGraceMs: UNLOAD_GRACE_MS, inspect: options.inspect });
    ctx.log(
      `  ${kind} started (pid ${target.pid}, port ${target.port}, ${target.startMs.toFixed(0)} ms)`,
    );
    const meter = noiseMeter(os.cpus().length);
    const value = await fn(target);
    return { ok: true, value, noise: meter()?.other ?? null };
  } catch (error) {
    const message = errorMessage(error);
    const tail = target?.stderrTail().trim();
    ctx.log(`  ${kind} FAILED: ${message.split('\n')[0]}`);
    return {
      ok: false,
      error: tail ? `${message.split('\n')[0]} | server stderr: ${tail.slice(-300)}` : message,
    };
  } finally {
    await ctx.pool.reset();
    if (target) await target.stop();
  }
}

/**
 * Builds a row from per-server outcomes: the picked number, 'error' for a failed server,
 * 'n/a' for a server the scenario does not apply to (or `naText`).
 */
export function row<T>(
  section: string,
  metric: string,
  unit: Unit,
  outcomes: Partial<Record<TargetKind, Outcome<T>>>,
  pick: (value: T, kind: TargetKind) => Cell | undefined,
  options: { noRatio?: boolean; naText?: string } = {},
): Row {
  const values = {} as Record<TargetKind, Cell>;
  for (const kind of TARGETS) {
    const outcome = outcomes[kind];
    if (!outcome) values[kind] = options.naText ?? 'n/a';
    else if (!outcome.ok) values[kind] = outcome.error.startsWith('skipped:') ? 'skipped' : 'error';
    else values[kind] = pick(outcome.value, kind) ?? null;
  }
  return { section, metric, unit, values, ...(options.noRatio ? { noRatio: true } : {}) };
}

/** The noise row of a scenario: other processes' share of the machine while each server ran. */
export function noiseRow<T>(
  section: string,
  outcomes: Partial<Record<TargetKind, Outcome<T>>>,
): Row {
  const values = {} as Record<TargetKind, Cell>;
  for (const kind of TARGETS) {
    const noise = outcomes[kind]?.noise;
    values[kind] = noise === undefined || noise === null ? null : noise * 100;
  }
  return {
    section,
    metric: 'noise: CPU of other processes (% of machine)',
    unit: 'percent',
    values,
    noRatio: true,
  };
}

export function errorsOf<T>(outcomes: Partial<Record<TargetKind, Outcome<T>>>): string[] {
  return Object.entries(outcomes).flatMap(([kind, outcome]) =>
    outcome && !outcome.ok && !outcome.error.startsWith('skipped:')
      ? [`${kind}: ${outcome.error}`]
      : [],
  );
}

export function check(ok: boolean, text: string): Check {
  return { ok, text };
}

export function warning(text: string): Check {
  return { ok: false, warning: true, text };
}

/** Spreads `items` over `n` workers round-robin. */
export function spread<T>(items: T[], n: number): T[][] {
  const parts: T[][] = Array.from({ length: n }, () => []);
  items.forEach((item, i) => parts[i % n]!.push(item));
  return parts;
}
