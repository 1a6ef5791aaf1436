import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

/** Everything the server can be told from outside. Read once at start-up by `loadConfig`. */
export interface Config {
  /** TCP port. Default 3000 (`PORT`); 0 picks a free port (tests). */
  port: number;
  /** Interface to bind. Default `0.0.0.0` (`HOST`) so phones on the LAN can reach a laptop. */
  host: string;
  /** Where the embedded SQLite store lives. Default `./data` (`DATA_DIR`). */
  dataDir: string;
  /** Seed a demo workspace into an empty store (`OUTPOST_DEMO=1`). Default off. */
  demo: boolean;
  /** Password of the demo accounts (`OUTPOST_DEMO_PASSWORD`); random and printed when unset. */
  demoPassword: string | null;
  /**
   * Largest WebSocket message accepted, in bytes (`OUTPOST_MAX_MESSAGE_BYTES`). Default 8 MiB:
   * a phone that was offline all day sends its whole backlog as one SyncStep2.
   */
  maxMessageBytes: number;
  /**
   * Largest stored size of one document, in bytes (`OUTPOST_MAX_DOCUMENT_BYTES`). Default
   * 64 MiB, far above a district board of 5,000 tasks (a few MB), low enough to stop abuse.
   */
  maxDocumentBytes: number;
  /**
   * How long a document stays in memory after its last client leaves, in ms
   * (`OUTPOST_UNLOAD_GRACE_MS`). Default 10 s: a phone that blinks off and on does not pay a reload.
   */
  unloadGraceMs: number;
  /**
   * Stored updates per document before they are compacted into one snapshot
   * (`OUTPOST_COMPACT_EVERY`). Default 500: loads stay fast, compaction stays rare.
   */
  compactEvery: number;
  /** Session lifetime in ms (`OUTPOST_SESSION_TTL_MS`). Default 30 days: field phones stay signed in. */
  sessionTtlMs: number;
  /**
   * Mark the session cookie `Secure` (`OUTPOST_SECURE_COOKIES=1`). Default off, because the
   * quick start serves plain http on a LAN; turn it on behind TLS.
   */
  secureCookies: boolean;
  /** Directory of the built web app (adapter-node output). Default `web/build` beside `realtime/`. */
  webBuildDir: string;
  /**
   * How often the uncovered-post alarm looks at the rosters, in ms (`OUTPOST_ROSTER_CHECK_MS`).
   * Default 20 s, so a supervisor hears of a post left empty within a minute of its shift
   * starting; tests set it low.
   */
  rosterCheckMs: number;
  /**
   * How often accounts changed outside this process (the admin CLI, another node's database
   * writes) reach open connections and the workspace directory, in ms
   * (`OUTPOST_ACCOUNT_SWEEP_MS`). Default 15 s; tests set it low.
   */
  accountSweepMs: number;
  /** Log level (`LOG_LEVEL`): `info` by default, `silent` in tests that want quiet. */
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /**
   * Cluster mode: a PostgreSQL connection string (`DATABASE_URL`) for the shared store and a
   * Redis URL (`REDIS_URL`) between nodes, both or neither. Without them, one embedded process.
   */
  databaseUrl: string | null;
  redisUrl: string | null;
  /** This node's name in logs, metrics and leases (`OUTPOST_NODE_ID`); random by default. */
  nodeId: string;
  /**
   * How often a node re-reads the shared log of its loaded documents, whatever Redis delivered
   * (`OUTPOST_CATCHUP_MS`). Default 5 s: the bound on how long a lost message stays missing.
   */
  catchUpMs: number;
  /**
   * Bearer token for `GET /metrics` (`OUTPOST_METRICS_TOKEN`). Without it, metrics are served
   * only to requests from loopback.
   */
  metricsToken: string | null;
}

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: int(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR || './data'),
    demo: flag(env, 'OUTPOST_DEMO'),
    demoPassword: env.OUTPOST_DEMO_PASSWORD || null,
    maxMessageBytes: int(env, 'OUTPOST_MAX_MESSAGE_BYTES', 8 * 1024 * 1024, 1024, 1 << 30),
    maxDocumentBytes: int(env, 'OUTPOST_MAX_DOCUMENT_BYTES', 64 * 1024 * 1024, 1024, 1 << 31),
    unloadGraceMs: int(env, 'OUTPOST_UNLOAD_GRACE_MS', 10_000, 0, 3_600_000),
    compactEvery: int(env, 'OUTPOST_COMPACT_EVERY', 500, 1, 1_000_000),
    sessionTtlMs: int(
      env,
      'OUTPOST_SESSION_TTL_MS',
      30 * 24 * 3600 * 1000,
      60_000,
      365 * 24 * 3600 * 1000,
    ),
    secureCookies: flag(env, 'OUTPOST_SECURE_COOKIES'),
    webBuildDir: path.resolve(env.OUTPOST_WEB_BUILD || path.join(repoRoot, 'web', 'build')),
    logLevel: level(env.LOG_LEVEL),
    ...cluster(env),
    nodeId:
      env.OUTPOST_NODE_ID ||
      `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`,
    catchUpMs: int(env, 'OUTPOST_CATCHUP_MS', 5_000, 100, 3_600_000),
    metricsToken: env.OUTPOST_METRICS_TOKEN || null,
    rosterCheckMs: int(env, 'OUTPOST_ROSTER_CHECK_MS', 20_000, 100, 600_000),
    accountSweepMs: int(env, 'OUTPOST_ACCOUNT_SWEEP_MS', 15_000, 100, 600_000),
  };
}

function cluster(env: NodeJS.ProcessEnv): Pick<Config, 'databaseUrl' | 'redisUrl'> {
  const databaseUrl = env.DATABASE_URL || null;
  const redisUrl = env.REDIS_URL || null;
  if ((databaseUrl === null) !== (redisUrl === null)) {
    throw new Error('cluster mode needs both DATABASE_URL (PostgreSQL) and REDIS_URL, or neither');
  }
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new Error('DATABASE_URL must be a postgres:// connection string');
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl))
    throw new Error('REDIS_URL must be a redis:// or rediss:// URL');
  return { databaseUrl, redisUrl };
}

function int(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  return raw === '1' || raw === 'true' || raw === 'yes';
}

function level(raw: string | undefined): Config['logLevel'] {
  const levels = ['debug', 'info', 'warn', 'error', 'silent'] as const;
  return (levels as readonly string[]).includes(raw ?? '') ? (raw as Config['logLevel']) : 'info';
}
