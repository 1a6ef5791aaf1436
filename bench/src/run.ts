/**
 * `pnpm bench [--quick] [--only=a,b] [--targets=outpost,reference,relay]`
 *
 * Runs each scenario against Outpost, the reference y-websocket server and a raw relay (each in
 * its own process, one at a time), with the same client code in separate worker processes;
 * prints a table and writes results/<timestamp>.json and results/latest.json.
 */
import os from 'node:os';
import path from 'node:path';
import { WorkerPool } from './client/pool.ts';
import { killAllChildren, liveChildren } from './lib/proc.ts';
import {
  machineInfo,
  renderNotes,
  renderTable,
  writeRecord,
  type RunRecord,
  type ScenarioResult,
} from './lib/report.ts';
import { errorMessage } from './lib/stats.ts';
import { BENCH_ROOT, TARGETS, removeDataDirs, type TargetKind } from './servers/targets.ts';
import { browser } from './scenarios/browser.ts';
import { cluster } from './scenarios/cluster.ts';
import { coldJoin } from './scenarios/coldJoin.ts';
import { FULL, QUICK, type Context, type Scenario } from './scenarios/common.ts';
import { durable } from './scenarios/durable.ts';
import { fanout } from './scenarios/fanout.ts';
import { idle } from './scenarios/idle.ts';
import { manyDocs } from './scenarios/manyDocs.ts';
import { map } from './scenarios/map.ts';
import { roster } from './scenarios/roster.ts';
import { soak } from './scenarios/soak.ts';

const SCENARIOS: Scenario[] = [
  fanout,
  coldJoin,
  manyDocs,
  idle,
  durable,
  browser,
  cluster,
  roster,
  map,
  soak,
];

