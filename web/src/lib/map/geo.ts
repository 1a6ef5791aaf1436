import gcoord from 'gcoord';
import type { LatLng } from '@outpost/model';

/** Coordinate system of a tile source: phones report WGS-84; maps of China often use GCJ-02. */
export type TileCrs = 'wgs84' | 'gcj02';

export interface TileSource {
  /** Leaflet URL template (`{z}/{x}/{y}`, optional `{s}`). */
  url: string;
  attribution: string;
  crs: TileCrs;
}

/** The default: OpenStreetMap's standard tiles (WGS-84). */
export const DEFAULT_TILES: TileSource = {
  url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
  attribution: '&copy; OpenStreetMap contributors',
  crs: 'wgs84',
};

/** A stored (WGS-84) position as it must be drawn on tiles of `crs`. */
export function toDisplay(position: LatLng, crs: TileCrs): LatLng {
  if (crs === 'wgs84') return position;
  const [lng, lat] = gcoord.transform([position.lng, position.lat], gcoord.WGS84, gcoord.GCJ02);
  return { lat: lat!, lng: lng! };
}

/** A position picked on tiles of `crs` (a dragged pin), as it must be stored (WGS-84). */
export function fromDisplay(position: LatLng, crs: TileCrs): LatLng {
  if (crs === 'wgs84') return position;
  const [lng, lat] = gcoord.transform([position.lng, position.lat], gcoord.GCJ02, gcoord.WGS84);
  return { lat: round(lat!), lng: round(lng!) };
}

/** Seven decimals: about a centimetre, more than any phone reports. */
function round(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}

export interface Bounds {
  south: number;
  west: number;
  north: number;
  east: number;
}

export function contains(bounds: Bounds, position: LatLng): boolean {
  return (
    position.lat >= bounds.south &&
    position.lat <= bounds.north &&
    position.lng >= bounds.west &&
    position.lng <= bounds.east
  );
}
