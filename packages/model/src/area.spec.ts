import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  AREA_LIMITS,
  areaFromRings,
  areaProblem,
  areaVertexCount,
  previewAreaImport,
  type Position,
} from './area.ts';
import { documentSchemas } from './schema.ts';
import { WorkspaceDirectory } from './workspace.ts';

const square: Position[] = [
  [114.36, 30.55],
  [114.37, 30.55],
  [114.37, 30.56],
  [114.36, 30.56],
  [114.36, 30.55],
];
const polygon = { type: 'Polygon', coordinates: [square] };

/** A closed ring of `n` positions around a centre. */
function circle(n: number, lng = 114.36, lat = 30.55): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i < n - 1; i++) {
    const a = (i / (n - 1)) * 2 * Math.PI;
    ring.push([lng + 0.01 * Math.cos(a), lat + 0.01 * Math.sin(a)]);
  }
  ring.push([...ring[0]!]);
  return ring;
}

describe('areaProblem', () => {
  it('accepts polygons with holes and multipolygons', () => {
    expect(areaProblem(polygon)).toBeNull();
    expect(areaProblem({ type: 'Polygon', coordinates: [circle(50), circle(10)] })).toBeNull();
    expect(
      areaProblem({ type: 'MultiPolygon', coordinates: [[square], [circle(20, 114.4)]] }),
    ).toBeNull();
  });

  it.each([
    ['a point', { type: 'Point', coordinates: [114, 30] }, 'not_polygon'],
    ['a feature', { type: 'Feature', geometry: polygon }, 'not_polygon'],
    ['extra members', { ...polygon, bbox: [0, 0, 1, 1] }, 'not_polygon'],
    ['null', null, 'not_polygon'],
    ['a string position', { type: 'Polygon', coordinates: [[['114', 30]]] }, 'bad_coordinates'],
    [
      'NaN',
      { type: 'Polygon', coordinates: [[...square.slice(0, 4), [NaN, 30.55]]] },
      'bad_coordinates',
    ],
    [
      'Infinity',
      {
        type: 'Polygon',
        coordinates: [
          [
            [Infinity, 1],
            [1, 2],
            [2, 2],
            [Infinity, 1],
          ],
        ],
      },
      'bad_coordinates',
    ],
    [
      'an altitude',
      { type: 'Polygon', coordinates: [square.map(([x, y]) => [x, y, 10])] },
      'bad_coordinates',
    ],
    ['no rings', { type: 'Polygon', coordinates: [] }, 'bad_coordinates'],
    ['no polygons', { type: 'MultiPolygon', coordinates: [] }, 'bad_coordinates'],
    [
      'projected metres',
      { type: 'Polygon', coordinates: [square.map(([x, y]) => [x * 1e5, y * 1e5])] },
      'out_of_range',
    ],
    [
      'latitude over 90',
      { type: 'Polygon', coordinates: [square.map(([x, y]) => [y, x])] },
      'out_of_range',
    ],
    ['three positions', { type: 'Polygon', coordinates: [square.slice(1, 4)] }, 'ring_too_short'],
    ['an open ring', { type: 'Polygon', coordinates: [square.slice(0, 4)] }, 'ring_not_closed'],
    [
      'too many positions',
      { type: 'Polygon', coordinates: [circle(AREA_LIMITS.vertices + 1)] },
      'too_many_vertices',
    ],
    [
      'too many rings',
      { type: 'Polygon', coordinates: Array.from({ length: AREA_LIMITS.rings + 1 }, () => square) },
      'too_many_rings',
    ],
  ])('refuses %s', (_name, value, code) => {
    expect(areaProblem(value)).toBe(code);
  });

  it('counts every ring against the vertex limit', () => {
    const half = circle(AREA_LIMITS.vertices / 2);
    expect(areaProblem({ type: 'Polygon', coordinates: [half, half] })).toBeNull();
    expect(areaProblem({ type: 'MultiPolygon', coordinates: [[half], [half], [square]] })).toBe(
      'too_many_vertices',
    );
  });
});

describe('areaFromRings', () => {
  it('closes rings, drops repeats and altitudes, rounds to seven decimals', () => {
    const area = areaFromRings([
      [
        [
          [114.123456789, 30.5, 12],
          [114.2, 30.5],
          [114.2, 30.5],
          [114.2, 30.6],
        ],
      ],
    ]);
    expect(area).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [114.1234568, 30.5],
          [114.2, 30.5],
          [114.2, 30.6],
          [114.1234568, 30.5],
        ],
      ],
    });
    expect(areaProblem(area)).toBeNull();
    expect(areaVertexCount(area)).toBe(4);
  });

  it('makes a MultiPolygon of several polygons', () => {
    const area = areaFromRings([[square], [circle(8, 114.5)]]);
    expect(area.type).toBe('MultiPolygon');
    expect(areaProblem(area)).toBeNull();
  });
});

