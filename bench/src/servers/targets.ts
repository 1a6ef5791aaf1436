/**
 * The three servers under test, each started in its own child process on 127.0.0.1 and a free
 * port, with the same sampling interface: CPU time and resident memory of that process alone.
 */
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { collectGarbage, inspectorUrl } from '../lib/inspector.ts';
import { procUsage, spawnNode, stopChild } from '../lib/proc.ts';
import { errorMessage, withTimeout } from '../lib/stats.ts';
import type { WrapperStats } from './serverStats.ts';

export const TARGETS = ['outpost', 'reference', 'relay'] as const;
export type TargetKind = (typeof TARGETS)[number];

export const TARGET_LABELS: Record<TargetKind, string> = {
  outpost: 'Outpost',
  reference: 'reference',
  relay: 'relay',
};

export const BENCH_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const REPO_ROOT = path.resolve(BENCH_ROOT, '..');
const HOST = '127.0.0.1';

/** Outpost data directories still in use, removed on exit even when the bench is interrupted. */
const dataDirs = new Set<string>();

export function removeDataDirs(): void {
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  dataDirs.clear();
}
const START_TIMEOUT_MS = 60_000;

export interface Sample {
  /** User + system CPU time of the server process so far, ms. */
  cpuMs: number;
  rssBytes: number;
  /** Documents in memory, when the server can say (reference and relay only). */
  documents: number | null;
  connections: number | null;
  /** How the figures were read. */
  source: 'proc' | 'process.cpuUsage';
}

export interface Target {
  readonly kind: TargetKind;
  readonly pid: number;
  readonly port: number;
  readonly httpUrl: string;
  /** `ws://127.0.0.1:PORT/yjs/`: document names are appended. */
  readonly wsBase: string;
  /** API token for Outpost (sent to all servers as `?token=`; the others ignore it). */
  readonly token: string;
  /** Demo password (Outpost only). */
  readonly password: string;
  readonly startMs: number;
  sample(): Promise<Sample>;
  /**
   * Outpost only: how many documents named `prefix…` were stored as a snapshot at or after
   * `sinceMs` (Date.now()). Outpost stores a snapshot when a document leaves memory, so after
   * everyone left this counts the unloaded documents. Null where unknown.
   */
  snapshotsSince(prefix: string, sinceMs: number): number | null;
  /**
   * With `inspect`: forces a full garbage collection, then samples (heap in use from V8). Tells
   * memory still held from memory not yet collected. Throws without `inspect`.
   */
  sampleAfterGc(): Promise<Sample & { heapUsedBytes: number }>;
  /** Tail of the process's stderr, for error reports. */
  stderrTail(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  unloadGraceMs: number;
  /**
   * Start with `--inspect=127.0.0.1:0` so that `sampleAfterGc` can force a collection. The
   * inspector costs nothing measurable until a client attaches; only `sampleAfterGc` does.
   */
  inspect?: boolean;
}

export async function startTarget(kind: TargetKind, options: StartOptions): Promise<Target> {
  const started = performance.now();
  const dataDir =
    kind === 'outpost' ? fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-bench-')) : '';
  const password =
    kind === 'outpost' ? `bench-${crypto.randomBytes(12).toString('base64url')}` : '';
  const baseEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.tmpdir(),
    NODE_ENV: 'production',
    PORT: '0',
  };
  if (dataDir) dataDirs.add(dataDir);
  let child: ChildProcess;
  const nodeFlags = options.inspect ? ['--inspect=127.0.0.1:0'] : [];
  // For profiling one server, e.g. BENCH_NODE_FLAGS_OUTPOST='--cpu-prof --cpu-prof-dir=/tmp/p'.
  const extra = process.env[`BENCH_NODE_FLAGS_${kind.toUpperCase()}`];
  if (extra) nodeFlags.push(...extra.split(' ').filter(Boolean));
  if (kind === 'outpost') {
    child = spawnNode('realtime/src/main.ts', [], {
      cwd: REPO_ROOT,
      nodeFlags,
      env: {
        ...baseEnv,
        HOST,
        DATA_DIR: dataDir,
        OUTPOST_DEMO: '1',
        OUTPOST_DEMO_PASSWORD: password,
        OUTPOST_UNLOAD_GRACE_MS: String(options.unloadGraceMs),
        LOG_LEVEL: 'warn',
      },
    });
  } else {
    const script = kind === 'reference' ? 'reference-server.ts' : 'relay-server.ts';
    child = spawnNode(path.join('src', 'servers', script), [], {
      cwd: BENCH_ROOT,
      env: baseEnv,
      nodeFlags,
    });
  }
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8_000)));
  const cleanup = async () => {
    await stopChild(child);
    if (dataDir) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      dataDirs.delete(dataDir);
    }
  };
  try {
    const port = await waitForPort(child, kind, () => stderr);
    const httpUrl = `http://${HOST}:${port}`;
    const token = kind === 'outpost' ? await outpostToken(httpUrl, password) : '';
    const pid = child.pid!;
    const sample = () => (kind === 'outpost' ? procSample(pid) : wrapperSample(httpUrl));
    return {
      kind,
      pid,
      port,
      httpUrl,
      wsBase: `ws://${HOST}:${port}/yjs/`,
      token,
      password,
      startMs: performance.now() - started,
      sample,
      async sampleAfterGc() {
        const url = inspectorUrl(stderr);
        if (!url) throw new Error(`${kind} was not started with an inspector`);
        const { heapUsedBytes } = await collectGarbage(url);
        return { ...(await sample()), heapUsedBytes };
      },
      snapshotsSince: (prefix, sinceMs) =>
        kind === 'outpost' ? countSnapshots(dataDir, prefix, sinceMs) : null,
      stderrTail: () => stderr.slice(-2_000),
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw new Error(`${kind} did not start: ${errorMessage(error)}\n${stderr.slice(-2_000)}`);
  }
}

