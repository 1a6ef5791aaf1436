import * as Y from 'yjs';
import {
  Roster,
  addDays,
  localDay,
  rosterDocName,
  weekStart,
  type CheckpointInput,
  type ShiftTemplate,
} from '@outpost/model';

const ZONE = 'Asia/Shanghai';

const THREE_EIGHTS: ShiftTemplate[] = [
  { id: 'm', name: '早班', start: '06:00', minutes: 480, required: 2 },
  { id: 'a', name: '中班', start: '14:00', minutes: 480, required: 2 },
  { id: 'n', name: '夜班', start: '22:00', minutes: 480, required: 1 },
];
const TWO_TWELVES: ShiftTemplate[] = [
  { id: 'd', name: '白班', start: '08:00', minutes: 720, required: 1 },
  { id: 'n', name: '夜班', start: '20:00', minutes: 720, required: 1 },
];

interface GridSeed {
  grid: string;
  centre: [number, number];
  checkpoints: (CheckpointInput & { offset: [number, number] })[];
  staff: [name: string, phone: string, user: string | null][];
  /**
   * Someone from an earlier grid's list (same phone) lent to this grid, on a shift that
   * overlaps one of theirs there: the double booking across grids a leader must catch.
   */
  borrowed?: [name: string, phone: string];
}

const GRIDS: GridSeed[] = [
  {
    grid: 'g1',
    centre: [30.5535, 114.3665],
    checkpoints: [
      {
        name: '东湖花园 北门',
        kind: 'gate',
        pattern: THREE_EIGHTS,
        contact: '027-8888 0101',
        notes: '唯一出入口：测温、登记、查验健康码',
        offset: [0.0012, 0.0004],
      },
      {
        name: '东湖路 与 友谊大道 路口',
        kind: 'road',
        pattern: TWO_TWELVES,
        contact: '027-8888 0102',
        notes: '车辆登记',
        offset: [-0.0008, 0.0016],
      },
      {
        name: '东湖花园 南门',
        kind: 'gate',
        pattern: THREE_EIGHTS,
        status: 'closed',
        notes: '封闭：小区只留一个出入口',
        offset: [-0.0014, -0.0006],
      },
    ],
    staff: [
      ['张网格', '138 0000 1001', 'worker'],
      ['陈志愿', '138 0000 1002', 'volunteer'],
      ['李明', '138 0000 1003', null],
      ['王芳', '138 0000 1004', null],
      ['赵强', '138 0000 1005', null],
      ['孙丽', '138 0000 1006', null],
      ['周杰', '138 0000 1007', null],
      ['吴敏', '138 0000 1008', null],
      ['郑浩', '138 0000 1009', null],
      ['冯静', '138 0000 1010', null],
      ['何伟', '138 0000 1011', null],
      ['高燕', '138 0000 1012', null],
    ],
  },
  {
    grid: 'g2',
    centre: [30.5571, 114.3712],
    checkpoints: [
      {
        name: '幸福里 东门',
        kind: 'gate',
        pattern: THREE_EIGHTS,
        contact: '027-8888 0201',
        notes: '测温、登记',
        hours: null,
        offset: [0.001, 0.001],
      },
      {
        name: '地铁 幸福里站 C口',
        kind: 'rail',
        pattern: [{ id: 'd', name: '运营时段', start: '06:00', minutes: 1020, required: 2 }],
        hours: { from: '06:00', to: '23:00' },
        contact: '027-8888 0202',
        notes: '运营时段 06:00-23:00',
        offset: [-0.001, -0.0012],
      },
    ],
    staff: [
      ['刘网格', '139 0000 2001', 'worker2'],
      ['马超', '139 0000 2002', null],
      ['黄蓉', '139 0000 2003', null],
      ['林峰', '139 0000 2004', null],
      ['罗兰', '139 0000 2005', null],
      ['梁宇', '139 0000 2006', null],
      ['宋佳', '139 0000 2007', null],
      ['谢军', '139 0000 2008', null],
      ['韩雪', '139 0000 2009', null],
      ['唐亮', '139 0000 2010', null],
    ],
    borrowed: ['李明（借调）', '138 0000 1003'],
  },
];