describe('the workspace schema', () => {
  const node = documentSchemas.workspace.areas!;
  it('declares areas as a map of grid id to a checked geometry', () => {
    expect(node.type).toBe('map');
    if (node.type !== 'map' || !node.anyKey || node.anyKey.node.type !== 'value') throw new Error();
    expect(node.anyKey.key('g1')).toBe(true);
    expect(node.anyKey.key('no spaces')).toBe(false);
    expect(node.anyKey.node.check(polygon)).toBe(true);
    expect(node.anyKey.node.check({ type: 'Polygon', coordinates: [square.slice(0, 4)] })).toBe(
      false,
    );
  });

  it('WorkspaceDirectory stores, lists and deletes areas', () => {
    const directory = new WorkspaceDirectory(new Y.Doc());
    directory.setAreas([
      ['g1', { type: 'Polygon', coordinates: [square] }],
      ['g2', { type: 'Polygon', coordinates: [circle(6)] }],
    ]);
    directory.deleteArea('g2');
    expect([...directory.listAreas().keys()]).toEqual(['g1']);
    expect(directory.listAreas().get('g1')).toEqual(polygon);
  });
});

describe('previewAreaImport', () => {
  it('converts every position when the file holds GCJ-02, and keeps rings closed', () => {
    const shift = ([lng, lat]: Position): Position => [lng - 0.0052, lat + 0.0025];
    const preview = previewAreaImport(
      {
        type: 'Feature',
        properties: { grid: 'g1' },
        geometry: { type: 'Polygon', coordinates: [square] },
      },
      [{ id: 'g1', name: 'One' }],
      new Set(),
      null,
      shift,
    );
    expect(preview.ready).toBe(true);
    const ring = (preview.rows[0]!.area as { coordinates: Position[][] }).coordinates[0]!;
    expect(ring[0]).toEqual([114.3548, 30.5525]);
    expect(ring[ring.length - 1]).toEqual(ring[0]);
  });

  const grids = [
    { id: 'g1', name: '第1网格' },
    { id: 'g2', name: 'Second grid' },
    { id: 'g3', name: 'Third' },
  ];
  const feature = (properties: Record<string, unknown>, geometry: unknown = polygon) => ({
    type: 'Feature',
    properties,
    geometry,
  });

  it('matches features by grid id or name (Chinese headings too) and maps them', () => {
    const preview = previewAreaImport(
      {
        type: 'FeatureCollection',
        features: [
          feature({ 网格: '第1网格', 人口: 1200 }),
          feature({ name: 'second GRID ' }),
          { ...feature({}), id: 'g3' },
        ],
      },
      grids,
      new Set(['g2']),
    );
    expect(preview.fileProblem).toBeNull();
    expect(preview.ready).toBe(true);
    expect(preview.rows.map((r) => [r.feature, r.grid?.id, r.replaces, r.vertices])).toEqual([
      [1, 'g1', false, 5],
      [2, 'g2', true, 5],
      [3, 'g3', false, 5],
    ]);
  });

  it('names each feature problem and is not ready while any remains', () => {
    const preview = previewAreaImport(
      {
        type: 'FeatureCollection',
        features: [
          feature({ name: 'Nowhere' }),
          feature({ name: 'g1' }, { type: 'LineString', coordinates: square }),
          feature({ name: 'g2' }, { type: 'Polygon', coordinates: [circle(6000)] }),
          feature(
            { name: 'g3' },
            { type: 'Polygon', coordinates: [square.map(([x, y]) => [x * 1e5, y * 1e5])] },
          ),
          feature({ grid: 'g3' }),
          feature({ population: 3 }),
          { type: 'Feature', properties: { id: 'g1' }, geometry: null },
          'junk',
        ],
      },
      grids,
    );
    expect(preview.ready).toBe(false);
    expect(preview.rows.map((r) => [r.feature, r.label, r.problem])).toEqual([
      [1, 'Nowhere', 'unknown_grid'],
      [2, 'g1', 'not_polygon'],
      [3, 'g2', 'too_many_vertices'],
      [4, 'g3', 'out_of_range'],
      [5, 'g3', 'duplicate_grid'],
      [6, '', 'no_grid'],
      [7, 'g1', 'no_geometry'],
      [8, '', 'no_geometry'],
    ]);
  });

  it('accepts a single feature or a bare geometry for the grid chosen, with altitudes', () => {
    const bare = { type: 'Polygon', coordinates: [square.map(([x, y]) => [x, y, 30])] };
    const preview = previewAreaImport(bare, grids, new Set(), 'g3');
    expect(preview.ready).toBe(true);
    expect(preview.rows[0]!.grid?.id).toBe('g3');
    expect(preview.rows[0]!.area).toEqual(polygon);
    expect(previewAreaImport(bare, grids).rows[0]!.problem).toBe('no_grid');
  });

  it('refuses whole files: not GeoJSON, another CRS, empty, too many features', () => {
    expect(previewAreaImport([1, 2], grids).fileProblem).toBe('not_geojson');
    expect(previewAreaImport({ type: 'Topology' }, grids).fileProblem).toBe('not_geojson');
    expect(
      previewAreaImport(
        {
          type: 'FeatureCollection',
          crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3857' } },
          features: [feature({ name: 'g1' })],
        },
        grids,
      ).fileProblem,
    ).toBe('crs');
    expect(
      previewAreaImport(
        {
          type: 'FeatureCollection',
          crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } },
          features: [feature({ name: 'g1' })],
        },
        grids,
      ).ready,
    ).toBe(true);
    expect(previewAreaImport({ type: 'FeatureCollection', features: [] }, grids).fileProblem).toBe(
      'empty',
    );
    const many = Array.from({ length: AREA_LIMITS.features + 1 }, () => feature({ name: 'g1' }));
    expect(
      previewAreaImport({ type: 'FeatureCollection', features: many }, grids).fileProblem,
    ).toBe('too_many');
  });
});
