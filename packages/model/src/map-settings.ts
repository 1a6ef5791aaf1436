import type * as Y from 'yjs';
// A cycle (schema.ts checks `map` with isMapSettings): both sides only call each other later.
import { isRecord, isString, oneOf } from './schema.ts';

/** Coordinate system of a tile source: phones report WGS-84; maps of China often use GCJ-02. */
export const TILE_CRS = ['wgs84', 'gcj02'] as const;
export type TileCrs = (typeof TILE_CRS)[number];

/**
 * The workspace's map tiles (workspace meta `map`). Positions are always stored in WGS-84; with
 * `crs: 'gcj02'` the map converts them for display and converts dragged pins back.
 */
export interface MapSettings {
  /** Leaflet URL template: `{z}`, `{x}` and `{y}`, optionally `{s}` and `{r}`. */
  url: string;
  /** Plain text shown in the map's corner (never HTML). */
  attribution: string;
  crs: TileCrs;
  /** Letters or digits that `{s}` takes turns through; empty when the URL has no `{s}`. */
  subdomains: string;
  /** The deepest zoom level the tile server has. */
  maxZoom: number;
}

export const MAP_LIMITS = { urlLength: 500, attributionLength: 200, subdomainsLength: 8 } as const;

/** OpenStreetMap's standard tiles: reachable worldwide, WGS-84. */
export const DEFAULT_MAP_SETTINGS: MapSettings = {
  url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
  attribution: '© OpenStreetMap contributors',
  crs: 'wgs84',
  subdomains: '',
  maxZoom: 19,
};

export type TileUrlProblem =
  | 'empty'
  | 'tooLong'
  | 'scheme'
  | 'characters'
  | 'placeholders'
  | 'unknownPlaceholder'
  | 'subdomains';

const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN_PLACEHOLDERS = new Set(['z', 'x', 'y', 's', 'r']);

/**
 * What is wrong with a tile URL template, or null. Only http(s) addresses (a LAN tile server is
 * fine); no spaces, quotes or angle brackets; `{z}`, `{x}` and `{y}` required; `{s}` only with
 * subdomains to take turns through.
 */
export function tileUrlProblem(url: string, subdomains = ''): TileUrlProblem | null {
  if (url.length === 0) return 'empty';
  if (url.length > MAP_LIMITS.urlLength) return 'tooLong';
  if (!/^https?:\/\/[^/?#]+/i.test(url)) return 'scheme';
  if (/[\s"'<>\\`]/.test(url)) return 'characters';
  const names = [...url.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  if (names.some((name) => !KNOWN_PLACEHOLDERS.has(name))) return 'unknownPlaceholder';
  if (!['z', 'x', 'y'].every((name) => names.includes(name))) return 'placeholders';
  if (names.includes('s') !== subdomains.length > 0) return 'subdomains';
  return null;
}

export function isMapSettings(v: unknown): v is MapSettings {
  return (
    isRecord(v, {
      url: isString(MAP_LIMITS.urlLength, 1),
      attribution: isString(MAP_LIMITS.attributionLength),
      crs: oneOf(TILE_CRS),
      subdomains: (x) => typeof x === 'string' && /^[A-Za-z0-9]{0,8}$/.test(x),
      maxZoom: (x) => Number.isInteger(x) && (x as number) >= 1 && (x as number) <= 22,
    }) && tileUrlProblem((v as MapSettings).url, (v as MapSettings).subdomains) === null
  );
}

/** The workspace's map tiles (workspace meta `map`), the default where unset. */
export function readMapSettings(workspaceMeta: Y.Map<unknown>): MapSettings {
  const value = workspaceMeta.get('map');
  return isMapSettings(value) ? { ...value } : { ...DEFAULT_MAP_SETTINGS };
}
