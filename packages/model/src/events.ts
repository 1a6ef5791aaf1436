import type { SummaryDelta, SummarySnapshot } from './summary.ts';

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

/**
 * An uncovered post (a started shift with nobody checked in), sent to every supervisor of the
 * grid when it is raised and when it ends, and the active ones to each socket that connects.
 * The lasting record is the roster document's `alarms` root.
 */
export interface RosterAlarmEvent {
  documentName: string;
  grid: string;
  shift: string;
  checkpoint: string;
  checkpointName: string;
  shiftName: string;
  /** Epoch ms. */
  start: number;
  end: number;
  raisedAt: number;
  /** False once someone checked in, a supervisor acknowledged it, or the shift ended. */
  active: boolean;
  clearedBy: 'checkin' | 'ack' | 'ended' | 'closed' | null;
}

export interface ServerToClientEvents {
  notification: (notification: Notification) => void;
  rosterAlarm: (alarm: RosterAlarmEvent) => void;
  /** A change to the watched workspace summary, cut to the watcher's scope. */
  'summary:delta': (delta: SummaryDelta) => void;
}

export interface ClientToServerEvents {
  /** Liveness probe: the server answers with its clock (epoch ms). */
  ping: (reply: (serverTime: number) => void) => void;
  /** Start watching the workspace summary (map, command view): answers with a snapshot. */
  'summary:watch': (reply: (answer: SummarySnapshot | { error: string }) => void) => void;
  'summary:unwatch': () => void;
}
