import { areaFromRings, type GridArea } from '@outpost/model';

/**
 * Outlines of the four demo grids (WGS-84, `[lng, lat]`): a sub-district by the river cut into
 * four grids along streets, around the points where the demo's tasks and checkpoints are. They
 * share their borders, as real grids do.
 */
const P = {
  NW: [114.3585, 30.561],
  N: [114.3688, 30.561],
  NE: [114.38, 30.561],
  W: [114.3585, 30.5512],
  C: [114.369, 30.552],
  E: [114.38, 30.5532],
  SW: [114.3585, 30.5445],
  S: [114.3692, 30.5436],
  SE: [114.38, 30.5438],
} as const;
/** Street corners between the centre and each side, from the centre outwards. */
const TO_N = [
  [114.3686, 30.555],
  [114.3694, 30.558],
] as const;
const TO_E = [
  [114.373, 30.5524],
  [114.3765, 30.553],
] as const;
const TO_S = [
  [114.3684, 30.5495],
  [114.3697, 30.5468],
] as const;
const TO_W = [
  [114.365, 30.5515],
  [114.3615, 30.5508],
] as const;
/** The river bank along the south-west. */
const BANK = [
  [114.3612, 30.5441],
  [114.3651, 30.5434],
] as const;

const ring = (...points: (readonly (readonly number[])[] | readonly number[])[]) =>
  points.flatMap((p) => (typeof p[0] === 'number' ? [p as readonly number[]] : (p as number[][])));
const rev = <T>(list: readonly T[]) => [...list].reverse();

/** Each ring runs counter-clockwise, as RFC 7946 asks of outer rings. */
export const DEMO_AREAS: Record<string, GridArea> = {
  g1: areaFromRings([[ring(P.NW, P.W, rev(TO_W), P.C, TO_N, P.N)]]),
  g2: areaFromRings([[ring(P.N, rev(TO_N), P.C, TO_E, P.E, P.NE)]]),
  g3: areaFromRings([[ring(P.C, TO_S, P.S, P.SE, P.E, rev(TO_E))]]),
  g4: areaFromRings([[ring(P.W, P.SW, BANK, P.S, rev(TO_S), P.C, TO_W)]]),
};
