/**
 * Typed socket.io event maps, shared by the server (`realtime/`) and the web app.
 * Ephemeral events only: anything that must last lives in a Yjs document.
 */

export interface Notification {
  id: string;
  kind: 'task_assigned' | 'info';
  /** Epoch milliseconds, server clock. */
  at: number;
  /** Document the notification refers to, when there is one. */
  documentName?: string;
  taskId?: string;
  /** Short title of the thing concerned (e.g. the task title). */
  title?: string;
  /** User id of whoever caused it. */
  by?: string;
}

export interface ServerToClientEvents {
  notification: (notification: Notification) => void;
}

export interface ClientToServerEvents {
  /** Liveness probe: the server answers with its clock (epoch ms). */
  ping: (reply: (serverTime: number) => void) => void;
}
