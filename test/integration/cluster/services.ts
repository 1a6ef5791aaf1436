/**
 * Real PostgreSQL and Redis for the cluster tests: Debian's binaries, private instances in temp
 * directories on free loopback ports, started and stopped by PID. PostgreSQL refuses to run as
 * root, so as root the server runs as the `postgres` (or `nobody`) user.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../helpers.ts';

/** Debian's newest installed PostgreSQL server binaries. */
const PG_BIN = (fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql') : [])
  .sort((a, b) => Number(b) - Number(a))
  .map((version) => path.join('/usr/lib/postgresql', version, 'bin'))
  .find((dir) => fs.existsSync(path.join(dir, 'postgres')));
const HOST = '127.0.0.1';

/** A free TCP port on loopback (closed again at once; the caller binds it next). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Does something accept TCP connections on the port? */
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

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Which user the database server runs as: itself, unless it is root. */
function serviceUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
      const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
      return { uid, gid };
    } catch {
      // try the next
    }
  }
  throw new Error('running as root and found no user to run PostgreSQL as');
}

export class Postgres {
  private child: ChildProcess | null = null;
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly user: { uid: number; gid: number } | null,
  ) {}

  /** `postgres://` URL of the test database. */
  get url(): string {
    return `postgres://outpost@${HOST}:${this.port}/outpost`;
  }

  static async start(): Promise<Postgres> {
    if (!PG_BIN)
      throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-pg-'));
    const user = serviceUser();
    if (user) fs.chownSync(dir, user.uid, user.gid);
    const asUser = user ? { uid: user.uid, gid: user.gid } : {};
    execFileSync(
      path.join(PG_BIN, 'initdb'),
      ['-D', path.join(dir, 'data'), '-U', 'outpost', '-A', 'trust', '--no-sync', '-E', 'UTF8'],
      { ...asUser, stdio: 'ignore', cwd: dir },
    );
    const pg = new Postgres(dir, await freePort(), user);
    await pg.startServer();
    execFileSync(
      path.join(PG_BIN, 'createdb'),
      ['-h', HOST, '-p', String(pg.port), '-U', 'outpost', 'outpost'],
      {
        stdio: 'ignore',
      },
    );
    return pg;
  }

  /** Starts the server (again) on the same port and data. */
  async startServer(): Promise<void> {
    const asUser = this.user ? { uid: this.user.uid, gid: this.user.gid } : {};
    this.child = spawn(
      path.join(PG_BIN!, 'postgres'),
      [
        '-D',
        path.join(this.dir, 'data'),
        '-p',
        String(this.port),
        '-k',
        this.dir,
        '-c',
        `listen_addresses=${HOST}`,
        '-c',
        'fsync=off',
        '-c',
        'max_connections=200',
      ],
      { ...asUser, stdio: 'ignore', cwd: this.dir },
    );
    const child = this.child;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
        if (!(await accepts(this.port))) throw new Error('postgres not accepting yet');
        execFileSync(path.join(PG_BIN!, 'pg_isready'), ['-h', HOST, '-p', String(this.port)], {
          stdio: 'ignore',
        });
      },
      { timeout: 30_000, interval: 100 },
    );
  }

  /** Fast shutdown (SIGINT): open transactions are rolled back, clients are cut off. */
  async stopServer(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGINT');
    await exited(child);
    this.child = null;
  }

  async stop(): Promise<void> {
    await this.stopServer();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export class Redis {
  private child: ChildProcess | null = null;
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://${HOST}:${this.port}`;
  }

  static async start(): Promise<Redis> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-redis-'));
    const redis = new Redis(dir, await freePort());
    await redis.startServer();
    return redis;
  }

  /** Starts Redis (again) on the same port, empty: no persistence, as a cache would be. */
  async startServer(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        HOST,
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
      ],
      { stdio: 'ignore' },
    );
    const child = this.child;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`redis exited with ${child.exitCode}`);
        if (!(await accepts(this.port))) throw new Error('redis not accepting yet');
      },
      { timeout: 15_000, interval: 50 },
    );
  }

  async stopServer(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await exited(child);
    this.child = null;
  }

  async stop(): Promise<void> {
    await this.stopServer();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
