import { describe, expect, it } from 'vitest';
import type { MapPin, TaskFacts } from '@outpost/model';
import { emptyChange, merge, type Change } from './SummaryService.ts';

function pin(key: string, title: string): { facts: TaskFacts; pin: MapPin } {
  const mapPin: MapPin = {
    key,
    id: key,
    boardId: 'b1',
    grid: 'g1',
    title,
    status: 'todo',
    kind: 'screening',
    priority: 'normal',
    lat: 30,
    lng: 114,
    due: null,
  };
  return { facts: { boardGrid: 'g1' } as TaskFacts, pin: mapPin };
}

function change(parts: Partial<Change>): Change {
  return { ...emptyChange(), ...parts };
}

/** What a client ends with after a delta: removals first, then pins by key (as applyDelta). */
function pinsAfter(delta: Change): Map<string, string> {
  const byKey = new Map<string, string>([['k', 'before']]);
  for (const { key } of delta.removed) byKey.delete(key);
  for (const { pin: p } of delta.pins) byKey.set(p.key, p.title);
  return byKey;
}

describe('merge (summary changes queued in one turn)', () => {
  it('a pin added, then removed, ends removed', () => {
    const queued = change({ pins: [pin('k', 'new')] });
    merge(queued, change({ removed: [{ key: 'k', scope: 'g1' }] }));
    expect(pinsAfter(queued).has('k')).toBe(false);
  });

  it('a pin removed, then added again, ends present with the latest', () => {
    const queued = change({ removed: [{ key: 'k', scope: 'g1' }] });
    merge(queued, change({ pins: [pin('k', 'again')] }));
    expect(pinsAfter(queued).get('k')).toBe('again');
  });

  it('a pin changed twice is sent once, as it is last', () => {
    const queued = change({ pins: [pin('k', 'one')] });
    merge(queued, change({ pins: [pin('k', 'two')] }));
    expect(queued.pins.map((p) => p.pin.title)).toEqual(['two']);
  });

  it('keeps every event in order, every touched grid and the latest day', () => {
    const event = (id: string) => ({
      id,
      kind: 'task_done' as const,
      at: 1,
      grid: 'g1',
      scope: 'g1',
      title: id,
      boardId: 'b1',
      taskId: id,
    });
    const queued = change({ events: [event('a')], grids: new Set(['g1']), dayStart: 1 });
    merge(queued, change({ events: [event('b')], grids: new Set(['g2', null]), dayStart: 2 }));
    expect(queued.events.map((e) => e.id)).toEqual(['a', 'b']);
    expect([...queued.grids]).toEqual(['g1', 'g2', null]);
    expect(queued.dayStart).toBe(2);
  });
});
