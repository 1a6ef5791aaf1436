/**
 * A minimal Chrome DevTools Protocol client for a server started with `--inspect`: forces a full
 * garbage collection and reads V8's heap usage, so "memory after everyone left" can tell memory
 * still held from memory V8 has simply not collected yet. Only Runtime and HeapProfiler calls
 * are made; the debugger is never enabled.
 */
import WebSocket from 'ws';
import { withTimeout } from './stats.ts';

/** The inspector's WebSocket URL from a process's stderr (`Debugger listening on ws://…`). */
export function inspectorUrl(stderr: string): string | null {
  return /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(stderr)?.[1] ?? null;
}

/** Runs a full GC in the process behind `url`; resolves with its heap in use afterwards. */
export async function collectGarbage(url: string): Promise<{ heapUsedBytes: number }> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      }),
      10_000,
      'inspector connect',
    );
    let nextId = 1;
    const call = (method: string) =>
      withTimeout(
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const id = nextId++;
          const onMessage = (data: Buffer) => {
            const message = JSON.parse(data.toString()) as {
              id?: number;
              result?: Record<string, unknown>;
              error?: { message: string };
            };
            if (message.id !== id) return;
            ws.off('message', onMessage);
            if (message.error) reject(new Error(`${method}: ${message.error.message}`));
            else resolve(message.result ?? {});
          };
          ws.on('message', onMessage);
          ws.send(JSON.stringify({ id, method }));
        }),
        30_000,
        method,
      );
    await call('HeapProfiler.collectGarbage');
    const usage = await call('Runtime.getHeapUsage');
    return { heapUsedBytes: Number(usage.usedSize) };
  } finally {
    ws.close();
  }
}
