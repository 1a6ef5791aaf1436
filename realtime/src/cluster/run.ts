/**
 * `pnpm cluster` (scripts/cluster.sh): Outpost as a cluster on this machine, in one command.
 * Starts a private PostgreSQL and Redis on loopback, three identical nodes sharing them, and a
 * round-robin load balancer in front (default port 3000). PostgreSQL's data stays in DATA_DIR
 * (default ./data/cluster) between runs. Ctrl-C stops everything.
 *
 * Environment: PORT (balancer, default 3000), HOST (default 0.0.0.0), OUTPOST_NODES (default
 * 3), DATA_DIR, OUTPOST_DEMO (default 1: seed the demo workspace once), OUTPOST_DEMO_PASSWORD.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startLocalCluster, type LocalCluster } from './local.ts';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const dataDir = path.resolve(process.env.DATA_DIR || path.join(root, 'data', 'cluster'));
const nodes = Number(process.env.OUTPOST_NODES || 3);
const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '0.0.0.0';
const demo = (process.env.OUTPOST_DEMO ?? '1') !== '0';

const say = (line: string) => process.stdout.write(`${line}\n`);
function fail(message: string): never {
  process.stderr.write(`cluster: ${message}\n`);
  process.exit(1);
}
if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16) fail('OUTPOST_NODES: 1 to 16');
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('PORT: 0 to 65535');

/** The demo password: given, or kept in DATA_DIR so every run (and every node) shares it. */
function demoPassword(): string {
  if (process.env.OUTPOST_DEMO_PASSWORD) return process.env.OUTPOST_DEMO_PASSWORD;
  const file = path.join(dataDir, 'demo-password.txt');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = crypto.randomBytes(9).toString('base64url');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
const password = demoPassword();
let cluster: LocalCluster | null = null;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    say('\n  Stopping the cluster...');
    void (cluster?.stop() ?? Promise.resolve()).then(() => process.exit(0));
  });
}

say(`  Starting PostgreSQL, Redis and ${nodes} nodes (data in ${dataDir})...`);
try {
  cluster = await startLocalCluster({
    dataDir,
    nodes,
    port,
    host,
    demo,
    password,
    // Structured logs (one JSON line each, with the node's id) go to this terminal.
    logs: 'inherit',
    onNodeExit: (i, code) => say(`  node-${i + 1} exited (${code}); the others carry on`),
  });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
say('');
say(`  Outpost cluster is running at ${cluster.url}`);
say(`  ${nodes} nodes: ${cluster.nodeUrls.join(', ')} (round robin, no stickiness)`);
say(`  PostgreSQL: ${cluster.pgUrl}   Redis: ${cluster.redisUrl}`);
say('  Health: /readyz on each node; metrics: /metrics on each node (loopback only)');
if (demo) {
  say('  Demo accounts: admin, leader, supervisor, worker, worker2, volunteer, viewer');
  say(`  Demo password: ${password}`);
}
say('  Ctrl-C stops everything.\n');
