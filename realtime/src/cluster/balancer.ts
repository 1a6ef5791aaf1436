import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export interface Backend {
  host: string;
  port: number;
}

export interface Balancer {
  readonly port: number;
  readonly url: string;
  /** How many requests and WebSocket upgrades each backend was given (in backend order). */
  readonly served: readonly number[];
  close(): Promise<void>;
}

/** How long a backend that refused a connection is skipped. */
const DOWN_FOR_MS = 1_000;
/** socket.io session ids remembered for affinity (oldest forgotten first). */
const MAX_SESSIONS = 50_000;

/**
 * A small round-robin load balancer for running several nodes locally and in tests: every HTTP
 * request and every WebSocket upgrade goes to the next backend that is up, with no stickiness,
 * so edits really cross nodes. The one exception is socket.io's long-polling, whose requests
 * must reach the node that opened the session: the balancer learns each session id from the
 * handshake and routes by it. A backend that refuses a connection is skipped for a second;
 * an upgrade (nothing sent yet) is retried on the next one.
 */
export async function startBalancer(
  backends: readonly Backend[],
  { port = 0, host = '127.0.0.1' }: { port?: number; host?: string } = {},
): Promise<Balancer> {
  if (!backends.length) throw new Error('no backends');
  let next = 0;
  const downUntil = backends.map(() => 0);
  const served = backends.map(() => 0);
  const sessions = new Map<string, number>();
  const tunnels = new Set<Duplex>();

  const pick = (): number => {
    const now = Date.now();
    for (let i = 0; i < backends.length; i++) {
      const index = (next + i) % backends.length;
      if (downUntil[index]! <= now) {
        next = index + 1;
        return index;
      }
    }
    // All marked down: try the next one anyway rather than refusing outright.
    return next++ % backends.length;
  };
  const markDown = (index: number) => (downUntil[index] = Date.now() + DOWN_FOR_MS);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://balancer');
    const sid = url.pathname.startsWith('/socket.io/') ? url.searchParams.get('sid') : null;
    const pinned = sid ? sessions.get(sid) : undefined;
    const index = pinned ?? pick();
    served[index]!++;
    const backend = backends[index]!;
    const upstream = http.request(
      {
        host: backend.host,
        port: backend.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' },
      },
      (response) => {
        if (url.pathname.startsWith('/socket.io/') && !sid) learnSession(response, index);
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') markDown(index);
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('backend unavailable; try again\n');
      } else {
        res.destroy();
      }
    });
    req.pipe(upstream);
  });

  /** Remembers which backend opened a socket.io session (from the handshake's `"sid"`). */
  const learnSession = (response: http.IncomingMessage, index: number) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const match = /"sid":"([^"]+)"/.exec(head);
      if (match || head.length > 2_000) {
        response.off('data', onData);
        if (match) {
          sessions.set(match[1]!, index);
          if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
        }
      }
    };
    response.on('data', onData);
  };

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://balancer');
    const sid = url.pathname.startsWith('/socket.io/') ? url.searchParams.get('sid') : null;
    const pinned = sid ? sessions.get(sid) : undefined;
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    const requestHead = lines.join('\r\n') + '\r\n\r\n';
    socket.on('error', () => undefined);
    tunnels.add(socket);
    socket.on('close', () => tunnels.delete(socket));

    const attempt = (tries: number) => {
      const index = tries === 0 && pinned !== undefined ? pinned : pick();
      const backend = backends[index]!;
      const upstream = net.connect(backend.port, backend.host);
      upstream.once('connect', () => {
        served[index]!++;
        upstream.write(requestHead);
        if (head.length) upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
        upstream.on('error', () => socket.destroy());
        upstream.on('close', () => socket.destroy());
        socket.on('close', () => upstream.destroy());
      });
      upstream.once('error', (error: NodeJS.ErrnoException) => {
        if (upstream.readyState === 'open') return;
        markDown(index);
        if (error.code === 'ECONNREFUSED' && tries + 1 < backends.length) attempt(tries + 1);
        else socket.destroy();
      });
    };
    attempt(0);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    url: `http://${host}:${address.port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of tunnels) socket.destroy();
      }),
  };
}