/**
 * Demo rosters for grids 1 and 2: checkpoints with 24-hour patterns, a staff list (the demo
 * worker, worker2 and volunteer linked to their accounts), this week and next generated and
 * mostly filled in rotation, with a few gaps left for a supervisor to find. The demo worker is
 * on the North gate shift running now, not yet checked in. Returns the documents to store.
 */
export function seedDemoRosters(
  workspaceId: string,
  userIds: ReadonlyMap<string, string>,
  creator: string,
  now: number,
): { name: string; update: Uint8Array }[] {
  const documents: { name: string; update: Uint8Array }[] = [];
  // From the day before this week: a night shift of Sunday runs into Monday morning.
  const first = addDays(weekStart(localDay(now, ZONE)), -1);
  const last = addDays(first, 14);
  /** Shifts from tomorrow on, by the phone of who is on them (for `borrowed`). */
  const booked = new Map<string, { start: number; end: number }[]>();
  for (const seed of GRIDS) {
    const doc = new Y.Doc();
    const roster = new Roster(doc);
    doc.transact(() => {
      roster.meta.set('grid', seed.grid);
      roster.meta.set('createdAt', now);
      const staff = seed.staff.map(([name, phone, user]) =>
        roster.addStaff({ name, phone, userId: user ? (userIds.get(user) ?? null) : null }),
      );
      const linked = new Set(seed.staff.flatMap(([, , user], i) => (user ? [staff[i]!] : [])));
      const pool = staff.filter((s) => !linked.has(s));
      let turn = 0;
      seed.checkpoints.forEach(({ offset, ...input }, index) => {
        const id = roster.createCheckpoint(
          {
            ...input,
            location: {
              lat: seed.centre[0] + offset[0],
              lng: seed.centre[1] + offset[1],
            },
          },
          seed.grid,
          creator,
          now,
          `${seed.grid}-cp${index + 1}`,
        );
        roster.generate(id, first, last, ZONE);
        if (input.status === 'closed') return;
        for (const shift of roster.listShifts().filter((s) => s.checkpoint === id)) {
          // Leave every ninth shift short: gaps for the supervisor to see.
          const short = (turn + index) % 9 === 0 ? 1 : 0;
          for (let k = 0; k < shift.required - short; k++) {
            roster.assign(shift.id, pool[turn % pool.length]!);
            turn++;
          }
          if (short) turn++;
        }
      });
      // Linked people get a shift running now and the same shift over the next two days.
      for (const person of linked) {
        const candidates = roster
          .listShifts()
          .filter((s) => roster.getCheckpoint(s.checkpoint)?.status === 'open');
        const running = candidates.find(
          (s) => s.checkpoint === `${seed.grid}-cp1` && s.start <= now && now < s.end,
        );
        if (!running) continue;
        for (const day of [0, 1, 2]) {
          const later = candidates.find(
            (s) =>
              s.checkpoint === running.checkpoint &&
              s.template === running.template &&
              s.start === running.start + day * 86_400_000,
          );
          if (later) roster.assign(later.id, person);
        }
      }
      if (seed.borrowed) {
        const [name, phone] = seed.borrowed;
        const theirs = booked.get(phone) ?? [];
        const lent = roster.addStaff({ name, phone, userId: null });
        const clash = roster
          .listShifts()
          .filter((s) => roster.getCheckpoint(s.checkpoint)?.status === 'open')
          .find((s) => theirs.some((t) => s.start < t.end && t.start < s.end));
        if (clash) roster.assign(clash.id, lent);
      }
      const phones = new Map(roster.listStaff().map((m) => [m.id, m.phone]));
      for (const shift of roster.listShifts()) {
        if (shift.start < now + 86_400_000) continue;
        for (const id of shift.assignees) {
          const phone = phones.get(id) ?? '';
          booked.set(phone, [...(booked.get(phone) ?? []), { start: shift.start, end: shift.end }]);
        }
      }
      // The road checkpoint's running shift is staffed: its people checked in.
      for (const shift of roster.listShifts()) {
        if (shift.start > now || now >= shift.end) continue;
        if (shift.checkpoint !== `${seed.grid}-cp2`) continue;
        for (const staffId of shift.assignees) {
          roster.checkIn(shift.id, staffId, creator, Math.max(shift.start, now - 3_600_000));
        }
      }
    });
    documents.push({
      name: rosterDocName(workspaceId, seed.grid),
      update: Y.encodeStateAsUpdate(doc),
    });
  }
  return documents;
}
