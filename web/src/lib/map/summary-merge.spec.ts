import { describe, expect, it } from 'vitest';
import type { MapPin, SummaryDelta, SummarySnapshot } from '@outpost/model';
import { MAX_RECENT_EVENTS } from '@outpost/model';
import { applyDelta, fromSnapshot } from './summary-merge.ts';

const pin = (key: string, status: MapPin['status'] = 'todo'): MapPin => ({
  key,
  id: key,
  boardId: 'b',
  grid: 'g1',
  title: key,
  status,
  kind: 'other',
  priority: 'normal',
  lat: 30,
  lng: 114,
  due: null,
});
const zero = { open: 0, overdue: 0, blocked: 0, doneToday: 0, staffed: 0, uncovered: 0, onDuty: 0 };
const snapshot: SummarySnapshot = {
  seq: 5,
  at: 1,
  dayStart: 0,
  grids: [{ ...zero, grid: 'g1', open: 2 }],
  pins: [pin('a'), pin('b')],
  checkpoints: [],
  truncated: false,
  events: [],
};
const delta = (seq: number, over: Partial<SummaryDelta> = {}): SummaryDelta => ({
  seq,
  at: seq,
  pins: [],
  removed: [],
  checkpoints: [],
  removedCheckpoints: [],
  grids: [],
  events: [],
  ...over,
});

describe('summary view', () => {
  it('replaces pins by key, removes pins and rows by grid', () => {
    let view = fromSnapshot(snapshot);
    view = applyDelta(
      view,
      delta(6, {
        pins: [pin('a', 'done'), pin('c')],
        removed: ['b'],
        grids: [{ ...zero, grid: 'g1', open: 1, doneToday: 1 }],
      }),
    );
    expect(view.pins.map((p) => `${p.key}:${p.status}`).sort()).toEqual(['a:done', 'c:todo']);
    expect(view.grids).toEqual([{ ...zero, grid: 'g1', open: 1, doneToday: 1 }]);
    expect([...view.changed].sort()).toEqual(['a', 'c']);
  });

  it('ignores deltas the snapshot already holds', () => {
    const view = fromSnapshot(snapshot);
    expect(applyDelta(view, delta(5, { removed: ['a'] }))).toBe(view);
  });

  it('keeps a bounded number of events, newest first, however long it runs', () => {
    let view = fromSnapshot(snapshot);
    for (let i = 0; i < 1000; i++) {
      view = applyDelta(
        view,
        delta(6 + i, {
          events: [
            { id: `e${i}`, kind: 'task_done', at: i, grid: 'g1', scope: 'g1', title: `T${i}` },
          ],
        }),
      );
    }
    expect(view.events).toHaveLength(MAX_RECENT_EVENTS);
    expect(view.events[0]!.id).toBe('e999');
  });
});
