import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TaskBoard } from './board.ts';
import {
  buildDailyReport,
  countCheckpoints,
  countGrid,
  coverage,
  dayOf,
  dayRange,
  doneAt,
  factsVisible,
  isDay,
  pinOf,
  taskFacts,
  type TaskFacts,
} from './summary.ts';
import type { Checkpoint } from './roster/types.ts';
import { TASK_KINDS, type TaskKind } from './types.ts';

const TZ = 'Asia/Shanghai';
const HOUR = 3600_000;
/** 2026-03-10 00:00 in Shanghai (UTC+8). */
const DAY_START = Date.UTC(2026, 2, 9, 16);

describe('days in the workspace time zone', () => {
  it('gives local midnight to midnight', () => {
    expect(dayRange('2026-03-10', TZ)).toEqual({ start: DAY_START, end: DAY_START + 24 * HOUR });
    expect(dayOf(DAY_START, TZ)).toBe('2026-03-10');
    expect(dayOf(DAY_START - 1, TZ)).toBe('2026-03-09');
    expect(dayOf(DAY_START + 24 * HOUR - 1, TZ)).toBe('2026-03-10');
  });

  it('has 23 and 25 hour days across daylight saving', () => {
    const spring = dayRange('2026-03-29', 'Europe/Berlin');
    expect(spring.end - spring.start).toBe(23 * HOUR);
    expect(spring.start).toBe(Date.UTC(2026, 2, 28, 23));
    const autumn = dayRange('2026-10-25', 'Europe/Berlin');
    expect(autumn.end - autumn.start).toBe(25 * HOUR);
  });

  it('refuses what is not a calendar day', () => {
    for (const bad of ['2026-02-30', '2026-3-1', 'today', '2026-13-01', ''])
      expect(isDay(bad)).toBe(false);
    expect(() => dayRange('2026-02-30', TZ)).toThrow();
  });
});

/** A real board, edited the way people edit it, read back through the model. */
function boardWithDay(): { facts: TaskFacts[]; expected: Map<string, number[]> } {
  const board = new TaskBoard(new Y.Doc());
  const at = (h: number) => DAY_START + h * HOUR;
  // Created the day before, due during the day, done during the day: done, not overdue.
  const a = board.create({ title: 'A', kind: 'screening', due: at(10) }, 'u1', at(-5));
  board.move(a, 'done', null, 'u1', at(9));
  // Created during the day, due during the day, still open: created, overdue, open.
  board.create({ title: 'B', kind: 'screening', due: at(12) }, 'u1', at(2));
  // Created during the day, done the next day: created, and open and overdue at day's end.
  const c = board.create({ title: 'C', kind: 'delivery', due: at(20) }, 'u1', at(3));
  board.move(c, 'done', null, 'u1', at(30));
  // Created the next day: not in the report at all.
  board.create({ title: 'D', kind: 'delivery' }, 'u1', at(26));
  // Archived during the day while open: created only.
  const e = board.create({ title: 'E', kind: 'fix' }, 'u1', at(4));
  board.setArchived(e, true, 'u1', at(5));
  // Done the day before: nothing.
  const f = board.create({ title: 'F', kind: 'fix' }, 'u1', at(-30));
  board.move(f, 'done', null, 'u1', at(-20));
  // Open from before, not due: open only. Then on another grid.
  board.create({ title: 'G', kind: 'fix' }, 'u1', at(-30));
  const facts = board.list().map((t) => taskFacts(t, { id: 'b1', grid: 'g1' }));
  // [created, done, overdue, open] per kind
  const expected = new Map<string, number[]>([
    ['screening', [1, 1, 1, 1]],
    ['delivery', [1, 0, 1, 1]],
    ['fix', [1, 0, 0, 1]],
  ]);
  return { facts, expected };
}

