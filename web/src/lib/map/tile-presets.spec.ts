import { describe, expect, it } from 'vitest';
import { DEFAULT_MAP_SETTINGS, isMapSettings } from '@outpost/model';
import { TILE_PRESETS, presetOf, tileAt, tileUrl } from './tile-presets.ts';

describe('tile presets', () => {
  it('are valid settings the server accepts, and are recognised again', () => {
    for (const preset of TILE_PRESETS) {
      expect(isMapSettings(preset.settings)).toBe(true);
      expect(presetOf({ ...preset.settings })).toBe(preset.id);
    }
    expect(presetOf({ ...DEFAULT_MAP_SETTINGS, maxZoom: 17 })).toBe('custom');
  });

  it('finds the tile that holds a position, as Leaflet counts tiles', () => {
    // Zoom 0 is one tile; at zoom 1 the north-west quarter is (0, 0).
    expect(tileAt(30.55, 114.35, 0)).toEqual({ x: 0, y: 0 });
    expect(tileAt(45, -90, 1)).toEqual({ x: 0, y: 0 });
    expect(tileAt(-45, 90, 1)).toEqual({ x: 1, y: 1 });
    // Wuhan at zoom 10: y = (1 - ln(tan φ + sec φ) / π) / 2 · 1024 = 420.7.
    expect(tileAt(30.55, 114.35, 10)).toEqual({ x: 837, y: 420 });
  });

  it('fills in a template with the first subdomain', () => {
    const amap = TILE_PRESETS.find((p) => p.id === 'amap')!.settings;
    expect(tileUrl(amap, 10, 837, 420)).toBe(
      'https://webrd01.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x=837&y=420&z=10',
    );
    expect(tileUrl(DEFAULT_MAP_SETTINGS, 3, 6, 3)).toBe('https://tile.openstreetmap.org/3/6/3.png');
  });
});
