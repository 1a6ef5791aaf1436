/**
 * 7. A district's roster: 750 checkpoints × 3 shifts a day × 7 days (15,750 shifts, two
 * people each, ~1,600 staff), sharded as Outpost shards it (one document per grid, three
 * checkpoints per grid). Measured in this process, without a server (the rules run in the
 * browser and in the alarm service, not on the wire):
 *
 * - computing gaps, double bookings and rest violations for the whole district's week
 *   (`analyzeRoster`), and for one grid's week, as the week view does on every change;
 * - loading the week view of one grid: decoding its stored document, taking the snapshots the
 *   view shows, and analysing them;
 * - the same for a worst case of all 750 checkpoints in one document (what sharding avoids).
 *
 * Figures only: no timed pass/fail.
 */
import * as Y from 'yjs';
import {
  Roster,
  addDays,
  analyzeRoster,
  generateShifts,
  localInstant,
  type Shift,
} from '@outpost/model';
import type { Row } from '../lib/report.ts';
import { summarize } from '../lib/stats.ts';
import { TARGETS, type TargetKind } from '../servers/targets.ts';
import type { Scenario } from './common.ts';

const ZONE = 'Asia/Shanghai';
const WEEK = '2026-03-02';
const SETTINGS = { maxHoursIn24h: 12, minRestHours: 8 };
const PATTERN = [
  { id: 'm', name: '早班', start: '06:00', minutes: 480, required: 2 },
  { id: 'a', name: '中班', start: '14:00', minutes: 480, required: 2 },
  { id: 'n', name: '夜班', start: '22:00', minutes: 480, required: 2 },
];

/** One grid's roster with `checkpoints` checkpoints, a week generated, people rotated in. */
function buildRoster(checkpoints: number, prefix: string): Y.Doc {
  const doc = new Y.Doc();
  const roster = new Roster(doc);
  doc.transact(() => {
    const staff = Array.from({ length: checkpoints * 7 }, (_, i) =>
      roster.addStaff({ name: `${prefix} 员工 ${i}`, phone: `138${String(i).padStart(8, '0')}` }),
    );
    let turn = 0;
    for (let c = 0; c < checkpoints; c++) {
      const id = roster.createCheckpoint(
        { name: `${prefix} 卡点 ${c}`, pattern: PATTERN },
        'g',
        'bench',
        0,
        `${prefix}-c${c}`,
      );
      roster.generate(id, WEEK, addDays(WEEK, 6), ZONE);
      for (const shift of generateShifts({ id, pattern: PATTERN }, WEEK, addDays(WEEK, 6), ZONE)) {
        // Every 40th shift is one short: gaps for the rules to find.
        const people = turn % 40 === 0 ? 1 : 2;
        for (let k = 0; k < people; k++) roster.assign(shift.id, staff[turn++ % staff.length]!);
      }
    }
  });
  return doc;
}

function time<T>(fn: () => T, repeat: number): { value: T; ms: number[] } {
  const ms: number[] = [];
  let value!: T;
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    value = fn();
    ms.push(performance.now() - start);
  }
  return { value, ms };
}

function only(value: number | null): Record<TargetKind, number | string | null> {
  const values = {} as Record<TargetKind, number | string | null>;
  for (const kind of TARGETS) values[kind] = kind === 'outpost' ? value : 'n/a';
  return values;
}

export const roster: Scenario = {
  name: 'roster',
  title:
    '8. District roster: 750 checkpoints × 3 shifts × 7 days (quick: 150 checkpoints, 3 repeats)',
  expectedMs: { quick: 3_000, full: 40_000 },
  async run(ctx) {
    const grids = ctx.quick ? 50 : 250;
    const perGrid = 3;
    const repeat = ctx.quick ? 3 : 7;
    ctx.log(`roster: building ${grids} grid rosters of ${perGrid} checkpoints`);
    const docs = Array.from({ length: grids }, (_, g) => buildRoster(perGrid, `g${g}`));
    const updates = docs.map((d) => Y.encodeStateAsUpdate(d));
    const rosters = docs.map((d) => new Roster(d));
    const from = localInstant(WEEK, '00:00', ZONE);
    const to = localInstant(addDays(WEEK, 7), '00:00', ZONE);

    // The whole district's week at once (a leader's overview, the alarm service's pass).
    const allShifts: Shift[] = rosters.flatMap((r) => r.listShifts());
    const allCheckpoints = new Map(
      rosters.flatMap((r) => r.listCheckpoints()).map((c) => [c.id, c]),
    );
    const district = time(
      () => analyzeRoster(allShifts, allCheckpoints, SETTINGS, from, to),
      repeat,
    );
    // One grid's week, as the week view recomputes on every change.
    const oneGrid = time(() => {
      const r = rosters[0]!;
      const checkpoints = new Map(r.listCheckpoints().map((c) => [c.id, c]));
      return analyzeRoster(r.listShifts(), checkpoints, SETTINGS, from, to);
    }, repeat * 5);
    // Loading one grid's week view: decode the stored document, snapshot, analyse.
    const load = (update: Uint8Array) => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, update);
      const r = new Roster(doc);
      const checkpoints = new Map(r.listCheckpoints().map((c) => [c.id, c]));
      const shifts = r.listShifts();
      r.listStaff();
      return analyzeRoster(shifts, checkpoints, SETTINGS, from, to).gaps.length;
    };
    const gridLoad = time(() => load(updates[0]!), repeat * 5);
    // The worst case sharding avoids: every checkpoint in one document.
    ctx.log('roster: building one document of every checkpoint');
    const single = Y.encodeStateAsUpdate(buildRoster(grids * perGrid, 'all'));
    const singleLoad = time(() => load(single), repeat);

    const shiftsCount = allShifts.length;
    const p50 = (ms: number[]) => summarize(ms)?.p50 ?? null;
    const section = `${grids * perGrid} checkpoints, ${shiftsCount} shifts`;
    const rows: Row[] = [
      {
        section,
        metric: 'gaps + double bookings + rest, whole district week (p50)',
        unit: 'ms',
        values: only(p50(district.ms)),
      },
      {
        section,
        metric: 'the same, one grid’s week (p50)',
        unit: 'ms',
        values: only(p50(oneGrid.ms)),
      },
      {
        section,
        metric: 'week view load of one grid: decode + snapshot + rules (p50)',
        unit: 'ms',
        values: only(p50(gridLoad.ms)),
      },
      {
        section,
        metric: 'one grid’s document',
        unit: 'bytes',
        values: only(updates[0]!.byteLength),
      },
      {
        section,
        metric: 'week view load if every checkpoint were one document (p50)',
        unit: 'ms',
        values: only(p50(singleLoad.ms)),
      },
      {
        section,
        metric: 'that single document',
        unit: 'bytes',
        values: only(single.byteLength),
      },
      {
        section,
        metric: 'gaps found in the district week',
        unit: 'count',
        values: only(district.value.gaps.length),
        noRatio: true,
      },
    ];
    return {
      rows,
      checks: [
        {
          ok: district.value.gaps.length > 0,
          text: `the rules found the seeded gaps (${district.value.gaps.length}); ${district.value.doubleBookings.length} double bookings and ${district.value.rest.length} rest problems in the rotation`,
        },
      ],
      errors: [],
      details: { shifts: shiftsCount, district: district.ms, oneGrid: oneGrid.ms },
    };
  },
};