describe('daily report', () => {
  it('counts what the board says happened that day', () => {
    const { facts, expected } = boardWithDay();
    const report = buildDailyReport(facts, {
      day: '2026-03-10',
      timeZone: TZ,
      now: DAY_START + 40 * HOUR,
      grids: null,
    });
    expect(report.asOf).toBe(DAY_START + 24 * HOUR);
    for (const row of report.rows) {
      expect(row.grid).toBe('g1');
      expect([row.created, row.done, row.overdue, row.open]).toEqual(expected.get(row.kind));
    }
    expect(report.rows.map((r) => r.kind)).toEqual(['screening', 'delivery', 'fix']);
    expect(report.totals).toEqual({ created: 3, done: 1, overdue: 2, open: 3 });
    expect(report.byGrid).toEqual([{ grid: 'g1', created: 3, done: 1, overdue: 2, open: 3 }]);
    expect(report.events.map((e) => `${e.kind}:${e.title}`)).toEqual([
      'task_created:B',
      'task_created:C',
      'task_created:E',
      'task_done:A',
    ]);
  });

  it('takes "overdue" at now for today', () => {
    const { facts } = boardWithDay();
    // At 11:00 B (due 12:00) is not yet overdue and C (due 20:00) neither.
    const report = buildDailyReport(facts, {
      day: '2026-03-10',
      timeZone: TZ,
      now: DAY_START + 11 * HOUR,
      grids: null,
    });
    expect(report.totals.overdue).toBe(0);
  });

  it('keeps to the chosen grids and agrees with a brute-force count', () => {
    // Generated facts over three grids; the report must equal a direct count.
    const facts: TaskFacts[] = [];
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let i = 0; i < 600; i++) {
      const status = (['todo', 'in_progress', 'blocked', 'done'] as const)[rand(4)]!;
      const createdAt = DAY_START + (rand(72) - 36) * HOUR;
      facts.push({
        id: `t${i}`,
        boardId: 'b',
        boardGrid: null,
        grid: ['g1', 'g2', 'g3'][rand(3)]!,
        title: `T${i}`,
        status,
        kind: TASK_KINDS[rand(TASK_KINDS.length)]!,
        priority: 'normal',
        location: null,
        due: rand(2) ? createdAt + rand(30) * HOUR : null,
        archived: rand(10) === 0,
        createdAt,
        doneAt: status === 'done' ? createdAt + rand(20) * HOUR : null,
      });
    }
    const end = DAY_START + 24 * HOUR;
    const report = buildDailyReport(facts, {
      day: '2026-03-10',
      timeZone: TZ,
      now: end + HOUR,
      grids: ['g1', 'g3'],
    });
    expect(report.byGrid.map((g) => g.grid)).toEqual(['g1', 'g3']);
    for (const grid of ['g1', 'g3'])
      for (const kind of TASK_KINDS) {
        const mine = facts.filter((t) => t.grid === grid && t.kind === (kind as TaskKind));
        const created = mine.filter((t) => t.createdAt >= DAY_START && t.createdAt < end).length;
        const done = mine.filter(
          (t) => t.doneAt !== null && t.doneAt >= DAY_START && t.doneAt < end,
        ).length;
        const open = mine.filter(
          (t) => t.createdAt < end && !t.archived && !(t.doneAt !== null && t.doneAt < end),
        );
        const overdue = open.filter((t) => t.due !== null && t.due < end).length;
        const row = report.rows.find((r) => r.grid === grid && r.kind === kind);
        expect([row?.created ?? 0, row?.done ?? 0, row?.overdue ?? 0, row?.open ?? 0]).toEqual([
          created,
          done,
          overdue,
          open.length,
        ]);
      }
  });
});

describe('alarms in the daily report', () => {
  it('lists the posts left unstaffed that day, in the chosen grids only', () => {
    // Only the id and name matter to the events.
    const checkpoints = [{ id: 'cp1', name: '北门' }] as unknown as Checkpoint[];
    const alarm = (raisedAt: number) => ({
      shift: `s${raisedAt}`,
      checkpoint: 'cp1',
      raisedAt,
      clearedAt: raisedAt + HOUR,
      clearedBy: 'checkin' as const,
    });
    const report = buildDailyReport([], {
      day: '2026-03-10',
      timeZone: TZ,
      now: DAY_START + 30 * HOUR,
      grids: ['g1'],
      rosters: [
        // 03:00 that day counts; the evening before and the next day do not.
        {
          grid: 'g1',
          checkpoints,
          shifts: [],
          alarms: [
            alarm(DAY_START + 3 * HOUR),
            alarm(DAY_START - HOUR),
            alarm(DAY_START + 25 * HOUR),
          ],
        },
        { grid: 'g2', checkpoints, shifts: [], alarms: [alarm(DAY_START + 4 * HOUR)] },
      ],
    });
    expect(report.events).toEqual([
      { at: DAY_START + 3 * HOUR, kind: 'alarm_raised', grid: 'g1', title: '北门' },
    ]);
    expect(report.eventCount).toBe(1);
  });
});

