import { describe, expect, it } from 'vitest';
import type { GridArea, GridCounters } from '@outpost/model';
import { SHADE_STEPS, areaShapes, measureValue, stepOf } from './area-shade.ts';

const counters = (
  grid: string,
  open: number,
  overdue: number,
  uncovered: number,
): GridCounters => ({
  grid,
  open,
  overdue,
  uncovered,
  blocked: 0,
  doneToday: 0,
  staffed: 0,
  onDuty: 0,
});

const area: GridArea = {
  type: 'Polygon',
  coordinates: [
    [
      [114.36, 30.55],
      [114.37, 30.55],
      [114.37, 30.56],
      [114.36, 30.55],
    ],
  ],
};

describe('the shading scale', () => {
  it('covers every whole number once per measure, zero in its own neutral class', () => {
    for (const steps of Object.values(SHADE_STEPS)) {
      expect(steps[0]).toMatchObject({ min: 0, max: 0 });
      expect(steps.at(-1)!.max).toBeNull();
      for (let i = 1; i < steps.length; i++) expect(steps[i]!.min).toBe(steps[i - 1]!.max! + 1);
      expect(new Set(steps.map((s) => s.colour)).size).toBe(steps.length);
    }
  });

  it('puts values in their class', () => {
    expect(stepOf('open', 0)).toBe(SHADE_STEPS.open[0]);
    expect(stepOf('open', 4)).toMatchObject({ min: 1, max: 4 });
    expect(stepOf('open', 5)).toMatchObject({ min: 5, max: 9 });
    expect(stepOf('open', 500)).toMatchObject({ min: 20, max: null });
    expect(stepOf('overdue', 2)).toMatchObject({ min: 1, max: 2 });
    expect(stepOf('gaps', 1)).toMatchObject({ min: 1, max: 1 });
    expect(stepOf('gaps', 3)).toMatchObject({ min: 2, max: 3 });
  });

  it('reads each measure from the right counter', () => {
    const c = counters('g1', 7, 3, 2);
    expect(measureValue('open', c)).toBe(7);
    expect(measureValue('overdue', c)).toBe(3);
    expect(measureValue('gaps', c)).toBe(2);
    expect(measureValue('none', c)).toBeNull();
    expect(measureValue('open', undefined)).toBeNull();
  });
});

describe('areaShapes', () => {
  const areas = new Map([
    ['g1', area],
    ['g2', area],
    ['g3', area],
  ]);
  const name = (id: string) => (id === 'g1' ? 'Grid one' : null);
  const live = [counters('g1', 12, 0, 0), counters('g2', 0, 0, 5)];

  it('fills each grid by its live figure; a grid without figures is outlined only', () => {
    const shapes = areaShapes(areas, name, live, 'open', null, { role: 'leader', grids: null });
    expect(shapes.map((s) => [s.grid, s.name, s.value, s.colour])).toEqual([
      ['g1', 'Grid one', 12, stepOf('open', 12).colour],
      ['g2', 'g2', 0, SHADE_STEPS.open[0]!.colour],
      ['g3', 'g3', null, null],
    ]);
    expect(
      areaShapes(areas, name, live, 'none', null, { role: 'leader', grids: null }).every(
        (s) => s.colour === null && s.value === null,
      ),
    ).toBe(true);
  });

  it("keeps to the person's grids and the filter", () => {
    const worker = { role: 'worker' as const, grids: ['g2'] };
    expect(areaShapes(areas, name, live, 'gaps', null, worker).map((s) => s.grid)).toEqual(['g2']);
    const leader = { role: 'leader' as const, grids: null };
    expect(
      areaShapes(areas, name, live, 'gaps', new Set(['g3']), leader).map((s) => s.grid),
    ).toEqual(['g3']);
  });
});
