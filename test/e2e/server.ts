import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunningServer {
  url: string;
  password: string;
  /** Stops the server (SIGTERM) and deletes its data directory. */
  stop(): Promise<void>;
  /** Kills the process with SIGKILL and keeps its data, for a `restart`. */
  kill(): Promise<void>;
  /** A new process on the same port with the same data (after `kill`). */
  restart(): Promise<RunningServer>;
}

export interface StartOptions {
  port?: number;
  dataDir?: string;
  password?: string;
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts the real Outpost server (`node --import tsx realtime/src/main.ts`) with the demo
 * workspace, on a free port, with a fresh data directory; waits until it answers.
 */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  if (!existsSync(path.join(repoRoot, 'web', 'build', 'handler.js'))) {
    throw new Error('web/build/handler.js is missing: run `pnpm build` before the e2e tests');
  }
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'outpost-e2e-'));
  const password = options.password ?? randomBytes(12).toString('base64url');
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'realtime/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      OUTPOST_DEMO: '1',
      OUTPOST_DEMO_PASSWORD: password,
      LOG_LEVEL: process.env.OUTPOST_E2E_LOG_LEVEL ?? 'warn',
      // The uncovered-post alarm checks every second, so the roster test sees it quickly.
      OUTPOST_ROSTER_CHECK_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    process.stderr.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const restart = () => startServer({ port, dataDir, password });

  // Bounded wait: the server answers /api/me (401 without a session) once it is up.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the server exited with code ${child.exitCode}:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/api/me`);
      if (response.status === 401 || response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server did not answer within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, password, stop, kill, restart };
}
