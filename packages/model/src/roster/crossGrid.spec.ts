import { describe, expect, it } from 'vitest';
import { crossGridBookings, personKey, type GridRoster } from './crossGrid.ts';
import type { Shift, StaffMember } from './types.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 0, 0);

function shift(id: string, startH: number, endH: number, assignees: string[]): Shift {
  return {
    id,
    checkpoint: `cp-${id}`,
    template: null,
    name: id,
    start: T0 + startH * H,
    end: T0 + endH * H,
    required: 1,
    assignees,
    checkins: [],
    ack: null,
  };
}

function staff(id: string, userId: string | null, phone = ''): StaffMember {
  return { id, name: id, phone, userId, active: true };
}

function roster(grid: string, people: StaffMember[], shifts: Shift[]): GridRoster {
  return {
    grid,
    staff: people,
    shifts,
    checkpoints: shifts.map((s) => ({ id: s.checkpoint, name: `Gate ${s.id}` })),
  };
}

describe('one person booked in two grids at once', () => {
  it('recognises a person by account, else by phone digits', () => {
    expect(personKey({ userId: 'u1', phone: '138 0000 0000' })).toBe('user:u1');
    expect(personKey({ userId: null, phone: '+86 138-0013-8000' })).toBe('phone:13800138000');
    expect(personKey({ userId: null, phone: '138-0013-8000' })).toBe('phone:13800138000');
    expect(personKey({ userId: null, phone: '110' })).toBeNull();
    expect(personKey({ userId: null, phone: '' })).toBeNull();
  });

  it('reports overlapping shifts in different grids, once for each side', () => {
    const found = crossGridBookings([
      roster(
        'g1',
        [staff('s1', 'u1'), staff('s2', null, '13800138000')],
        [shift('a', 8, 16, ['s1']), shift('b', 16, 24, ['s2'])],
      ),
      roster(
        'g2',
        [staff('t1', 'u1'), staff('t2', null, '+86 138 0013 8000')],
        [
          // Overlaps a by two hours: the same account.
          shift('c', 14, 22, ['t1']),
          // Overlaps b (20:00–23:00): the same phone, written differently.
          shift('d', 20, 23, ['t2']),
          // Back to back with a: no overlap.
          shift('e', 0, 8, ['t1']),
        ],
      ),
    ]);
    const pairs = found.map((f) => `${f.grid}/${f.shift}~${f.other.grid}/${f.other.shift}`).sort();
    expect(pairs).toEqual(['g1/a~g2/c', 'g1/b~g2/d', 'g2/c~g1/a', 'g2/d~g1/b']);
    const a = found.find((f) => f.shift === 'a')!;
    expect(a).toMatchObject({
      staff: 's1',
      other: { grid: 'g2', shift: 'c', checkpoint: 'Gate c', start: T0 + 14 * H, end: T0 + 22 * H },
    });
  });

  it('leaves double bookings inside one grid to that grid, and past shifts alone', () => {
    const rosters = [
      roster('g1', [staff('s1', 'u1')], [shift('a', 8, 16, ['s1']), shift('b', 10, 12, ['s1'])]),
      roster('g2', [staff('t1', 'u1')], [shift('c', 1, 9, ['t1'])]),
    ];
    const all = crossGridBookings(rosters);
    expect(all.map((f) => `${f.shift}~${f.other.shift}`).sort()).toEqual(['a~c', 'c~a']);
    // From 09:00 on, shift c (ends 09:00) is over.
    expect(crossGridBookings(rosters, T0 + 9 * H)).toEqual([]);
  });
});
