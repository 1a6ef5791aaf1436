import http from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE } from '@outpost/model';
import type { Connection } from '../core/Connection.ts';
import { HookError } from '../core/types.ts';
import type { YjsHub } from '../core/YjsHub.ts';
import type { Logger } from '../logger.ts';
import { WireSocket, acceptKey, type WireHandlers } from './wire.ts';

const YJS_PREFIX = '/yjs/';
/** A socket that has not answered a ping within this long is dropped (dead phones, lost NAT). */
const HEARTBEAT_MS = 30_000;

export interface YjsEndpoint {
  /** Terminates every socket still open (after the hub has closed them politely). */
  terminateAll(): void;
}

/**
 * One upgraded socket and its connection: the WebSocket's event handlers, without a closure
 * per event (thousands of idle phones each cost only what they must).
 */
class Link implements WireHandlers {
  alive = true;
  connection: Connection | null = null;
  wire!: WireSocket;

  constructor(private readonly links: Set<Link>) {}

  message(data: Buffer, binary: boolean): void {
    this.alive = true;
    const connection = this.connection;
    if (!connection) return;
    if (!binary) return connection.close(CLOSE.invalidMessage, 'binary frames only');
    connection.receive(data);
  }

  pong(): void {
    this.alive = true;
  }

  closed(): void {
    this.links.delete(this);
    this.connection?.close(CLOSE.goingAway, 'closed');
  }
}

/**
 * Routes WebSocket upgrades by path: `/yjs/<document>` to the Yjs core after authentication,
 * `/socket.io/` left to socket.io, anything else refused. One shared heartbeat timer serves
 * every socket instead of one timer each.
 */
export function attachYjsEndpoint(
  server: http.Server,
  hub: YjsHub,
  options: { maxMessageBytes: number; logger: Logger },
): YjsEndpoint {
  const { logger } = options;
  const links = new Set<Link>();

  const heartbeat = setInterval(() => {
    for (const link of links) {
      if (!link.alive) {
        link.wire.terminate();
        continue;
      }
      link.alive = false;
      link.wire.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = request.url ?? '';
    if (!url.startsWith(YJS_PREFIX)) {
      // socket.io handles its own path; anything else is not ours.
      if (!url.startsWith('/socket.io/')) refuse(socket, 404, 'Not Found');
      return;
    }
    let documentName: string;
    try {
      documentName = decodeURIComponent(url.slice(YJS_PREFIX.length).split('?')[0]!);
    } catch {
      return refuse(socket, 400, 'Bad Request');
    }
    const accept = acceptKey(request);
    if (typeof accept === 'number') return refuse(socket, accept, 'not a WebSocket upgrade');
    socket.on('error', destroy);
    hub.authenticate(request, documentName).then(
      ({ ref, context }) => {
        if (socket.destroyed) return;
        socket.removeListener('error', destroy);
        const link = new Link(links);
        const wire = WireSocket.accept(socket, accept, options.maxMessageBytes, link);
        link.wire = wire;
        try {
          link.connection = hub.connect(wire, documentName, ref, context);
        } catch {
          return;
        }
        links.add(link);
        wire.start(head);
      },
      (error: unknown) => {
        if (error instanceof HookError) refuse(socket, error.code, error.message);
        else {
          logger.error('upgrade failed', { error: String(error) });
          refuse(socket, 500, 'Internal Server Error');
        }
      },
    );
  });

  return {
    terminateAll() {
      clearInterval(heartbeat);
      for (const link of links) link.wire.terminate();
      links.clear();
    },
  };
}

function destroy(this: Duplex): void {
  this.destroy();
}

function refuse(socket: Duplex, status: number, message: string): void {
  const reason = http.STATUS_CODES[status] ?? 'Error';
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
