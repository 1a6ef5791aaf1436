/**
 * Private PostgreSQL and Redis servers on loopback, from Debian's binaries, for the local
 * cluster script and the cluster tests: started in a directory of their own on a given (or
 * free) port, and stopped by PID. PostgreSQL refuses to run as root, so as root the server
 * runs as the `postgres` (or `nobody`) user.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const HOST = '127.0.0.1';

/** Debian's newest installed PostgreSQL server binaries, or null. */
export function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  return (
    fs
      .readdirSync(root)
      .sort((a, b) => Number(b) - Number(a))
      .map((version) => path.join(root, version, 'bin'))
      .find((dir) => fs.existsSync(path.join(dir, 'postgres'))) ?? null
  );
}

/** A free TCP port on loopback (released at once; the caller binds it next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, HOST);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `ready` until it resolves true; throws after `timeoutMs` or if `child` exits. */
async function until(
  what: string,
  child: ChildProcess,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode})`);
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not start within ${timeoutMs} ms`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Whom the database server runs as: this process's user, unless that is root. */
function serviceUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    try {
      return {
        uid: Number(execFileSync('id', ['-u', name]).toString().trim()),
        gid: Number(execFileSync('id', ['-g', name]).toString().trim()),
      };
    } catch {
      // next candidate
    }
  }
  throw new Error('running as root and found no user to run PostgreSQL as');
}

/**
 * Lets another user pass through `dir` and its parents (search permission only, no listing),
 * so that the database user reaches its directory inside ours.
 */
function reachableBy(dir: string): void {
  for (let d = dir; ; d = path.dirname(d)) {
    const { mode, uid } = fs.statSync(d);
    if ((mode & 0o001) === 0 && uid === process.getuid?.())
      fs.chmodSync(d, (mode & 0o7777) | 0o001);
    if (path.dirname(d) === d) return;
  }
}

export class LocalPostgres {
  private child: ChildProcess | null = null;
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
    private readonly user: { uid: number; gid: number } | null,
    private readonly fast: boolean,
  ) {}

  /** `postgres://` URL of the `outpost` database. */
  get url(): string {
    return `postgres://outpost@${HOST}:${this.port}/outpost`;
  }

  /**
   * Starts PostgreSQL with its data in `dir` (created and initialised on first use) on `port`
   * (a free one by default). `fast` turns fsync off: for tests only.
   */
  static async start(
    dir: string,
    { port, fast = false }: { port?: number; fast?: boolean } = {},
  ): Promise<LocalPostgres> {
    const bin = postgresBin();
    if (!bin) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
    const user = serviceUser();
    const asUser = user ?? {};
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (user) {
      fs.chownSync(dir, user.uid, user.gid);
      reachableBy(path.dirname(path.resolve(dir)));
    }
    const fresh = !fs.existsSync(path.join(dir, 'data', 'PG_VERSION'));
    if (fresh) {
      execFileSync(
        path.join(bin, 'initdb'),
        ['-D', path.join(dir, 'data'), '-U', 'outpost', '-A', 'trust', '-E', 'UTF8', '--no-sync'],
        { ...asUser, stdio: 'ignore', cwd: dir },
      );
    }
    const pg = new LocalPostgres(dir, port ?? (await freePort()), bin, user, fast);
    await pg.startServer();
    if (fresh) {
      execFileSync(
        path.join(bin, 'createdb'),
        ['-h', HOST, '-p', String(pg.port), '-U', 'outpost', 'outpost'],
        { stdio: 'ignore' },
      );
    }
    return pg;
  }

  /** Starts the server (again) on the same port and data. */
  async startServer(): Promise<void> {
    const args = ['-D', path.join(this.dir, 'data'), '-p', String(this.port), '-k', this.dir];
    args.push('-c', `listen_addresses=${HOST}`, '-c', 'max_connections=200');
    if (this.fast) args.push('-c', 'fsync=off');
    const child = spawn(path.join(this.bin, 'postgres'), args, {
      ...(this.user ?? {}),
      stdio: 'ignore',
      cwd: this.dir,
    });
    this.child = child;
    await until(
      'postgres',
      child,
      async () => {
        if (!(await accepts(this.port))) return false;
        try {
          execFileSync(path.join(this.bin, 'pg_isready'), ['-h', HOST, '-p', String(this.port)], {
            stdio: 'ignore',
          });
          return true;
        } catch {
          return false;
        }
      },
      30_000,
    );
  }

  /** Fast shutdown (SIGINT): open transactions roll back, clients are cut off. */
  async stopServer(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGINT');
    await exited(child);
    this.child = null;
  }

  /** Stops the server and deletes its directory (tests). */
  async destroy(): Promise<void> {
    await this.stopServer();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export class LocalRedis {
  private child: ChildProcess | null = null;
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://${HOST}:${this.port}`;
  }

  /** Starts an empty Redis (no persistence: it carries only messages) on `port` or a free one. */
  static async start(dir: string, { port }: { port?: number } = {}): Promise<LocalRedis> {
    fs.mkdirSync(dir, { recursive: true });
    const redis = new LocalRedis(dir, port ?? (await freePort()));
    await redis.startServer();
    return redis;
  }

  async startServer(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', HOST, '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore', cwd: this.dir },
    );
    this.child = child;
    await until('redis', child, () => accepts(this.port), 15_000);
  }

  /** Stops Redis at once (SIGKILL), as a crash or a network loss would. */
  async stopServer(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await exited(child);
    this.child = null;
  }

  /** Stops the server and deletes its directory (tests). */
  async destroy(): Promise<void> {
    await this.stopServer();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
