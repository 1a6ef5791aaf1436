import type {
  CheckpointPin,
  GridCounters,
  MapPin,
  SummaryDelta,
  SummaryEvent,
  SummarySnapshot,
} from '@outpost/model';
import { MAX_RECENT_EVENTS } from '@outpost/model';

/** What a watcher holds of the workspace summary: plain, immutable values. */
export interface SummaryView {
  seq: number;
  pins: MapPin[];
  checkpoints: CheckpointPin[];
  grids: GridCounters[];
  /** Newest first, at most MAX_RECENT_EVENTS. */
  events: SummaryEvent[];
  truncated: boolean;
  at: number;
  /** Keys of the pins the last delta changed. */
  changed: ReadonlySet<string>;
}

export function fromSnapshot(snapshot: SummarySnapshot): SummaryView {
  return {
    seq: snapshot.seq,
    pins: snapshot.pins,
    checkpoints: snapshot.checkpoints,
    grids: snapshot.grids,
    events: snapshot.events.slice(0, MAX_RECENT_EVENTS),
    truncated: snapshot.truncated,
    at: snapshot.at,
    changed: new Set(),
  };
}

/**
 * The view after a delta. A delta at or below the view's sequence number is already in it
 * (it arrived while the snapshot was taken) and changes nothing. Pins are replaced by key,
 * counter rows by grid; events are prepended and bounded, so the view never grows without end.
 */
export function applyDelta(view: SummaryView, delta: SummaryDelta): SummaryView {
  if (delta.seq <= view.seq) return view;
  let pins = view.pins;
  if (delta.pins.length || delta.removed.length) {
    const byKey = new Map(view.pins.map((p) => [p.key, p]));
    for (const key of delta.removed) byKey.delete(key);
    for (const pin of delta.pins) byKey.set(pin.key, pin);
    pins = [...byKey.values()];
  }
  let checkpoints = view.checkpoints;
  if (delta.checkpoints.length || delta.removedCheckpoints.length) {
    const byKey = new Map(view.checkpoints.map((c) => [c.key, c]));
    for (const key of delta.removedCheckpoints) byKey.delete(key);
    for (const checkpoint of delta.checkpoints) byKey.set(checkpoint.key, checkpoint);
    checkpoints = [...byKey.values()];
  }
  let grids = view.grids;
  if (delta.grids.length) {
    const rows = new Map(view.grids.map((g) => [g.grid, g]));
    for (const row of delta.grids) rows.set(row.grid, row);
    grids = [...rows.values()];
  }
  const events = delta.events.length
    ? [...[...delta.events].reverse(), ...view.events].slice(0, MAX_RECENT_EVENTS)
    : view.events;
  return {
    seq: delta.seq,
    pins,
    checkpoints,
    grids,
    events,
    truncated: view.truncated,
    at: delta.at,
    changed: new Set([...delta.pins, ...delta.checkpoints].map((p) => p.key)),
  };
}
