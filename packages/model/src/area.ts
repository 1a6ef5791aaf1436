import type { Grid } from './types.ts';

/**
 * Grid areas: the outline of each grid on the map, a GeoJSON Polygon or MultiPolygon geometry
 * in WGS-84 with positions in GeoJSON's `[lng, lat]` order (RFC 7946). They live in the
 * workspace directory's `areas` root, keyed by grid id. Everything here is a pure function.
 */

/** A GeoJSON position, `[lng, lat]` (WGS-84). */
export type Position = [number, number];
export type Ring = Position[];

export type GridArea =
  { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] };

export const AREA_LIMITS = {
  /** Positions in one grid's area, every ring counted (closing positions too). */
  vertices: 5_000,
  /** Rings in one grid's area (outer rings and holes). */
  rings: 100,
  /** Largest GeoJSON file accepted for import, checked before reading it. */
  bytes: 5 * 1024 * 1024,
  /** Features in one GeoJSON file. */
  features: 2_000,
} as const;

/** Why a geometry is not a valid area (also the import preview's per-feature problems). */
export type AreaProblemCode =
  | 'not_polygon'
  | 'bad_coordinates'
  | 'out_of_range'
  | 'ring_too_short'
  | 'ring_not_closed'
  | 'too_many_vertices'
  | 'too_many_rings';

const isPosition = (v: unknown): v is Position =>
  Array.isArray(v) &&
  v.length === 2 &&
  typeof v[0] === 'number' &&
  typeof v[1] === 'number' &&
  Number.isFinite(v[0]) &&
  Number.isFinite(v[1]);

/**
 * The first reason `value` is not a valid stored area, or null when it is one: exactly
 * `{ type, coordinates }`, finite `[lng, lat]` pairs within WGS-84's range, every ring of at
 * least four positions whose last repeats its first, at most `AREA_LIMITS.vertices` positions
 * and `AREA_LIMITS.rings` rings in all. (Ring orientation and self-intersection are not
 * checked: RFC 7946 tells parsers not to reject on orientation, and Leaflet draws both.)
 */
export function areaProblem(value: unknown): AreaProblemCode | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not_polygon';
  const { type, coordinates, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return 'not_polygon';
  let polygons: unknown[];
  if (type === 'Polygon') polygons = [coordinates];
  else if (type === 'MultiPolygon') {
    if (!Array.isArray(coordinates) || coordinates.length === 0) return 'bad_coordinates';
    polygons = coordinates;
  } else return 'not_polygon';
  let rings = 0;
  let vertices = 0;
  for (const polygon of polygons) {
    if (!Array.isArray(polygon) || polygon.length === 0) return 'bad_coordinates';
    rings += polygon.length;
    if (rings > AREA_LIMITS.rings) return 'too_many_rings';
    for (const ring of polygon) {
      if (!Array.isArray(ring)) return 'bad_coordinates';
      vertices += ring.length;
      if (vertices > AREA_LIMITS.vertices) return 'too_many_vertices';
      for (const position of ring) {
        if (!isPosition(position)) return 'bad_coordinates';
        const [lng, lat] = position;
        if (lng < -180 || lng > 180 || lat < -90 || lat > 90) return 'out_of_range';
      }
      if (ring.length < 4) return 'ring_too_short';
      const first = ring[0] as Position;
      const last = ring[ring.length - 1] as Position;
      if (first[0] !== last[0] || first[1] !== last[1]) return 'ring_not_closed';
    }
  }
  return null;
}

export const isGridArea = (value: unknown): value is GridArea => areaProblem(value) === null;

/** The polygons of an area, each a list of rings (outer ring first, then holes). */
export function areaPolygons(area: GridArea): Ring[][] {
  return area.type === 'Polygon' ? [area.coordinates] : area.coordinates;
}

/** Positions in an area (what `AREA_LIMITS.vertices` counts). */
export function areaVertexCount(area: GridArea): number {
  let count = 0;
  for (const polygon of areaPolygons(area)) for (const ring of polygon) count += ring.length;
  return count;
}

/** Seven decimals: about a centimetre, more than any survey needs. */
const round = (value: number) => Math.round(value * 1e7) / 1e7;

