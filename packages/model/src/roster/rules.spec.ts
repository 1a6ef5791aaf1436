import { describe, expect, it } from 'vitest';
import {
  analyzeRoster,
  coverageGaps,
  doubleBookings,
  generateShifts,
  isUncovered,
  isWithinHours,
  restViolations,
  staffingState,
  validateHours,
  validatePattern,
} from './rules.ts';
import { localDay, localInstant, weekStart } from './time.ts';
import type { Checkpoint, Shift, ShiftTemplate } from './types.ts';

const ZONE = 'Asia/Shanghai';
const H = 3_600_000;
/** 2026-03-02 00:00 in Shanghai (UTC+8, no DST). */
const MONDAY = Date.UTC(2026, 2, 1, 16, 0);

const THREE_EIGHTS: ShiftTemplate[] = [
  { id: 'a', name: 'Morning', start: '06:00', minutes: 480, required: 2 },
  { id: 'b', name: 'Afternoon', start: '14:00', minutes: 480, required: 2 },
  { id: 'c', name: 'Night', start: '22:00', minutes: 480, required: 1 },
];

function shift(partial: Partial<Shift> & Pick<Shift, 'id' | 'start' | 'end'>): Shift {
  return {
    checkpoint: 'cp1',
    template: null,
    name: 'S',
    required: 1,
    assignees: [],
    checkins: [],
    ack: null,
    ...partial,
  };
}

const open = new Map([['cp1', { status: 'open' as const }]]);

