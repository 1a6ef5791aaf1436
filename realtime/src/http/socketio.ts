import type http from 'node:http';
import { Server } from 'socket.io';
import type { ClientToServerEvents, Notification, ServerToClientEvents } from '@outpost/model';
import type { Authenticator } from '../accounts/Authenticator.ts';
import type { AuthContext } from '../core/types.ts';

export type OutpostIo = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  { auth: AuthContext }
>;

const EVENT_BURST = 100;
const EVENTS_PER_SECOND = 20;
/** Every event a client may send (see ClientToServerEvents). */
const CLIENT_EVENTS = new Set(['ping', 'summary:watch', 'summary:unwatch']);

/** Room that reaches every socket of one user, on every device. */
export const userRoom = (userId: string) => `user:${userId}`;

/**
 * socket.io for ephemeral events, on its default path. Anonymous handshakes are refused before
 * a session is even created (`allowRequest`), then the middleware pins the principal.
 */
export function createSocketIo(server: http.Server, authenticator: Authenticator): OutpostIo {
  const io: OutpostIo = new Server(server, {
    serveClient: false,
    // Other upgrade paths (/yjs) belong to the Yjs endpoint: socket.io must leave them alone.
    destroyUpgrade: false,
    maxHttpBufferSize: 64 * 1024,
    allowRequest: (request, callback) => {
      authenticator.authenticate(request).then(
        (auth) => callback(null, auth !== null),
        () => callback(null, false),
      );
    },
  });
  io.use((socket, next) => {
    authenticator.authenticate(socket.request).then(
      (auth) => {
        if (!auth) return next(new Error('unauthorized'));
        socket.data.auth = auth;
        next();
      },
      () => next(new Error('unauthorized')),
    );
  });
  io.on('connection', (socket) => {
    void socket.join(userRoom(socket.data.auth.userId));
    // Flood protection and a closed event list: a burst of 100 events, 20 a second after that;
    // an unknown event or a flood disconnects the socket.
    let allowance = EVENT_BURST;
    let last = Date.now();
    socket.use(([event], next) => {
      const now = Date.now();
      allowance = Math.min(EVENT_BURST, allowance + ((now - last) * EVENTS_PER_SECOND) / 1000);
      last = now;
      if (allowance < 1 || !CLIENT_EVENTS.has(String(event))) {
        socket.disconnect(true);
        return;
      }
      allowance -= 1;
      next();
    });
    socket.on('ping', (reply) => {
      if (typeof reply === 'function') reply(Date.now());
    });
  });
  return io;
}

export function notifyUser(io: OutpostIo, userId: string, notification: Notification): void {
  io.to(userRoom(userId)).emit('notification', notification);
}
