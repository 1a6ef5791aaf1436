/** The results table (stdout) and the JSON file. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TARGETS, TARGET_LABELS, type TargetKind } from '../servers/targets.ts';

/** A number, a word for why there is none ('n/a', 'error', 'skipped'), or null (not measured). */
export type Cell = number | string | null;

export type Unit = 'ms' | 's' | 'bytes' | 'count' | 'us' | 'percent';

export interface Row {
  section: string;
  metric: string;
  unit: Unit;
  values: Record<TargetKind, Cell>;
  /** Ratios make no sense for this row (e.g. a count that must be 0). */
  noRatio?: boolean;
}

export interface Check {
  ok: boolean;
  /** A failed check that questions the measurement rather than the server. */
  warning?: boolean;
  text: string;
}

export interface ScenarioResult {
  name: string;
  title: string;
  durationMs: number;
  rows: Row[];
  checks: Check[];
  /** Failures, one line each (`<target>: <message>`). */
  errors: string[];
  /** Set when the whole scenario did not run, with why. */
  skipped?: string;
  /** Servers this scenario did not run because the run's time budget ran out. */
  budgetSkips?: string[];
  /** Raw per-target results, for the JSON file. */
  details: Record<string, unknown>;
}

export function formatValue(value: Cell, unit: Unit): string {
  if (value === null) return '—';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return '—';
  switch (unit) {
    case 'ms':
      return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ms`;
    case 'us':
      return `${value < 100 ? value.toFixed(1) : value.toFixed(0)} µs`;
    case 's':
      return `${value.toFixed(2)} s`;
    case 'bytes':
      return formatBytes(value);
    case 'count':
      return String(Math.round(value));
    case 'percent':
      return `${value.toFixed(0)} %`;
  }
}

export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${Math.round(bytes)} B`;
  if (abs < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(abs < 100 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** Outpost's value over another's: `1.52×`, `=` for 0 over 0, `—` when it cannot be said. */
export function ratio(row: Row, over: TargetKind): string {
  if (row.noRatio) return '';
  const a = row.values.outpost;
  const b = row.values[over];
  if (typeof a !== 'number' || typeof b !== 'number') return '—';
  if (b === 0) return a === 0 ? '=' : '—';
  const r = a / b;
  return `${r < 10 ? r.toFixed(2) : r.toFixed(0)}×`;
}

export function renderTable(results: ScenarioResult[]): string {
  const header = [
    'metric',
    ...TARGETS.map((t) => TARGET_LABELS[t]),
    'Outpost/ref',
    'Outpost/relay',
  ];
  const lines: string[][] = [];
  const sections: { title: string; start: number }[] = [];
  for (const result of results) {
    sections.push({ title: result.title, start: lines.length });
    if (result.skipped) {
      lines.push([`  skipped: ${result.skipped}`, '', '', '', '', '']);
      continue;
    }
    let section = '';
    for (const row of result.rows) {
      if (row.section && row.section !== section)
        lines.push([`  ${row.section}`, '', '', '', '', '']);
      section = row.section;
      lines.push([
        `${row.section ? '    ' : '  '}${row.metric}`,
        ...TARGETS.map((t) => formatValue(row.values[t], row.unit)),
        ratio(row, 'reference'),
        ratio(row, 'relay'),
      ]);
    }
    if (result.rows.length === 0) lines.push(['  (no figures)', '', '', '', '', '']);
  }
  const widths = header.map((h, i) =>
    Math.min(i === 0 ? 60 : 24, Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length))),
  );
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => {
        const text = c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c;
        return i === 0 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!);
      })
      .join('  ');
  const out = [fmt(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  let nextSection = 0;
  lines.forEach((line, index) => {
    while (nextSection < sections.length && sections[nextSection]!.start === index) {
      out.push(sections[nextSection]!.title);
      nextSection++;
    }
    out.push(fmt(line));
  });
  return out.join('\n');
}

export function renderNotes(results: ScenarioResult[]): string {
  const out: string[] = [];
  const checks = results.flatMap((r) =>
    r.checks.map((c) => `  ${c.ok ? 'ok  ' : c.warning ? 'warn' : 'FAIL'} ${c.text}`),
  );
  if (checks.length) out.push('Checks:', ...checks);
  const skips = results.flatMap((r) =>
    r.budgetSkips?.length ? [`  ${r.title}: ${r.budgetSkips.join(', ')}`] : [],
  );
  if (skips.length) out.push('Not run (time budget of the run exhausted):', ...skips);
  const errors = results.flatMap((r) => r.errors.map((e) => `  ${r.title}: ${e}`));
  if (errors.length) out.push('Errors:', ...errors);
  return out.join('\n');
}

export interface RunRecord {
  version: 1;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  mode: 'quick' | 'full';
  machine: {
    node: string;
    platform: string;
    cpus: number;
    cpuModel: string;
    totalMemoryBytes: number;
    loadAverageStart: number[];
    loadAverageEnd: number[];
  };
  sizes: unknown;
  scenarios: ScenarioResult[];
  table: string;
}

export function machineInfo(loadAverageStart: number[]): RunRecord['machine'] {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemoryBytes: os.totalmem(),
    loadAverageStart,
    loadAverageEnd: os.loadavg(),
  };
}

/** Writes results/<timestamp>.json and results/latest.json; returns the first path. */
export function writeRecord(dir: string, record: RunRecord): string {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = record.startedAt.replace(/[:.]/g, '-');
  const file = path.join(dir, `${stamp}.json`);
  const text = JSON.stringify(record, null, 2) + '\n';
  fs.writeFileSync(file, text);
  fs.writeFileSync(path.join(dir, 'latest.json'), text);
  return file;
}
