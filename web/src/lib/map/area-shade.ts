import type { GridArea, GridCounters, Principal } from '@outpost/model';
import { inScope } from '@outpost/model';
import { inFilter, type GridFilter } from './pins.ts';

/** What grid areas may be shaded by (from the live per-grid counters). */
export const SHADE_MEASURES = ['none', 'open', 'overdue', 'gaps'] as const;
export type ShadeMeasure = (typeof SHADE_MEASURES)[number];
export type ShadedMeasure = Exclude<ShadeMeasure, 'none'>;

export const isShadeMeasure = (v: unknown): v is ShadeMeasure =>
  typeof v === 'string' && (SHADE_MEASURES as readonly string[]).includes(v);

/** One class of the colour scale: values from `min` to `max` (null: and above). */
export interface ShadeStep {
  min: number;
  max: number | null;
  colour: string;
}

/**
 * Fixed class breaks per measure, so a colour means the same all day on a wall screen (a scale
 * stretched to today's worst grid would turn a quiet grid red when the others clear). Zero is
 * a pale neutral; the rest run from yellow to dark red (ColorBrewer YlOrRd, which stays
 * readable for the common colour-vision deficiencies).
 */
const ZERO = '#cbd5e1';
const SCALE = ['#fed976', '#fd8d3c', '#e31a1c', '#800026'];
const steps = (breaks: number[]): ShadeStep[] => [
  { min: 0, max: 0, colour: ZERO },
  ...breaks.map((min, i) => ({
    min,
    max: i + 1 < breaks.length ? breaks[i + 1]! - 1 : null,
    colour: SCALE[SCALE.length - breaks.length + i]!,
  })),
];

export const SHADE_STEPS: Record<ShadedMeasure, ShadeStep[]> = {
  open: steps([1, 5, 10, 20]),
  overdue: steps([1, 3, 6, 10]),
  gaps: steps([1, 2, 4]),
};

/** The figure a measure reads from a grid's counters (null: no figures for that grid). */
export function measureValue(measure: ShadeMeasure, counters: GridCounters | undefined) {
  if (measure === 'none' || !counters) return null;
  if (measure === 'open') return counters.open;
  if (measure === 'overdue') return counters.overdue;
  return counters.uncovered;
}

export function stepOf(measure: ShadedMeasure, value: number): ShadeStep {
  const list = SHADE_STEPS[measure];
  return list.find((s) => value >= s.min && (s.max === null || value <= s.max)) ?? list[0]!;
}

/** One grid's area as the map draws it. */
export interface AreaShape {
  grid: string;
  area: GridArea;
  name: string;
  /** Fill colour; null: outline only (no measure chosen, or no figures for the grid). */
  colour: string | null;
  /** The measure's value shown with the name, or null. */
  value: number | null;
}

/**
 * The areas to draw: those of grids the person works in (their scope) and the filter lets
 * through, each filled by the chosen measure from the live counters.
 */
export function areaShapes(
  areas: ReadonlyMap<string, GridArea>,
  gridName: (id: string) => string | null,
  counters: readonly GridCounters[],
  measure: ShadeMeasure,
  filter: GridFilter,
  user: Principal,
): AreaShape[] {
  const byGrid = new Map(counters.map((c) => [c.grid, c]));
  const shapes: AreaShape[] = [];
  for (const [grid, area] of areas) {
    if (!inScope(user, grid) || !inFilter(grid, filter)) continue;
    const value = measureValue(measure, byGrid.get(grid));
    shapes.push({
      grid,
      area,
      name: gridName(grid) ?? grid,
      colour: value === null || measure === 'none' ? null : stepOf(measure, value).colour,
      value,
    });
  }
  return shapes;
}
