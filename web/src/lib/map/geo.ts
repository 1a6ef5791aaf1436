import gcoord from 'gcoord';
import type { LatLng, TileCrs } from '@outpost/model';

export type { TileCrs };

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

/** A GeoJSON `[lng, lat]` position in `crs`, as WGS-84 (an imported file's outline). */
export function fromDisplayPosition(
  position: readonly [number, number],
  crs: TileCrs,
): [number, number] {
  const { lat, lng } = fromDisplay({ lat: position[1], lng: position[0] }, crs);
  return [lng, lat];
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

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Plain text made safe for the places Leaflet writes as HTML (attribution, tooltips). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}
