import { can, type SummaryDelta } from '@outpost/model';
import type { OutpostIo } from '../http/socketio.ts';
import type { SummaryService, SummaryWatchers } from './SummaryService.ts';

/** socket.io room of the people watching one workspace's summary (map, command view). */
export const summaryRoom = (workspaceId: string) => `summary:${workspaceId}`;

/**
 * Watchers are the sockets in a workspace's summary room on this server; each gets the change
 * cut to its own principal, which access changes keep current in place.
 */
export function summaryWatchers(io: () => OutpostIo | undefined): SummaryWatchers {
  return {
    each(workspaceId, visit) {
      const server = io();
      if (!server) return;
      const namespace = server.of('/');
      for (const id of namespace.adapter.rooms.get(summaryRoom(workspaceId)) ?? []) {
        const socket = namespace.sockets.get(id);
        if (!socket) continue;
        visit(socket.data.auth, (delta: SummaryDelta) => socket.emit('summary:delta', delta));
      }
    },
  };
}

/**
 * `summary:watch` answers with a snapshot of everything in the person's scope and joins the
 * room, in one step, so no change falls between the two; later changes come as
 * `summary:delta`. A reconnecting client simply watches again.
 */
export function attachSummaryFeed(io: OutpostIo, summary: SummaryService): void {
  io.on('connection', (socket) => {
    socket.on('summary:watch', async (reply) => {
      if (typeof reply !== 'function') return;
      const auth = socket.data.auth;
      if (!can(auth, 'tasks', 'read')) {
        reply({ error: 'your role may not see tasks' });
        return;
      }
      await summary.ready;
      if (socket.disconnected) return;
      void socket.join(summaryRoom(auth.workspaceId));
      reply(summary.snapshot(auth));
    });
    socket.on('summary:unwatch', () => {
      void socket.leave(summaryRoom(socket.data.auth.workspaceId));
    });
  });
}
