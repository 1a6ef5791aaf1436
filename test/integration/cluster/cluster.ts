/**
 * A real cluster for the tests: PostgreSQL, Redis, N Outpost nodes (child processes) sharing
 * them, and the round-robin balancer in front. Convergence is judged by what a fresh client
 * gets from each node: encoded state vectors and content must be equal everywhere.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import * as Y from 'yjs';
import { TaskBoard } from '@outpost/model';
import { startBalancer, type Balancer } from '../../../realtime/src/cluster/balancer.ts';
import { OutpostServer, RawYjsClient, waitFor, type WaitOptions } from '../helpers.ts';
import { LocalPostgres, LocalRedis } from '../../../realtime/src/cluster/localServices.ts';

export interface ClusterOptions {
  nodes?: number;
  env?: Record<string, string>;
  /** Environment of one node (index from 0), over `env`. */
  nodeEnv?: (index: number) => Record<string, string>;
}

export class TestCluster {
  balancer: Balancer | null = null;

  private constructor(
    readonly pg: LocalPostgres,
    readonly redis: LocalRedis,
    readonly nodes: OutpostServer[],
    readonly password: string,
  ) {}

  static async start({
    nodes = 3,
    env = {},
    nodeEnv = () => ({}),
  }: ClusterOptions = {}): Promise<TestCluster> {
    const [pg, redis] = await Promise.all([tempPostgres(), tempRedis()]);
    const password = `pw-${crypto.randomBytes(9).toString('base64url')}`;
    const cluster = new TestCluster(pg, redis, [], password);
    try {
      // All at once: the demo workspace must still be seeded exactly once.
      const started = await Promise.all(
        Array.from({ length: nodes }, (_, i) =>
          OutpostServer.start({
            password,
            startTimeoutMs: 120_000,
            env: {
              DATABASE_URL: pg.url,
              REDIS_URL: redis.url,
              OUTPOST_NODE_ID: `node-${i + 1}`,
              OUTPOST_CATCHUP_MS: '1000',
              OUTPOST_UNLOAD_GRACE_MS: '2000',
              ...env,
              ...nodeEnv(i),
            },
          }),
        ),
      );
      cluster.nodes.push(...started);
      cluster.balancer = await startBalancer(
        started.map((node) => ({ host: '127.0.0.1', port: node.port })),
      );
    } catch (error) {
      await cluster.dispose();
      throw error;
    }
    return cluster;
  }

  /** The balancer as a server the helpers can connect to. */
  get front(): Pick<OutpostServer, 'wsUrl' | 'url'> {
    const url = this.balancer!.url;
    return { url, wsUrl: `${url.replace('http', 'ws')}/yjs` };
  }

  async dispose(): Promise<void> {
    await this.balancer?.close();
    for (const node of this.nodes) node.signal('SIGCONT');
    await Promise.all(this.nodes.map((node) => node.dispose().catch(() => undefined)));
    await Promise.all([this.pg.destroy(), this.redis.destroy()]);
  }
}

/** PostgreSQL in a fresh temp directory, fsync off (tests only). */
export function tempPostgres(): Promise<LocalPostgres> {
  return LocalPostgres.start(fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-pg-')), {
    fast: true,
  });
}

export function tempRedis(): Promise<LocalRedis> {
  return LocalRedis.start(fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-redis-')));
}

export interface NodeView {
  stateVector: Uint8Array;
  titles: string[];
}

/** What a fresh client syncing from `node` gets of the document. */
export async function viewOf(
  node: Pick<OutpostServer, 'wsUrl'>,
  token: string,
  docName: string,
): Promise<NodeView> {
  const client = await RawYjsClient.synced(node, docName, { token });
  try {
    return {
      stateVector: Y.encodeStateVector(client.doc),
      titles: titles(client.doc),
    };
  } finally {
    await client.close();
  }
}

export function titles(doc: Y.Doc): string[] {
  return new TaskBoard(doc)
    .list()
    .map((task) => task.title)
    .sort();
}

/** Same as `a`, compared as decoded maps (client id -> clock). */
function sameVector(a: Uint8Array, b: Uint8Array): boolean {
  const x = Y.decodeStateVector(a);
  const y = Y.decodeStateVector(b);
  if (x.size !== y.size) return false;
  for (const [client, clock] of x) if (y.get(client) !== clock) return false;
  return true;
}

/**
 * Waits until every running node serves the same state (equal state vectors, equal content)
 * that contains every title in `expected`; returns that content.
 */
export async function converged(
  nodes: readonly OutpostServer[],
  token: string,
  docName: string,
  expected: Iterable<string>,
  options: WaitOptions = { timeout: 60_000, interval: 250 },
): Promise<string[]> {
  const want = [...new Set(expected)];
  return waitFor(async () => {
    const views = await Promise.all(nodes.map((node) => viewOf(node, token, docName)));
    const first = views[0]!;
    for (const [i, view] of views.entries()) {
      const missing = want.filter((t) => !view.titles.includes(t));
      expect(missing, `node ${i + 1} lacks ${missing.length} titles`).toEqual([]);
      expect(view.titles, `node ${i + 1} content`).toEqual(first.titles);
      expect(sameVector(view.stateVector, first.stateVector), `node ${i + 1} state vector`).toBe(
        true,
      );
    }
    return first.titles;
  }, options);
}
