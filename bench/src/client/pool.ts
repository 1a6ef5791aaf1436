/**
 * The bench's side of the client workers: spawns them (raised file-descriptor limit, IPC),
 * sends commands with a time limit each, and replaces a worker that stopped answering.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { spawnNode, stopChild, killTree } from '../lib/proc.ts';
import { withTimeout } from '../lib/stats.ts';
import { BENCH_ROOT } from '../servers/targets.ts';
import type { Command, Reply, Request } from './worker.ts';

interface Worker {
  child: ChildProcess;
  pending: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
  stderr: string;
}

export class WorkerPool {
  private readonly workers: (Worker | null)[];
  private nextId = 1;

  constructor(
    readonly size: number,
    private readonly log: (line: string) => void,
  ) {
    this.workers = Array.from({ length: size }, () => null);
  }

  /** Runs `command` on worker `index`; rejects on error, on the worker's death or after `timeoutMs`. */
  async call<T>(index: number, command: Command, timeoutMs: number): Promise<T> {
    const worker = this.worker(index);
    const id = this.nextId++;
    const reply = new Promise<unknown>((resolve, reject) =>
      worker.pending.set(id, { resolve, reject }),
    );
    worker.child.send({ id, command } satisfies Request);
    try {
      return (await withTimeout(reply, timeoutMs, `worker ${index} ${command.cmd}`)) as T;
    } catch (error) {
      worker.pending.delete(id);
      if (String(error).includes('timed out')) {
        // A worker that does not answer in time may be wedged: replace it.
        this.log(`  worker ${index} did not answer "${command.cmd}" in time; restarting it`);
        killTree(worker.child);
        this.workers[index] = null;
      }
      throw error;
    }
  }

  /** The same kind of command on several workers at once (one per entry; null skips). */
  all<T>(commands: (Command | null)[], timeoutMs: number): Promise<T[]> {
    return Promise.all(
      commands.flatMap((command, index) =>
        command ? [this.call<T>(index, command, timeoutMs)] : [],
      ),
    );
  }

  /** Closes every connection the workers hold (bounded); restarts a worker that fails to. */
  async reset(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker, index) => {
        if (!worker) return;
        try {
          await this.call(index, { cmd: 'reset' }, 60_000);
        } catch {
          killTree(worker.child);
          this.workers[index] = null;
        }
      }),
    );
  }

  /** Pids of the running workers (to tell their CPU time from other processes'). */
  pids(): number[] {
    return this.workers.flatMap((w) => (w?.child.pid === undefined ? [] : [w.child.pid]));
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker, index) => {
        this.workers[index] = null;
        if (worker) await stopChild(worker.child, 5_000);
      }),
    );
  }

  private worker(index: number): Worker {
    const existing = this.workers[index];
    if (existing && existing.child.exitCode === null && existing.child.signalCode === null)
      return existing;
    const child = spawnNode(path.join('src', 'client', 'worker.ts'), [], {
      cwd: BENCH_ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      ipc: true,
    });
    const worker: Worker = { child, pending: new Map(), stderr: '' };
    child.on('message', (message: Reply) => {
      if ('progress' in message) {
        this.log(`  ${message.progress}`);
        return;
      }
      const waiter = worker.pending.get(message.id);
      if (!waiter) return;
      worker.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(message.error));
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on(
      'data',
      (chunk: string) => (worker.stderr = (worker.stderr + chunk).slice(-4_000)),
    );
    child.stdout!.resume();
    child.once('exit', (code, signal) => {
      for (const waiter of worker.pending.values())
        waiter.reject(
          new Error(`worker ${index} exited (${code ?? signal}): ${worker.stderr.slice(-600)}`),
        );
      worker.pending.clear();
      if (this.workers[index] === worker) this.workers[index] = null;
    });
    this.workers[index] = worker;
    return worker;
  }
}
