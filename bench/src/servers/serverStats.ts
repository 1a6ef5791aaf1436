/**
 * Shared by the reference and relay wrappers (child processes): the stats endpoint the bench
 * reads (`GET /__bench/stats`: process.cpuUsage and memory), the listening line it waits for,
 * and exit when the bench goes away.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';

export const STATS_PATH = '/__bench/stats';

export interface WrapperStats {
  pid: number;
  /** process.cpuUsage(): user and system CPU time, microseconds. */
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  heapUsedBytes: number;
  connections: number;
  /** Documents held in memory (the reference); rooms (the relay). */
  documents: number;
}

export function statsHandler(
  counts: () => { connections: number; documents: number },
): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  return (req, res) => {
    if (req.url !== STATS_PATH) return false;
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const body: WrapperStats = {
      pid: process.pid,
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      ...counts(),
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
    return true;
  };
}

/** Listens on 127.0.0.1 (PORT or a free port), prints `listening <port>`, exits with the bench. */
export function listen(server: http.Server, name: string): void {
  const port = Number(process.env.PORT ?? 0);
  server.listen(port, '127.0.0.1', () => {
    const address = server.address() as AddressInfo;
    process.stdout.write(`${name} listening ${address.port}\n`);
  });
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The bench holds our stdin open; when it dies, stdin ends and we go too.
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
