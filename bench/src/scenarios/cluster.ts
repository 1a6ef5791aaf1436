/**
 * 7. Cluster (Outpost only): three nodes sharing PostgreSQL and Redis. Fan-out latency when
 * the writer and its subscribers share one node versus when every delivery crosses nodes
 * through Redis, in the same run on the same processes; then durable-write throughput as the
 * same writers are spread over one, two and three nodes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { ConnectResult, DurableResult, FanoutResult } from '../client/worker.ts';
import { spawnNode, stopChild } from '../lib/proc.ts';
import type { Cell, Check, Row } from '../lib/report.ts';
import { errorMessage } from '../lib/stats.ts';
import { REPO_ROOT, TARGETS, type Target } from '../servers/targets.ts';
import {
  LocalPostgres,
  LocalRedis,
  postgresBin,
} from '../../../realtime/src/cluster/localServices.ts';
import { boardDoc, check, registerBoards, type Context, type Scenario } from './common.ts';

const HOST = '127.0.0.1';
const NODES = 3;

interface Node {
  child: ChildProcess;
  httpUrl: string;
  wsBase: string;
}

/** A row with the value in Outpost's column (the other servers have no cluster mode). */
function outpostRow(section: string, metric: string, unit: Row['unit'], value: Cell): Row {
  const values = Object.fromEntries(TARGETS.map((t) => [t, 'n/a'])) as Row['values'];
  values.outpost = value;
  return { section, metric, unit, values, noRatio: true };
}

async function startNode(i: number, env: Record<string, string>): Promise<Node> {
  const child = spawnNode('realtime/src/main.ts', [], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? os.tmpdir(),
      NODE_ENV: 'production',
      PORT: '0',
      HOST,
      OUTPOST_NODE_ID: `bench-${i + 1}`,
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(
      () => reject(new Error(`node ${i + 1} did not start: ${stderr}`)),
      60_000,
    );
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      stdout += chunk;
      const match = /Outpost is running at http:\/\/[^:\s]+:(\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${i + 1} exited (${code}): ${stderr}`));
    });
  });
  return { child, httpUrl: `http://${HOST}:${port}`, wsBase: `ws://${HOST}:${port}/yjs/` };
}

async function adminToken(httpUrl: string, password: string): Promise<string> {
  const login = await fetch(`${httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith('outpost_session='));
  if (!login.ok || !cookie) throw new Error(`login: HTTP ${login.status}`);
  const created = await fetch(`${httpUrl}/api/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: cookie.split(';')[0]! },
    body: JSON.stringify({ name: 'bench-cluster' }),
  });
  const body = (await created.json()) as { token?: string };
  if (!created.ok || !body.token) throw new Error(`POST /api/tokens: HTTP ${created.status}`);
  return body.token;
}