describe('validatePattern', () => {
  it('accepts three 8-hour shifts, the night one crossing midnight', () => {
    expect(validatePattern(THREE_EIGHTS)).toEqual([]);
  });

  it('accepts 2 x 12 h and a custom pattern with a break', () => {
    expect(
      validatePattern([
        { id: 'd', name: 'Day', start: '08:00', minutes: 720, required: 1 },
        { id: 'n', name: 'Night', start: '20:00', minutes: 720, required: 1 },
      ]),
    ).toEqual([]);
    expect(
      validatePattern([{ id: 'x', name: 'Rush', start: '07:00', minutes: 150, required: 3 }]),
    ).toEqual([]);
  });

  it('refuses overlapping shifts, including across midnight', () => {
    const overlapping = validatePattern([
      { id: 'a', name: 'A', start: '08:00', minutes: 600, required: 1 },
      { id: 'b', name: 'B', start: '17:00', minutes: 240, required: 1 },
    ]);
    expect(overlapping.map((e) => e.code)).toContain('overlap');
    const acrossMidnight = validatePattern([
      { id: 'n', name: 'Night', start: '22:00', minutes: 600, required: 1 },
      { id: 'm', name: 'Morning', start: '06:00', minutes: 480, required: 1 },
    ]);
    expect(acrossMidnight.map((e) => e.code)).toContain('overlap');
  });

  it('refuses end before start, over 24 h, negative staffing and bad times', () => {
    const codes = validatePattern([
      { id: 'a', name: 'A', start: '08:00', minutes: 0, required: 1 },
      { id: 'b', name: 'B', start: '25:00', minutes: 60, required: -1 },
      { id: 'c', name: '', start: '09:00', minutes: 1500, required: 1.5 },
    ]).map((e) => `${e.field}:${e.code}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'pattern.0.minutes:end_before_start',
        'pattern.1.start:invalid_time',
        'pattern.1.required:invalid_required',
        'pattern.2.name:required',
        'pattern.2.minutes:too_long',
        'pattern.2.required:invalid_required',
      ]),
    );
  });

  it('refuses repeated template ids', () => {
    const codes = validatePattern([
      { id: 'a', name: 'A', start: '08:00', minutes: 60, required: 1 },
      { id: 'a', name: 'B', start: '10:00', minutes: 60, required: 1 },
    ]).map((e) => e.code);
    expect(codes).toContain('invalid_id');
  });
});

describe('opening hours', () => {
  it('validates and evaluates windows, including one crossing midnight', () => {
    expect(validateHours({ from: '08:00', to: '08:00' })[0]?.code).toBe('end_before_start');
    expect(validateHours({ from: '8', to: '20:00' })[0]?.code).toBe('invalid_time');
    const night = { from: '20:00', to: '06:00' };
    expect(isWithinHours(night, MONDAY + 23 * H, ZONE)).toBe(true);
    expect(isWithinHours(night, MONDAY + 3 * H, ZONE)).toBe(true);
    expect(isWithinHours(night, MONDAY + 12 * H, ZONE)).toBe(false);
    expect(isWithinHours(null, MONDAY + 12 * H, ZONE)).toBe(true);
  });
});

describe('generateShifts', () => {
  it('places shifts at wall-clock times of the workspace zone, crossing midnight', () => {
    const specs = generateShifts(
      { id: 'cp1', pattern: THREE_EIGHTS },
      '2026-03-02',
      '2026-03-08',
      ZONE,
    );
    expect(specs).toHaveLength(21);
    const night = specs.find((s) => s.id === 'cp1-20260302-c')!;
    expect(night.start).toBe(MONDAY + 22 * H);
    expect(night.end).toBe(MONDAY + 30 * H);
    expect(localDay(night.end, ZONE)).toBe('2026-03-03');
    // Same instants whatever zone the computer runs in: only the workspace zone matters.
    expect(specs[0]!.start).toBe(Date.UTC(2026, 2, 1, 22, 0));
  });

  it('keeps wall-clock starts across a DST change in a zone that has one', () => {
    // Europe/Berlin moves to summer time on 2026-03-29.
    const specs = generateShifts(
      { id: 'cp1', pattern: [{ id: 'a', name: 'A', start: '06:00', minutes: 480, required: 1 }] },
      '2026-03-28',
      '2026-03-29',
      'Europe/Berlin',
    );
    expect(specs[0]!.start).toBe(Date.UTC(2026, 2, 28, 5, 0));
    expect(specs[1]!.start).toBe(Date.UTC(2026, 2, 29, 4, 0));
    expect(specs[1]!.end - specs[1]!.start).toBe(8 * H);
  });

  it('gives deterministic ids, so generating twice yields the same shifts', () => {
    const a = generateShifts(
      { id: 'cp1', pattern: THREE_EIGHTS },
      '2026-03-02',
      '2026-03-02',
      ZONE,
    );
    const b = generateShifts(
      { id: 'cp1', pattern: THREE_EIGHTS },
      '2026-03-02',
      '2026-03-02',
      ZONE,
    );
    expect(a.map((s) => s.id)).toEqual(b.map((s) => s.id));
  });
});

describe('coverageGaps', () => {
  it('lists shifts with fewer people than required in the window, earliest first', () => {
    const shifts = [
      shift({
        id: 's2',
        start: MONDAY + 14 * H,
        end: MONDAY + 22 * H,
        required: 2,
        assignees: ['p1'],
      }),
      shift({ id: 's1', start: MONDAY + 6 * H, end: MONDAY + 14 * H, required: 2, assignees: [] }),
      shift({
        id: 's3',
        start: MONDAY + 22 * H,
        end: MONDAY + 30 * H,
        required: 1,
        assignees: ['p2'],
      }),
      shift({ id: 's4', start: MONDAY + 50 * H, end: MONDAY + 58 * H, required: 1 }),
    ];
    const gaps = coverageGaps(shifts, open, MONDAY, MONDAY + 24 * H);
    expect(gaps.map((g) => [g.shift.id, g.missing])).toEqual([
      ['s1', 2],
      ['s2', 1],
    ]);
  });

  it('ignores checkpoints that are closed or suspended', () => {
    const shifts = [shift({ id: 's1', start: MONDAY, end: MONDAY + H, required: 3 })];
    expect(
      coverageGaps(shifts, new Map([['cp1', { status: 'closed' as const }]]), 0, MONDAY * 2),
    ).toEqual([]);
  });
});

describe('doubleBookings', () => {
  it('finds one person on two overlapping shifts, on different checkpoints too', () => {
    const shifts = [
      shift({ id: 'a', start: MONDAY, end: MONDAY + 8 * H, assignees: ['p1', 'p2'] }),
      shift({
        id: 'b',
        checkpoint: 'cp2',
        start: MONDAY + 7 * H,
        end: MONDAY + 15 * H,
        assignees: ['p1'],
      }),
      shift({ id: 'c', start: MONDAY + 8 * H, end: MONDAY + 16 * H, assignees: ['p2'] }),
    ];
    const found = doubleBookings(shifts).map((d) => [d.staff, d.first.id, d.second.id]);
    expect(found).toEqual([['p1', 'a', 'b']]);
  });

  it('finds every pair when three shifts overlap', () => {
    const shifts = [
      shift({ id: 'a', start: 0, end: 10 * H, assignees: ['p'] }),
      shift({ id: 'b', start: H, end: 3 * H, assignees: ['p'] }),
      shift({ id: 'c', start: 2 * H, end: 4 * H, assignees: ['p'] }),
    ];
    expect(doubleBookings(shifts)).toHaveLength(3);
  });
});

describe('restViolations', () => {
  const settings = { maxHoursIn24h: 12, minRestHours: 8 };

  it('flags too little rest between shifts', () => {
    const shifts = [
      shift({ id: 'a', start: MONDAY, end: MONDAY + 8 * H, assignees: ['p'] }),
      shift({ id: 'b', start: MONDAY + 12 * H, end: MONDAY + 16 * H, assignees: ['p'] }),
    ];
    const found = restViolations(shifts, settings);
    expect(found).toEqual([expect.objectContaining({ staff: 'p', kind: 'short_rest', hours: 4 })]);
  });

  it('flags more than the maximum hours in 24 h, once per run', () => {
    const shifts = [
      shift({ id: 'a', start: MONDAY, end: MONDAY + 8 * H, assignees: ['p'] }),
      shift({ id: 'b', start: MONDAY + 16 * H, end: MONDAY + 24 * H, assignees: ['p'] }),
    ];
    const found = restViolations(shifts, settings).filter((v) => v.kind === 'too_many_hours');
    expect(found).toEqual([expect.objectContaining({ shift: shifts[1], hours: 16 })]);
  });

  it('accepts a normal 3 x 8 rotation with a day off', () => {
    const shifts = [0, 1, 2].map((d) =>
      shift({
        id: `d${d}`,
        start: MONDAY + (d * 24 + 6) * H,
        end: MONDAY + (d * 24 + 14) * H,
        assignees: ['p'],
      }),
    );
    expect(restViolations(shifts, settings)).toEqual([]);
  });
});

describe('staffingState', () => {
  const cp: Pick<Checkpoint, 'id' | 'status' | 'hours'> = {
    id: 'cp1',
    status: 'open',
    hours: null,
  };
  const running = (over: Partial<Shift> = {}) =>
    shift({
      id: 'r',
      start: MONDAY,
      end: MONDAY + 8 * H,
      required: 2,
      assignees: ['p1', 'p2'],
      ...over,
    });

  it('is staffed when enough people are checked in', () => {
    const s = running({
      checkins: [
        { staff: 'p1', in: MONDAY, out: null, by: 'u1' },
        { staff: 'p2', in: MONDAY, out: null, by: 'u2' },
      ],
    });
    expect(staffingState(cp, [s], MONDAY + H, ZONE)).toMatchObject({
      state: 'staffed',
      present: 2,
      required: 2,
    });
  });

  it('is a gap when people checked out or never came', () => {
    const s = running({
      checkins: [
        { staff: 'p1', in: MONDAY, out: null, by: 'u1' },
        { staff: 'p2', in: MONDAY, out: MONDAY + H, by: 'u2' },
      ],
    });
    expect(staffingState(cp, [s], MONDAY + 2 * H, ZONE)).toMatchObject({
      state: 'gap',
      present: 1,
    });
  });

  it('is a gap when open with no shift, closed outside opening hours or when closed', () => {
    expect(staffingState(cp, [], MONDAY, ZONE).state).toBe('gap');
    const dayOnly = { ...cp, hours: { from: '08:00', to: '20:00' } };
    expect(staffingState(dayOnly, [], MONDAY + 2 * H, ZONE).state).toBe('closed');
    expect(staffingState(dayOnly, [], MONDAY + 10 * H, ZONE).state).toBe('gap');
    expect(staffingState({ ...cp, status: 'suspended' }, [running()], MONDAY + H, ZONE).state).toBe(
      'closed',
    );
  });

  it('looks only at the checkpoint asked about, and at the running shift', () => {
    const other = running({
      checkpoint: 'cp2',
      checkins: [{ staff: 'p1', in: MONDAY, out: null, by: 'u' }],
    });
    const later = running({ id: 'later', start: MONDAY + 8 * H, end: MONDAY + 16 * H });
    expect(staffingState(cp, [other, later], MONDAY + H, ZONE).state).toBe('gap');
  });
});

describe('isUncovered', () => {
  const s = shift({ id: 's', start: MONDAY, end: MONDAY + 8 * H, required: 1, assignees: ['p'] });
  it('alarms for a started shift with nobody checked in, until someone does or it is acknowledged', () => {
    expect(isUncovered(s, { status: 'open' }, MONDAY - 1)).toBe(false);
    expect(isUncovered(s, { status: 'open' }, MONDAY)).toBe(true);
    expect(
      isUncovered(
        { ...s, checkins: [{ staff: 'p', in: MONDAY, out: null, by: 'u' }] },
        { status: 'open' },
        MONDAY + H,
      ),
    ).toBe(false);
    expect(
      isUncovered({ ...s, ack: { by: 'sup', at: MONDAY } }, { status: 'open' }, MONDAY + H),
    ).toBe(false);
    expect(isUncovered(s, { status: 'closed' }, MONDAY + H)).toBe(false);
    expect(isUncovered(s, { status: 'open' }, MONDAY + 8 * H)).toBe(false);
  });
});

describe('analyzeRoster', () => {
  it('flags gaps, double bookings and rest problems of a week in one pass', () => {
    const week = weekStart('2026-03-04');
    expect(week).toBe('2026-03-02');
    const from = localInstant(week, '00:00', ZONE);
    const shifts = [
      shift({ id: 'gap', start: from + 6 * H, end: from + 14 * H, required: 2, assignees: ['p1'] }),
      shift({
        id: 'dbl',
        checkpoint: 'cp1',
        start: from + 10 * H,
        end: from + 18 * H,
        assignees: ['p1'],
      }),
    ];
    const result = analyzeRoster(
      shifts,
      open,
      { maxHoursIn24h: 12, minRestHours: 8 },
      from,
      from + 7 * 24 * H,
    );
    expect(result.gaps.map((g) => g.shift.id)).toEqual(['gap']);
    expect(result.doubleBookings).toHaveLength(1);
    expect([...result.flagged].sort()).toEqual(['dbl', 'gap']);
  });
});