/**
 * Builds an area from polygons of open or closed rings (as a drawing tool gives them): drops
 * altitudes, rounds to seven decimals, removes repeated consecutive positions and closes each
 * ring. One polygon gives a Polygon, several a MultiPolygon. The result still needs
 * `areaProblem` (a ring may have too few positions).
 */
export function areaFromRings(polygons: readonly (readonly (readonly number[])[])[][]): GridArea {
  const clean = polygons.map((polygon) =>
    polygon.map((ring) => {
      const out: Ring = [];
      for (const position of ring) {
        const point: Position = [round(Number(position[0])), round(Number(position[1]))];
        const previous = out[out.length - 1];
        if (!previous || previous[0] !== point[0] || previous[1] !== point[1]) out.push(point);
      }
      const first = out[0];
      const last = out[out.length - 1];
      if (first && last && (first[0] !== last[0] || first[1] !== last[1])) out.push([...first]);
      return out;
    }),
  );
  return clean.length === 1
    ? { type: 'Polygon', coordinates: clean[0]! }
    : { type: 'MultiPolygon', coordinates: clean };
}

// ---------------------------------------------------------------------------------------------
// GeoJSON import

/** Property names (and `feature.id`) an import looks in for the grid a feature belongs to. */
export const AREA_MATCH_PROPERTIES = [
  'grid',
  'gridId',
  'grid_id',
  'id',
  'name',
  '网格',
  '网格名称',
  '网格编号',
  '名称',
] as const;

export type AreaImportProblemCode =
  AreaProblemCode | 'unknown_grid' | 'no_grid' | 'duplicate_grid' | 'no_geometry';

/** One feature of the file: which grid it matched and its area, or what is wrong with it. */
export interface AreaImportRow {
  /** 1-based position of the feature in the file. */
  feature: number;
  /** The property value the feature was matched by (or the first candidate found). */
  label: string;
  grid: Grid | null;
  area: GridArea | null;
  vertices: number;
  /** Whether the grid already has an area (the import replaces it). */
  replaces: boolean;
  problem: AreaImportProblemCode | null;
}

export type AreaFileProblemCode = 'not_geojson' | 'crs' | 'empty' | 'too_many';

export interface AreaImportPreview {
  rows: AreaImportRow[];
  /** A problem with the whole file (nothing else is listed then). */
  fileProblem: AreaFileProblemCode | null;
  /** True when every row is clean and there is at least one: the import may be applied. */
  ready: boolean;
}

/** CRS names that mean WGS-84 longitude/latitude (the old GeoJSON 2008 `crs` member). */
const WGS84_NAMES = new Set([
  'urn:ogc:def:crs:ogc:1.3:crs84',
  'urn:ogc:def:crs:epsg::4326',
  'urn:ogc:def:crs:epsg:4326',
  'epsg:4326',
  'crs84',
]);

function crsIsWgs84(crs: unknown): boolean {
  if (crs === undefined || crs === null) return true;
  if (typeof crs !== 'object') return false;
  const name = (crs as { properties?: { name?: unknown } }).properties?.name;
  return typeof name === 'string' && WGS84_NAMES.has(name.trim().toLowerCase());
}

/** Drops a third (altitude) value from positions, as RFC 7946 allows files to carry one. */
function twoDimensional(geometry: Record<string, unknown>): unknown {
  const strip = (ring: unknown) =>
    Array.isArray(ring)
      ? ring.map((p) => (Array.isArray(p) && p.length === 3 ? [p[0], p[1]] : p))
      : ring;
  const { type, coordinates } = geometry;
  if (type === 'Polygon' && Array.isArray(coordinates))
    return { type, coordinates: coordinates.map(strip) };
  if (type === 'MultiPolygon' && Array.isArray(coordinates))
    return {
      type,
      coordinates: coordinates.map((poly) => (Array.isArray(poly) ? poly.map(strip) : poly)),
    };
  return { type, coordinates };
}

const text = (v: unknown) =>
  typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';

/** The same area with every position passed through `convert` (rounded to seven decimals). */
export function mapAreaPositions(area: GridArea, convert: (p: Position) => Position): GridArea {
  const ring = (r: Ring): Ring =>
    r.map((p) => {
      const [lng, lat] = convert(p);
      return [round(lng), round(lat)];
    });
  return area.type === 'Polygon'
    ? { type: 'Polygon', coordinates: area.coordinates.map(ring) }
    : { type: 'MultiPolygon', coordinates: area.coordinates.map((poly) => poly.map(ring)) };
}

