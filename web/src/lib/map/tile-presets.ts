import { DEFAULT_MAP_SETTINGS, type MapSettings } from '@outpost/model';

export type TilePresetId = 'osm' | 'amap' | 'custom';

/** Tile sources a workspace can pick by name; anything else is "custom". */
export const TILE_PRESETS: readonly {
  id: Exclude<TilePresetId, 'custom'>;
  settings: MapSettings;
}[] = [
  { id: 'osm', settings: DEFAULT_MAP_SETTINGS },
  {
    // AutoNavi (高德) street map: Chinese labels, GCJ-02 like every licensed map of China.
    id: 'amap',
    settings: {
      url: 'https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}',
      attribution: '© 高德地图 AutoNavi',
      crs: 'gcj02',
      subdomains: '1234',
      maxZoom: 18,
    },
  },
];

export function presetOf(settings: MapSettings): TilePresetId {
  const match = TILE_PRESETS.find((p) => JSON.stringify(p.settings) === JSON.stringify(settings));
  return match?.id ?? 'custom';
}

/** The tile (x, y) at `zoom` that holds a WGS-84 position (Web Mercator, as Leaflet counts). */
export function tileAt(lat: number, lng: number, zoom: number): { x: number; y: number } {
  const n = 2 ** zoom;
  const rad = (lat * Math.PI) / 180;
  const x = Math.floor(((lng + 180) / 360) * n);
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return { x: Math.min(n - 1, Math.max(0, x)), y: Math.min(n - 1, Math.max(0, y)) };
}

/** The address of one tile, as Leaflet would fill in the template. */
export function tileUrl(settings: MapSettings, zoom: number, x: number, y: number): string {
  const values: Record<string, string> = {
    z: String(zoom),
    x: String(x),
    y: String(y),
    s: settings.subdomains.charAt(0),
    r: '',
  };
  return settings.url.replace(/\{([zxysr])\}/g, (_m, name: string) => values[name]!);
}

/** How long a test tile may take before the source is called unreachable. */
const PROBE_MS = 8_000;

/**
 * Loads one tile (around Wuhan at zoom 10, or `at`) the way the map would: true when it
 * arrives. A settings form's "Test" button, so an admin sees a wrong address before saving.
 */
export function probeTiles(
  settings: MapSettings,
  at: { lat: number; lng: number } = { lat: 30.55, lng: 114.35 },
): Promise<boolean> {
  const zoom = Math.min(10, settings.maxZoom);
  const { x, y } = tileAt(at.lat, at.lng, zoom);
  return new Promise((done) => {
    const image = new Image();
    image.referrerPolicy = 'strict-origin-when-cross-origin';
    const timer = setTimeout(() => finish(false), PROBE_MS);
    function finish(ok: boolean) {
      clearTimeout(timer);
      image.onload = image.onerror = null;
      image.src = '';
      done(ok);
    }
    image.onload = () => finish(true);
    image.onerror = () => finish(false);
    image.src = tileUrl(settings, zoom, x, y);
  });
}
