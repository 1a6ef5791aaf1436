import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Roster, RosterInputError } from './Roster.ts';
import { documentSchemas } from '../schema.ts';
import { rosterDocName, parseDocName } from '../names.ts';

const ZONE = 'Asia/Shanghai';
const H = 3_600_000;
const MONDAY = Date.UTC(2026, 2, 1, 16, 0);

function sync(a: Y.Doc, b: Y.Doc): void {
  const fromA = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
  const fromB = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
  Y.applyUpdate(b, fromA);
  Y.applyUpdate(a, fromB);
}

function setup() {
  const roster = new Roster(new Y.Doc());
  const cp = roster.createCheckpoint(
    {
      name: 'North gate',
      pattern: [
        { id: 'a', name: 'Day', start: '08:00', minutes: 720, required: 2 },
        { id: 'b', name: 'Night', start: '20:00', minutes: 720, required: 1 },
      ],
    },
    'g1',
    'sup',
    MONDAY,
  );
  const p1 = roster.addStaff({ name: 'Li Wei', phone: '138 0000 0001', userId: 'u1' });
  const p2 = roster.addStaff({ name: 'Wang Fang' });
  return { roster, cp, p1, p2 };
}

describe('document names', () => {
  it('names one roster document per grid', () => {
    expect(rosterDocName('ws', 'g1')).toBe('roster:ws:g1');
    expect(parseDocName('roster:ws:g1')).toEqual({ kind: 'roster', workspaceId: 'ws', id: 'g1' });
    expect(parseDocName('roster:ws')).toBeNull();
    expect(Object.keys(documentSchemas.roster).sort()).toEqual(
      ['alarms', 'checkpoints', 'dutyLinks', 'meta', 'shifts', 'staff', 'swaps'].sort(),
    );
  });
});

describe('Roster', () => {
  it('creates checkpoints and generates a week of shifts, keeping existing ones', () => {
    const { roster, cp, p1 } = setup();
    expect(roster.generate(cp, '2026-03-02', '2026-03-08', ZONE)).toBe(14);
    const first = roster.listShifts()[0]!;
    expect(first.start).toBe(MONDAY + 8 * H);
    roster.assign(first.id, p1);
    expect(roster.generate(cp, '2026-03-02', '2026-03-09', ZONE)).toBe(2);
    expect(roster.getShift(first.id)!.assignees).toEqual([p1]);
  });

  it('refuses bad input with every problem named', () => {
    const { roster, cp } = setup();
    expect(() => roster.createCheckpoint({ name: ' ' }, 'g1', 'sup')).toThrow(RosterInputError);
    let refused: unknown = null;
    try {
      roster.updateCheckpoint(
        cp,
        {
          pattern: [
            { id: 'a', name: 'A', start: '08:00', minutes: 600, required: -1 },
            { id: 'b', name: 'B', start: '12:00', minutes: 60, required: 1 },
          ],
        },
        'sup',
      );
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(RosterInputError);
    const codes = (refused as RosterInputError).errors.map((e) => e.code);
    expect(codes).toEqual(expect.arrayContaining(['invalid_required', 'overlap']));
    expect(roster.getCheckpoint(cp)!.pattern).toHaveLength(2);
    expect(() => roster.generate(cp, '2026-03-08', '2026-03-02', ZONE)).toThrow(/before/);
    const shiftId =
      (roster.generate(cp, '2026-03-02', '2026-03-02', ZONE), roster.listShifts()[0]!.id);
    expect(() => roster.assign(shiftId, 'nobody')).toThrow(/unknown person/);
    expect(() => roster.addStaff({ name: 'X', phone: 'call me' })).toThrow(/phone/);
  });

  it('checks people in and out of their shift, from 30 minutes before it starts', () => {
    const { roster, cp, p1 } = setup();
    roster.generate(cp, '2026-03-02', '2026-03-02', ZONE);
    const s = roster.listShifts()[0]!;
    roster.assign(s.id, p1);
    expect(() => roster.checkIn(s.id, p1, 'u1', s.start - 2 * H)).toThrow(/30 minutes/);
    roster.checkIn(s.id, p1, 'u1', s.start - 10 * 60_000);
    expect(roster.getShift(s.id)!.checkins).toEqual([
      { staff: p1, in: s.start - 10 * 60_000, out: null, by: 'u1' },
    ]);
    roster.checkOut(s.id, p1, 'u1', s.end);
    expect(roster.getShift(s.id)!.checkins[0]!.out).toBe(s.end);
  });

  it('keeps two supervisors assigning different people to one shift at once', () => {
    const { roster, cp, p1, p2 } = setup();
    roster.generate(cp, '2026-03-02', '2026-03-02', ZONE);
    const other = new Roster(new Y.Doc());
    sync(roster.doc, other.doc);
    const id = roster.listShifts()[0]!.id;
    roster.assign(id, p1);
    other.assign(id, p2);
    sync(roster.doc, other.doc);
    expect(roster.getShift(id)!.assignees).toEqual([p1, p2].sort());
    expect(other.getShift(id)!.assignees).toEqual([p1, p2].sort());
  });

  it('runs a swap: offered, taken, approved moves the shift', () => {
    const { roster, cp, p1, p2 } = setup();
    roster.generate(cp, '2026-03-02', '2026-03-02', ZONE);
    const id = roster.listShifts()[0]!.id;
    roster.assign(id, p1);
    const swap = roster.offerSwap(id, p1, 'u1', MONDAY);
    expect(() => roster.offerSwap(id, p1, 'u1', MONDAY)).toThrow(/already offered/);
    expect(() => roster.decideSwap(swap, true, 'sup')).toThrow(/nobody has taken/);
    roster.takeSwap(swap, p2, 'u2', MONDAY + 1);
    roster.decideSwap(swap, true, 'sup', MONDAY + 2);
    expect(roster.getShift(id)!.assignees).toEqual([p2]);
    expect(roster.getSwap(swap)).toMatchObject({ status: 'approved', to: p2, decidedBy: 'sup' });
  });
});
