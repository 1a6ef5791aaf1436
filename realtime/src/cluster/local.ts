import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startBalancer, type Balancer } from './balancer.ts';
import { freePort, LocalPostgres, LocalRedis } from './localServices.ts';

export interface LocalClusterOptions {
  /** PostgreSQL's and Redis's directories, and each node's DATA_DIR, go in here. */
  dataDir: string;
  nodes: number;
  /** The balancer's port (0: a free one) and interface. */
  port: number;
  host: string;
  demo: boolean;
  password: string;
  /** PostgreSQL without fsync (tests only). */
  fast?: boolean;
  /** Extra environment for every node. */
  env?: Record<string, string>;
  /** What a node writes on stderr (its JSON log lines); ignored by default. */
  logs?: 'inherit' | 'ignore';
  /** Told when a node exits on its own. */
  onNodeExit?: (index: number, code: number | string | null) => void;
}

export interface LocalCluster {
  /** The balancer's address. */
  url: string;
  /** Each node's own address. */
  nodeUrls: string[];
  pgUrl: string;
  redisUrl: string;
  balancer: Balancer;
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '..', '..', '..');

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`a node exited during start (${child.exitCode})`);
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready within 120 s`);
}

/**
 * Outpost as a cluster on this machine: PostgreSQL and Redis on loopback, `nodes` identical
 * nodes (`realtime/src/main.ts`) sharing them, and the round-robin balancer in front. For
 * `pnpm cluster` and for tests that drive the web app against a cluster.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const children: ChildProcess[] = [];
  let balancer: Balancer | null = null;
  let pg: LocalPostgres | null = null;
  let redis: LocalRedis | null = null;
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await balancer?.close();
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await redis?.stopServer();
    await pg?.stopServer();
  };
  try {
    [pg, redis] = await Promise.all([
      LocalPostgres.start(path.join(options.dataDir, 'postgres'), { fast: options.fast ?? false }),
      LocalRedis.start(path.join(options.dataDir, 'redis')),
    ]);
    const ports = await Promise.all(Array.from({ length: options.nodes }, () => freePort()));
    ports.forEach((port, i) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'realtime/src/main.ts'], {
        cwd: root,
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          DATA_DIR: path.join(options.dataDir, `node-${i + 1}`),
          DATABASE_URL: pg!.url,
          REDIS_URL: redis!.url,
          OUTPOST_NODE_ID: `node-${i + 1}`,
          OUTPOST_DEMO: options.demo ? '1' : '0',
          OUTPOST_DEMO_PASSWORD: options.password,
          ...options.env,
        },
        stdio: ['ignore', 'ignore', options.logs ?? 'ignore'],
      });
      child.once('exit', (code, signal) => {
        if (!stopping) options.onNodeExit?.(i, code ?? signal);
      });
      children.push(child);
    });
    const nodeUrls = ports.map((port) => `http://127.0.0.1:${port}`);
    await Promise.all(nodeUrls.map((url, i) => waitReady(url, children[i]!)));
    balancer = await startBalancer(
      ports.map((port) => ({ host: '127.0.0.1', port })),
      { port: options.port, host: options.host },
    );
    const shown = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
    return {
      url: `http://${shown}:${balancer.port}`,
      nodeUrls,
      pgUrl: pg.url,
      redisUrl: redis.url,
      balancer,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
