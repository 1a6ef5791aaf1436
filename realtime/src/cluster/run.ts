/**
 * `pnpm cluster` (scripts/cluster.sh): Outpost as a cluster on this machine, in one command. Starts a private
 * PostgreSQL and Redis on loopback, three identical nodes sharing them, and a round-robin load
 * balancer in front (default port 3000). Data (PostgreSQL's) stays in DATA_DIR (default
 * ./data/cluster) between runs. Ctrl-C stops everything.
 *
 * Environment: PORT (balancer, default 3000), HOST (default 0.0.0.0), OUTPOST_NODES (default
 * 3), DATA_DIR, OUTPOST_DEMO (default 1: seed the demo workspace once), OUTPOST_DEMO_PASSWORD.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startBalancer, type Balancer } from './balancer.ts';
import { freePort, LocalPostgres, LocalRedis } from './localServices.ts';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const dataDir = path.resolve(process.env.DATA_DIR || path.join(root, 'data', 'cluster'));
const count = Number(process.env.OUTPOST_NODES || 3);
const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '0.0.0.0';
const demo = (process.env.OUTPOST_DEMO ?? '1') !== '0';

if (!Number.isInteger(count) || count < 1 || count > 16) fail('OUTPOST_NODES: 1 to 16');
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('PORT: 0 to 65535');

const say = (line: string) => process.stdout.write(`${line}\n`);
function fail(message: string): never {
  process.stderr.write(`cluster: ${message}\n`);
  process.exit(1);
}

/** The demo password: given, or kept in DATA_DIR so every run (and every node) shares it. */
function demoPassword(): string {
  if (process.env.OUTPOST_DEMO_PASSWORD) return process.env.OUTPOST_DEMO_PASSWORD;
  const file = path.join(dataDir, 'demo-password.txt');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = crypto.randomBytes(9).toString('base64url');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
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
  throw new Error(`${url} not ready within 60 s`);
}

fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
const password = demoPassword();
const children: ChildProcess[] = [];
let balancer: Balancer | null = null;
let pg: LocalPostgres | null = null;
let redis: LocalRedis | null = null;
let stopping = false;

async function stop(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  say('\n  Stopping the cluster...');
  await balancer?.close();
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  await redis?.stopServer();
  await pg?.stopServer();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  say(`  Starting PostgreSQL and Redis (data in ${dataDir})...`);
  [pg, redis] = await Promise.all([
    LocalPostgres.start(path.join(dataDir, 'postgres')),
    LocalRedis.start(path.join(dataDir, 'redis')),
  ]);
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  say(`  Starting ${count} nodes...`);
  ports.forEach((nodePort, i) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'realtime/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(nodePort),
        HOST: '127.0.0.1',
        DATA_DIR: path.join(dataDir, `node-${i + 1}`),
        DATABASE_URL: pg!.url,
        REDIS_URL: redis!.url,
        OUTPOST_NODE_ID: `node-${i + 1}`,
        OUTPOST_DEMO: demo ? '1' : '0',
        OUTPOST_DEMO_PASSWORD: password,
      },
      // Structured logs (one JSON line each, with the node's id) go to this terminal.
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('exit', (code, signal) => {
      if (!stopping) say(`  node-${i + 1} exited (${code ?? signal}); the others carry on`);
    });
    children.push(child);
  });
  await Promise.all(ports.map((p, i) => waitReady(`http://127.0.0.1:${p}`, children[i]!)));
  balancer = await startBalancer(
    ports.map((p) => ({ host: '127.0.0.1', port: p })),
    { port, host },
  );
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  say('');
  say(`  Outpost cluster is running at http://${shown}:${balancer.port}`);
  say(`  ${count} nodes: ${ports.map((p) => `127.0.0.1:${p}`).join(', ')} (round robin)`);
  say(`  PostgreSQL: ${pg.url}   Redis: ${redis.url}`);
  say(`  Health: /readyz on each node; metrics: /metrics on each node (loopback only)`);
  if (demo) say(`  Demo accounts: admin, leader, supervisor, worker, worker2, volunteer, viewer`);
  if (demo) say(`  Demo password: ${password}`);
  say('  Ctrl-C stops everything.\n');
} catch (error) {
  process.stderr.write(`cluster: ${error instanceof Error ? error.message : String(error)}\n`);
  await stop(1);
}
