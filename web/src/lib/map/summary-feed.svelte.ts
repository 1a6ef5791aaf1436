import type { ClientToServerEvents, SummaryDelta, ServerToClientEvents } from '@outpost/model';
import { io, type Socket } from 'socket.io-client';
import { applyDelta, fromSnapshot, type SummaryView } from './summary-merge.ts';

/** How the feed stands: `watching` once a snapshot has arrived on the current connection. */
export type FeedState = 'connecting' | 'watching' | 'offline' | 'refused';

const EMPTY: SummaryView = {
  seq: -1,
  pins: [],
  checkpoints: [],
  grids: [],
  events: [],
  truncated: false,
  at: 0,
  changed: new Set(),
};

/**
 * The live workspace summary (pins, per-grid counters, recent events) the server keeps for the
 * map and the command view: one snapshot on `summary:watch`, then deltas. socket.io reconnects
 * by itself; on every (re)connect the feed watches again and replaces its view with the new
 * snapshot, so nothing is missed and nothing accumulates on a screen left open all day.
 */
export class SummaryFeed {
  view = $state.raw<SummaryView>(EMPTY);
  state = $state<FeedState>('connecting');

  readonly pins = $derived(this.view.pins);
  readonly checkpoints = $derived(this.view.checkpoints);
  readonly grids = $derived(this.view.grids);
  readonly events = $derived(this.view.events);
  readonly changed = $derived(this.view.changed);
  readonly truncated = $derived(this.view.truncated);

  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  /** Deltas that arrive between asking for a snapshot and receiving it. */
  private pending: SummaryDelta[] | null = null;

  constructor() {
    this.socket = io({ withCredentials: true, path: '/socket.io' });
    this.socket.on('connect', () => this.watch());
    this.socket.on('disconnect', () => (this.state = 'offline'));
    this.socket.on('connect_error', () => (this.state = 'offline'));
    this.socket.on('summary:delta', (delta) => {
      if (this.pending) this.pending.push(delta);
      else this.view = applyDelta(this.view, delta);
    });
  }

  private watch(): void {
    this.state = 'connecting';
    this.pending = [];
    this.socket.emit('summary:watch', (answer) => {
      const buffered = this.pending ?? [];
      this.pending = null;
      if ('error' in answer) {
        this.state = 'refused';
        return;
      }
      this.view = buffered.reduce(applyDelta, fromSnapshot(answer));
      this.state = 'watching';
    });
  }

  destroy(): void {
    this.socket.emit('summary:unwatch');
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}
