import type * as Y from 'yjs';

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
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  if (keys.length !== 5) return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s.url === 'string' &&
    typeof s.subdomains === 'string' &&
    /^[A-Za-z0-9]{0,8}$/.test(s.subdomains) &&
    tileUrlProblem(s.url, s.subdomains) === null &&
    typeof s.attribution === 'string' &&
    s.attribution.length <= MAP_LIMITS.attributionLength &&
    typeof s.crs === 'string' &&
    (TILE_CRS as readonly string[]).includes(s.crs) &&
    typeof s.maxZoom === 'number' &&
    Number.isInteger(s.maxZoom) &&
    s.maxZoom >= 1 &&
    s.maxZoom <= 22
  );
}

/** The workspace's map tiles (workspace meta `map`), the default where unset. */
export function readMapSettings(workspaceMeta: Y.Map<unknown>): MapSettings {
  const value = workspaceMeta.get('map');
  return isMapSettings(value) ? { ...value } : { ...DEFAULT_MAP_SETTINGS };
}
