import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE } from '@outpost/model';
import type { Connection } from '../core/Connection.ts';
import { HookError } from '../core/types.ts';
import type { YjsHub } from '../core/YjsHub.ts';
import type { Logger } from '../logger.ts';

const YJS_PREFIX = '/yjs/';
/** A socket that has not answered a ping within this long is dropped (dead phones, lost NAT). */
const HEARTBEAT_MS = 30_000;

export interface YjsEndpoint {
  /** Terminates every socket still open (after the hub has closed them politely). */
  terminateAll(): void;
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
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const sockets = new Map<WebSocket, { alive: boolean }>();

  const heartbeat = setInterval(() => {
    for (const [ws, state] of sockets) {
      if (!state.alive) {
        ws.terminate();
        continue;
      }
      state.alive = false;
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const accept = (ws: WebSocket, connection: Connection) => {
    const state = { alive: true };
    sockets.set(ws, state);
    ws.on('pong', () => (state.alive = true));
    ws.on('message', (data: Buffer, isBinary) => {
      state.alive = true;
      if (!isBinary) return connection.close(CLOSE.invalidMessage, 'binary frames only');
      connection.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    });
    ws.on('close', () => {
      sockets.delete(ws);
      connection.close(CLOSE.goingAway, 'closed');
    });
    ws.on('error', (error) => logger.debug('socket error', { error: String(error) }));
  };

  server.on('upgrade', (request, socket, head) => {
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
    socket.on('error', () => socket.destroy());
    hub.authenticate(request, documentName).then(
      ({ ref, context }) => {
        wss.handleUpgrade(request, socket, head, (ws) => {
          ws.binaryType = 'nodebuffer';
          let connection: Connection;
          try {
            connection = hub.connect(ws, documentName, ref, context);
          } catch {
            return;
          }
          accept(ws, connection);
        });
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
      for (const ws of sockets.keys()) ws.terminate();
      sockets.clear();
    },
  };
}

function refuse(socket: Duplex, status: number, message: string): void {
  const reason = http.STATUS_CODES[status] ?? 'Error';
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