describe('live counters and pins', () => {
  it('counts open, overdue, blocked and done today', () => {
    const { facts } = boardWithDay();
    const now = DAY_START + 13 * HOUR;
    // The board's final state: open B (overdue at 13:00), D and G; done since the day began: A, C.
    expect(countGrid('g1', facts, now, DAY_START)).toEqual({
      grid: 'g1',
      open: 3,
      overdue: 1,
      blocked: 0,
      doneToday: 2,
      staffed: 0,
      uncovered: 0,
      onDuty: 0,
    });
  });

  it('finds when a task was done from its history', () => {
    const board = new TaskBoard(new Y.Doc());
    const id = board.create({ title: 'X', location: { lat: 30.5, lng: 114.3 } }, 'u', 1000);
    expect(doneAt(board.get(id)!)).toBeNull();
    board.move(id, 'done', null, 'u', 5000);
    board.update(id, { title: 'X2' }, 'u', 9000);
    expect(doneAt(board.get(id)!)).toBe(5000);
    const pin = pinOf(taskFacts(board.get(id)!, { id: 'b', grid: null }));
    expect(pin).toMatchObject({ key: 'b/' + id, lat: 30.5, lng: 114.3, status: 'done' });
    board.setArchived(id, true, 'u', 9500);
    expect(pinOf(taskFacts(board.get(id)!, { id: 'b', grid: null }))).toBeNull();
  });

  it('shows a grid-scoped person only their grids', () => {
    expect(factsVisible({ role: 'worker', grids: ['g1'] }, 'g1')).toBe(true);
    expect(factsVisible({ role: 'worker', grids: ['g1'] }, 'g2')).toBe(false);
    expect(factsVisible({ role: 'worker', grids: ['g1'] }, null)).toBe(false);
    expect(factsVisible({ role: 'leader', grids: ['g1'] }, null)).toBe(true);
  });
});

describe('checkpoint coverage', () => {
  const checkpoint = (id: string, status: 'open' | 'closed' = 'open') => ({
    id,
    name: id,
    kind: 'gate' as const,
    grid: 'g1',
    location: null,
    hours: null,
    pattern: [],
    contact: '',
    status,
    notes: '',
    createdBy: 'u',
    createdAt: 0,
    updatedBy: 'u',
    updatedAt: 0,
  });
  const shift = (
    id: string,
    cp: string,
    start: number,
    end: number,
    required: number,
    checkins: { in: number; out: number | null }[],
  ) => ({
    id,
    checkpoint: cp,
    template: null,
    name: id,
    start,
    end,
    required,
    assignees: [],
    checkins: checkins.map((c, i) => ({ staff: `s${i}`, by: 'u', ...c })),
    ack: null,
  });
  const at = (h: number) => DAY_START + h * HOUR;

  it('counts person-hours required and checked in, inside the day and up to now', () => {
    const shifts = [
      // Night shift from the day before: 22:00-06:00, 1 person, checked in all along.
      shift('n', 'a', at(-2), at(6), 1, [{ in: at(-2), out: at(6) }]),
      // 06:00-14:00, 2 people: one all shift, one from 10:00, still there.
      shift('m', 'a', at(6), at(14), 2, [
        { in: at(6), out: at(14) },
        { in: at(10), out: null },
      ]),
      // A closed post asks for nothing.
      shift('x', 'b', at(6), at(14), 3, []),
    ];
    const checkpoints = [checkpoint('a'), checkpoint('b', 'closed')];
    // The whole day, seen the next day: required 6 + 16 = 22 h; staffed 6 + 8 + 4 = 18 h.
    expect(coverage('g1', checkpoints, shifts, DAY_START, DAY_START + 24 * HOUR, at(30))).toEqual({
      grid: 'g1',
      requiredHours: 22,
      staffedHours: 18,
    });
    // At 12:00 today: required 6 + 2 × 6 = 18 h; staffed 6 + 6 + 2 = 14 h.
    expect(coverage('g1', checkpoints, shifts, DAY_START, DAY_START + 24 * HOUR, at(12))).toEqual({
      grid: 'g1',
      requiredHours: 18,
      staffedHours: 14,
    });
    // Live, with people still checked in: both there at 12:00 is staffed; one alone is short.
    const both = [
      shift('m', 'a', at(6), at(14), 2, [
        { in: at(6), out: null },
        { in: at(10), out: null },
      ]),
    ];
    expect(countCheckpoints(checkpoints, both, at(12), TZ)).toEqual({
      staffed: 1,
      uncovered: 0,
      onDuty: 2,
    });
    const one = [shift('m', 'a', at(6), at(14), 2, [{ in: at(6), out: null }])];
    expect(countCheckpoints(checkpoints, one, at(8), TZ)).toEqual({
      staffed: 0,
      uncovered: 1,
      onDuty: 1,
    });
  });
});