export const cluster: Scenario = {
  name: 'cluster',
  title:
    '7. Cluster: cross-node fan-out and throughput (3 nodes, PostgreSQL, Redis; quick: 60 subscribers, 40 writes per writer)',
  expectedMs: { quick: 18_000, full: 90_000 },
  async run(ctx: Context) {
    if (!ctx.targets.includes('outpost'))
      return { rows: [], checks: [], errors: [], skipped: 'outpost not selected', details: {} };
    if (!postgresBin()) {
      return {
        rows: [],
        checks: [],
        errors: [],
        skipped: 'PostgreSQL server binaries not installed',
        details: {},
      };
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-bench-cluster-'));
    const password = `bench-${Date.now().toString(36)}`;
    const nodes: Node[] = [];
    let pg: LocalPostgres | null = null;
    let redis: LocalRedis | null = null;
    const rows: Row[] = [];
    const checks: Check[] = [];
    const errors: string[] = [];
    const details: Record<string, unknown> = {};
    try {
      [pg, redis] = await Promise.all([
        LocalPostgres.start(path.join(dir, 'pg'), { fast: false }),
        LocalRedis.start(path.join(dir, 'redis')),
      ]);
      const env = {
        DATABASE_URL: pg.url,
        REDIS_URL: redis.url,
        OUTPOST_DEMO: '1',
        OUTPOST_DEMO_PASSWORD: password,
        DATA_DIR: dir,
      };
      // The first node creates the schema and the demo workspace; the others then start together.
      nodes.push(await startNode(0, env));
      const others = await Promise.allSettled(
        Array.from({ length: NODES - 1 }, (_, i) => startNode(i + 1, env)),
      );
      for (const other of others) if (other.status === 'fulfilled') nodes.push(other.value);
      const failed = others.find((o) => o.status === 'rejected');
      if (failed) throw failed.reason;
      const token = await adminToken(nodes[0]!.httpUrl, password);
      const at = (i: number) => ({ wsBase: nodes[i]!.wsBase, token });
      const subscribers = ctx.quick ? 60 : 200;
      const edits = ctx.quick ? 40 : 200;
      const ratePerSec = 20;
      const throughputEdits = ctx.quick ? 40 : 300;
      const writers = 6;
      // registerBoards reads only the endpoint of a target.
      await registerBoards(ctx, at(0) as Target, [
        'cluster-local',
        'cluster-cross',
        ...Array.from({ length: writers }, (_, w) => `cluster-w${w}`),
      ]);

      // Fan-out: the same writer and subscriber counts, on one node, then across nodes.
      const fanout = async (
        label: string,
        writerAt: number,
        subscriberNodes: number[],
        board: string,
      ) => {
        const doc = boardDoc(board);
        const per = Math.ceil(subscribers / subscriberNodes.length);
        for (const n of subscriberNodes) {
          const connect = await ctx.pool.call<ConnectResult>(
            0,
            {
              cmd: 'connect',
              args: {
                ...at(n),
                group: 'subscribers',
                docs: Array.from({ length: per }, () => doc),
                concurrency: ctx.sizes.connectConcurrency,
                perConnectionTimeoutMs: 20_000,
                totalTimeoutMs: 60_000,
              },
            },
            90_000,
          );
          if (connect.failed)
            throw new Error(`${label}: ${connect.failed} subscribers failed: ${connect.errors[0]}`);
        }
        await ctx.pool.call(
          0,
          {
            cmd: 'fanoutPrepare',
            args: { ...at(writerAt), group: 'subscribers', doc, edits, timeoutMs: 20_000 },
          },
          40_000,
        );
        const run = await ctx.pool.call<FanoutResult>(
          0,
          { cmd: 'fanoutRun', args: { ratePerSec, drainTimeoutMs: 15_000 } },
          (edits / ratePerSec) * 1000 + 40_000,
        );
        await ctx.pool.call(0, { cmd: 'close', group: 'subscribers' }, 60_000);
        const p = run.latency;
        ctx.log(
          `  ${label}: p50 ${p?.p50.toFixed(2)} ms, p99 ${p?.p99.toFixed(2)} ms, lost ${run.lost}`,
        );
        const section = `fan-out, ${subscribers} subscribers, ${label}`;
        rows.push(
          outpostRow(section, 'delivery latency p50', 'ms', p?.p50 ?? null),
          outpostRow(section, 'delivery latency p95', 'ms', p?.p95 ?? null),
          outpostRow(section, 'delivery latency p99', 'ms', p?.p99 ?? null),
          outpostRow(section, `deliveries lost (of ${run.expected}; must be 0)`, 'count', run.lost),
        );
        checks.push(check(run.lost === 0, `cluster fan-out ${label}: ${run.lost} deliveries lost`));
        details[label] = run;
      };
      await fanout('1 node (writer and subscribers on node 1)', 0, [0], 'cluster-local');
      await fanout(
        '3 nodes (writer on node 1, subscribers on nodes 2 and 3)',
        0,
        [1, 2],
        'cluster-cross',
      );

      // Throughput: six writers, each on its own board, acknowledged durable writes as fast as
      // the cluster takes them; the writers spread over 1, 2, then 3 nodes.
      // Quick: one node and three (the two-node step sits between them).
      for (const k of ctx.quick ? [1, 3] : [1, 2, 3]) {
        const started = performance.now();
        const results = await Promise.all(
          Array.from({ length: writers }, (_, w) =>
            ctx.pool.call<DurableResult>(
              w % 2,
              {
                cmd: 'durable',
                args: {
                  ...at(w % k),
                  doc: boardDoc(`cluster-w${w}`),
                  edits: throughputEdits,
                  ratePerSec: 1_000,
                  timeoutMs: 60_000,
                },
              },
              120_000,
            ),
          ),
        );
        const seconds = (performance.now() - started) / 1000;
        const acked = results.reduce((sum, r) => sum + r.acked, 0);
        const rate = acked / seconds;
        ctx.log(`  throughput with ${k} node(s): ${rate.toFixed(0)} durable updates/s`);
        rows.push(
          outpostRow(
            'throughput, 6 writers, durable acks',
            `${k} node${k > 1 ? 's' : ''}: updates per second`,
            'count',
            Math.round(rate),
          ),
        );
        details[`throughput-${k}`] = { acked, seconds };
      }
    } catch (error) {
      errors.push(`outpost: ${errorMessage(error)}`);
      await ctx.pool.reset();
    } finally {
      await Promise.all(nodes.map((node) => stopChild(node.child)));
      await redis?.stopServer();
      await pg?.stopServer();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return { rows, checks, errors, details };
  },
};