function waitForPort(child: ChildProcess, kind: TargetKind, stderr: () => string): Promise<number> {
  const pattern =
    kind === 'outpost'
      ? /Outpost is running at http:\/\/[^:\s]+:(\d+)/
      : new RegExp(`${kind} listening (\\d+)`);
  return withTimeout(
    new Promise<number>((resolve, reject) => {
      let stdout = '';
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (chunk: string) => {
        stdout = (stdout + chunk).slice(-4_000);
        const match = pattern.exec(stdout);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code, signal) =>
        reject(new Error(`exited during start (${code ?? signal}): ${stderr().slice(-1_000)}`)),
      );
    }),
    START_TIMEOUT_MS,
    `${kind} start`,
  );
}

/** Logs in as the demo administrator (who may also register boards) and creates an API token (POST /api/auth/login, /api/tokens). */
async function outpostToken(httpUrl: string, password: string): Promise<string> {
  const login = await fetch(`${httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
    signal: AbortSignal.timeout(15_000),
  });
  if (login.status !== 200) throw new Error(`login: HTTP ${login.status} ${await login.text()}`);
  const cookie = login.headers
    .getSetCookie()
    .find((c) => c.startsWith('outpost_session='))
    ?.split(';')[0];
  if (!cookie) throw new Error('login set no outpost_session cookie');
  const created = await fetch(`${httpUrl}/api/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ name: 'bench' }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await created.json()) as { token?: string };
  if (!created.ok || !body.token)
    throw new Error(`POST /api/tokens: HTTP ${created.status} ${JSON.stringify(body)}`);
  return body.token;
}

/** Reads Outpost's store (SQLite in WAL mode allows a second, read-only reader). */
function countSnapshots(dataDir: string, prefix: string, sinceMs: number): number | null {
  let db: BetterSqlite3.Database | null = null;
  try {
    db = new BetterSqlite3(path.join(dataDir, 'outpost.db'), {
      readonly: true,
      fileMustExist: true,
    });
    const row = db
      .prepare<[{ prefix: string; since: number }], { n: number }>(
        'SELECT count(*) AS n FROM doc_snapshots WHERE substr(name, 1, length(@prefix)) = @prefix AND updated_at >= @since',
      )
      .get({ prefix, since: sinceMs });
    return row?.n ?? null;
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

async function procSample(pid: number): Promise<Sample> {
  const usage = procUsage(pid);
  if (!usage) throw new Error(`process ${pid} is gone`);
  return { ...usage, documents: null, connections: null, source: 'proc' };
}

async function wrapperSample(httpUrl: string): Promise<Sample> {
  const response = await fetch(`${httpUrl}/__bench/stats`, { signal: AbortSignal.timeout(10_000) });
  const stats = (await response.json()) as WrapperStats;
  return {
    cpuMs: (stats.cpuUserUs + stats.cpuSystemUs) / 1000,
    rssBytes: stats.rssBytes,
    documents: stats.documents,
    connections: stats.connections,
    source: 'process.cpuUsage',
  };
}