/**
 * Checks a parsed GeoJSON file (a FeatureCollection, a Feature or a bare geometry) against the
 * workspace's grids. Each feature is matched to a grid by the first of its properties (see
 * `AREA_MATCH_PROPERTIES`, then `feature.id`) whose value is a grid's id or name; a bare
 * geometry, or a file with one feature and one grid chosen (`onlyGrid`), goes to that grid.
 * Only longitude/latitude is accepted: a `crs` member naming anything but WGS-84 refuses the
 * file, and projected coordinates fail the range check. GCJ-02 coordinates (exported from
 * Chinese map services) cannot be told apart from WGS-84 by their numbers, so the person
 * says which the file holds; `toWgs84` then converts every position. Nothing is written here.
 */
export function previewAreaImport(
  json: unknown,
  grids: readonly Grid[],
  existing: ReadonlySet<string> = new Set(),
  onlyGrid: string | null = null,
  toWgs84: ((p: Position) => Position) | null = null,
): AreaImportPreview {
  const fail = (fileProblem: AreaFileProblemCode): AreaImportPreview => ({
    rows: [],
    fileProblem,
    ready: false,
  });
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('not_geojson');
  const root = json as Record<string, unknown>;
  if (!crsIsWgs84(root.crs)) return fail('crs');
  let features: unknown[];
  if (root.type === 'FeatureCollection') {
    if (!Array.isArray(root.features)) return fail('not_geojson');
    features = root.features;
  } else if (root.type === 'Feature') features = [root];
  else if (typeof root.type === 'string' && 'coordinates' in root)
    features = [{ type: 'Feature', properties: {}, geometry: root }];
  else return fail('not_geojson');
  if (features.length === 0) return fail('empty');
  if (features.length > AREA_LIMITS.features) return fail('too_many');

  const byKey = new Map<string, Grid>();
  for (const grid of grids) byKey.set(grid.name.trim().toLowerCase(), grid);
  for (const grid of grids) byKey.set(grid.id.toLowerCase(), grid);
  const chosen = onlyGrid === null ? null : (grids.find((g) => g.id === onlyGrid) ?? null);
  const seen = new Map<string, number>();

  const rows = features.map((raw, index): AreaImportRow => {
    const row: AreaImportRow = {
      feature: index + 1,
      label: '',
      grid: null,
      area: null,
      vertices: 0,
      replaces: false,
      problem: null,
    };
    if (typeof raw !== 'object' || raw === null || (raw as { type?: unknown }).type !== 'Feature')
      return { ...row, problem: 'no_geometry' };
    const feature = raw as { properties?: unknown; id?: unknown; geometry?: unknown };
    const properties =
      typeof feature.properties === 'object' && feature.properties !== null
        ? (feature.properties as Record<string, unknown>)
        : {};
    const candidates = [
      ...AREA_MATCH_PROPERTIES.map((key) => text(properties[key])),
      text(feature.id),
    ].filter((v) => v.length > 0 && v.length <= 200);
    row.label = candidates[0] ?? '';
    const match = candidates.find((c) => byKey.has(c.toLowerCase()));
    if (match !== undefined) {
      row.label = match;
      row.grid = byKey.get(match.toLowerCase())!;
    } else if (chosen && features.length === 1) row.grid = chosen;

    const geometry = feature.geometry;
    if (typeof geometry !== 'object' || geometry === null)
      return { ...row, problem: 'no_geometry' };
    let area = twoDimensional(geometry as Record<string, unknown>);
    let problem = areaProblem(area);
    if (problem === null && toWgs84) {
      area = mapAreaPositions(area as GridArea, toWgs84);
      problem = areaProblem(area);
    }
    if (problem === null) {
      row.area = area as GridArea;
      row.vertices = areaVertexCount(row.area);
    }
    if (!row.grid) return { ...row, problem: candidates.length ? 'unknown_grid' : 'no_grid' };
    row.replaces = existing.has(row.grid.id);
    const earlier = seen.get(row.grid.id);
    seen.set(row.grid.id, row.feature);
    if (earlier !== undefined) return { ...row, problem: 'duplicate_grid' };
    return { ...row, problem };
  });
  return { rows, fileProblem: null, ready: rows.every((r) => r.problem === null) };
}