interface Options {
  quick: boolean;
  /** Overrides of the sizes (`--fanout=1000`, `--idle=5000,10000`, `--docs=500`). */
  fanout: number[] | null;
  idle: number[] | null;
  docs: number | null;
  /** Time limit of the run in ms (`--limit=SECONDS`). */
  limitMs: number | null;
  only: string[] | null;
  targets: TargetKind[];
  outDir: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    quick: false,
    fanout: null,
    idle: null,
    docs: null,
    limitMs: null,
    only: null,
    targets: [...TARGETS],
    outDir: path.join(BENCH_ROOT, 'results'),
  };
  for (const arg of argv) {
    if (arg === '--') continue;
    else if (arg === '--quick') options.quick = true;
    else if (arg.startsWith('--only=')) options.only = arg.slice(7).split(',').filter(Boolean);
    else if (arg.startsWith('--fanout=')) options.fanout = counts(arg);
    else if (arg.startsWith('--idle=')) options.idle = counts(arg);
    else if (arg.startsWith('--docs=')) options.docs = counts(arg)[0]!;
    else if (arg.startsWith('--limit=')) options.limitMs = counts(arg)[0]! * 1000;
    else if (arg.startsWith('--targets=')) {
      const wanted = arg.slice(10).split(',');
      const unknown = wanted.filter((t) => !(TARGETS as readonly string[]).includes(t));
      if (unknown.length) usage(`unknown target(s): ${unknown.join(', ')}`);
      options.targets = wanted as TargetKind[];
    } else if (arg.startsWith('--out=')) options.outDir = path.resolve(arg.slice(6));
    else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument: ${arg}`);
  }
  if (options.only) {
    const names = SCENARIOS.map((s) => s.name);
    const unknown = options.only.filter((n) => !names.includes(n));
    if (unknown.length)
      usage(`unknown scenario(s): ${unknown.join(', ')} (have ${names.join(', ')})`);
  }
  return options;
}

/** `--name=1,2,3` as positive integers (at most 20,000 each: the file-descriptor limit). */
function counts(arg: string): number[] {
  const values = arg
    .slice(arg.indexOf('=') + 1)
    .split(',')
    .map(Number);
  if (!values.length || values.some((v) => !Number.isInteger(v) || v < 1 || v > 20_000))
    usage(`${arg}: expected counts from 1 to 20000`);
  return values;
}

function usage(problem?: string): never {
  const text = [
    problem ? `bench: ${problem}\n` : '',
    'usage: pnpm bench [--quick] [--only=fanout,cold-join,many-docs,idle,durable,browser,cluster,roster,map,soak]',
    '                  [--targets=outpost,reference,relay] [--out=DIR]',
    '                  [--fanout=50,200] [--idle=2000,5000] [--docs=1000]   (override sizes)',
    '                  [--limit=SECONDS]   (time limit of the run: 112 quick, 780 full)',
  ].join('\n');
  (problem ? process.stderr : process.stdout).write(`${text}\n`);
  process.exit(problem ? 2 : 0);
}

const startedAt = new Date();
const started = performance.now();
/** Set after an abort: the aborted scenario's late progress lines are not printed. */
let quiet = false;
function log(line: string): void {
  if (quiet) return;
  const s = Math.floor((performance.now() - started) / 1000);
  const stamp = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  process.stdout.write(`[${stamp}] ${line}\n`);
}

// Every child dies with us: normal exit, Ctrl-C, kill, or a crash.
process.on('exit', () => {
  killAllChildren();
  removeDataDirs();
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    process.stdout.write(`\nbench: ${signal}, stopping every server and client process\n`);
    killAllChildren();
    process.exit(130);
  });
}
process.on('uncaughtException', (error) => {
  process.stderr.write(`bench: uncaught ${error.stack ?? String(error)}\n`);
  killAllChildren();
  process.exit(1);
});
process.on('unhandledRejection', (error) => {
  process.stderr.write(`bench: unhandled rejection ${errorMessage(error)}\n`);
  killAllChildren();
  process.exit(1);
});

function notRun(scenario: Scenario, why: string): ScenarioResult {
  return {
    name: scenario.name,
    title: scenario.title,
    durationMs: 0,
    rows: [],
    checks: [],
    errors: [],
    skipped: why,
    details: {},
  };
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const base = options.quick ? QUICK : FULL;
  const sizes = {
    ...base,
    fanout: { ...base.fanout, subscribers: options.fanout ?? base.fanout.subscribers },
    idle: { ...base.idle, connections: options.idle ?? base.idle.connections },
    manyDocs: { ...base.manyDocs, docs: options.docs ?? base.manyDocs.docs },
  };
  const loadStart = os.loadavg();
  // Quick must finish in under 2 minutes, full in about 10: a hard limit for the scenarios,
  // and a slightly earlier one after which no further server is started.
  const limitMs = options.limitMs ?? (options.quick ? 112_000 : 13 * 60_000);
  const runDeadline = Date.now() + limitMs - (performance.now() - started);
  log(
    `Outpost bench (${options.quick ? 'quick' : 'full'}): ${os.cpus().length} cores, load ${loadStart.map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`,
  );
  const pool = new WorkerPool(sizes.workers, log);
  const ctx: Context = {
    quick: options.quick,
    sizes,
    pool,
    targets: options.targets,
    deadline: runDeadline - (options.quick ? 8_000 : 30_000),
    budgetSkips: [],
    log,
  };
  const results: ScenarioResult[] = [];
  let spentMs = 0;
  let expectedSoFarMs = 0;
  let aborted = false;
  for (const scenario of SCENARIOS) {
    if (options.only && !options.only.includes(scenario.name)) continue;
    const t0 = performance.now();
    const expected = options.quick ? scenario.expectedMs.quick : scenario.expectedMs.full;
    // How much slower than expected this machine is today (busy machines are).
    const pace = expectedSoFarMs > 0 ? Math.max(0.5, spentMs / expectedSoFarMs) : 1;
    const leftMs = runDeadline - Date.now();
    if (aborted || expected * pace > leftMs) {
      const why = aborted
        ? 'time limit of the run reached'
        : `time budget: needs about ${((expected * pace) / 1000).toFixed(0)} s at this run's pace, ${Math.max(0, leftMs / 1000).toFixed(0)} s left`;
      log(`${scenario.title}: not run (${why})`);
      results.push(notRun(scenario, why));
      continue;
    }
    log(scenario.title);
    const skipsBefore = ctx.budgetSkips.length;
    let result: ScenarioResult;
    const running = scenario.run(ctx);
    // After an abort the scenario's promise settles on its own (its processes are gone).
    running.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'limit'>((resolve) => {
      timer = setTimeout(() => resolve('limit'), Math.max(0, leftMs));
    });
    try {
      const partial = await Promise.race([running, limit]);
      if (partial === 'limit') {
        // The hard limit: stop every server, worker and browser now; report what ran.
        aborted = true;
        log(`  stopped at the run's time limit; everything it started is killed`);
        killAllChildren();
        result = notRun(scenario, "stopped at the run's time limit");
      } else {
        result = { name: scenario.name, title: scenario.title, durationMs: 0, ...partial };
        if (result.skipped) log(`  skipped: ${result.skipped}`);
      }
    } catch (error) {
      log(`  FAILED: ${errorMessage(error)}`);
      result = {
        name: scenario.name,
        title: scenario.title,
        durationMs: 0,
        rows: [],
        checks: [],
        errors: [errorMessage(error)],
        details: {},
      };
      await pool.reset();
    } finally {
      clearTimeout(timer);
    }
    result.durationMs = performance.now() - t0;
    spentMs += result.durationMs;
    expectedSoFarMs += expected;
    const budgetSkips = ctx.budgetSkips.slice(skipsBefore);
    if (budgetSkips.length) result.budgetSkips = budgetSkips;
    log(`  done in ${(result.durationMs / 1000).toFixed(1)} s`);
    results.push(result);
    if (aborted) quiet = true;
  }
  await pool.stop();

  const table = renderTable(results);
  const notes = renderNotes(results);
  const durationMs = performance.now() - started;
  const record: RunRecord = {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs,
    mode: options.quick ? 'quick' : 'full',
    machine: machineInfo(loadStart),
    sizes,
    scenarios: results,
    table,
  };
  const file = writeRecord(options.outDir, record);
  const load = record.machine.loadAverageEnd.map((l) => l.toFixed(2)).join(' ');
  process.stdout.write(`\n${table}\n\n${notes ? `${notes}\n\n` : ''}`);
  process.stdout.write(
    `Lower is better everywhere; ratios are Outpost's figure over the reference's and the relay's.\n` +
      `Finished in ${(durationMs / 1000).toFixed(1)} s (load average now ${load}). Results: ${path.relative(process.cwd(), file)} and latest.json\n`,
  );
  if (liveChildren() > 0) killAllChildren();
  return results.some((r) => r.errors.length > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${errorMessage(error)}\n`);
    killAllChildren();
    process.exit(1);
  },
);
