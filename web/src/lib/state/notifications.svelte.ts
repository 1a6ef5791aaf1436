import type {
  ClientToServerEvents,
  Notification,
  RosterAlarmEvent,
  ServerToClientEvents,
} from '@outpost/model';
import { parseDocName } from '@outpost/model';
import { io, type Socket } from 'socket.io-client';
import { resolve } from '$app/paths';
import type { ResolvedPathname } from '$app/types';

/** How long a toast stays before it goes away by itself. */
const TOAST_MS = 10_000;
const MAX_TOASTS = 4;

export interface Toast {
  id: string;
  notification: Notification;
  /** Board the notification points to, for an "Open" link. */
  href: ResolvedPathname | null;
}

/**
 * Ephemeral notifications over socket.io (same origin, session cookie). Anything that must last
 * is in a Yjs document; these are just toasts.
 */
export class NotificationCenter {
  toasts = $state.raw<Toast[]>([]);
  connected = $state(false);
  /** Uncovered posts in the person's grids, active now (supervisors only receive them). */
  rosterAlarms = $state.raw<RosterAlarmEvent[]>([]);

  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly timers: Record<string, ReturnType<typeof setTimeout>> = {};

  constructor() {
    this.socket = io({ withCredentials: true, path: '/socket.io' });
    this.socket.on('connect', () => (this.connected = true));
    this.socket.on('disconnect', () => (this.connected = false));
    this.socket.on('notification', (notification) => this.push(notification));
    this.socket.on('rosterAlarm', (alarm) => {
      const others = this.rosterAlarms.filter(
        (a) => a.documentName !== alarm.documentName || a.shift !== alarm.shift,
      );
      this.rosterAlarms = alarm.active ? [...others, alarm] : others;
    });
  }

  push(notification: Notification): void {
    if (this.toasts.some((t) => t.id === notification.id)) return;
    const toast: Toast = { id: notification.id, notification, href: linkFor(notification) };
    this.toasts = [...this.toasts, toast].slice(-MAX_TOASTS);
    this.timers[toast.id] = setTimeout(() => this.dismiss(toast.id), TOAST_MS);
  }

  dismiss(id: string): void {
    clearTimeout(this.timers[id]);
    delete this.timers[id];
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  destroy(): void {
    for (const id of Object.keys(this.timers)) clearTimeout(this.timers[id]);
    this.socket.disconnect();
  }
}

function linkFor(notification: Notification): ResolvedPathname | null {
  if (!notification.documentName) return null;
  const ref = parseDocName(notification.documentName);
  if (ref?.kind !== 'board' || !ref.id) return null;
  const query = notification.taskId ? `?task=${encodeURIComponent(notification.taskId)}` : '';
  return resolve(`/board/${encodeURIComponent(ref.id)}${query}`);
}
