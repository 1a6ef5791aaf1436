import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  DEFAULT_MAP_SETTINGS,
  isMapSettings,
  readMapSettings,
  tileUrlProblem,
  type MapSettings,
} from './map-settings.ts';
import { documentSchemas } from './schema.ts';

const GAODE: MapSettings = {
  url: 'https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}',
  attribution: '© 高德地图',
  crs: 'gcj02',
  subdomains: '1234',
  maxZoom: 18,
};

describe('tile URL templates', () => {
  it('accepts public and LAN tile servers', () => {
    expect(tileUrlProblem(DEFAULT_MAP_SETTINGS.url)).toBeNull();
    expect(tileUrlProblem(GAODE.url, GAODE.subdomains)).toBeNull();
    expect(tileUrlProblem('http://192.168.1.20:8080/tiles/{z}/{x}/{y}{r}.png')).toBeNull();
  });

  it('names what is wrong', () => {
    expect(tileUrlProblem('')).toBe('empty');
    expect(tileUrlProblem(`https://t.example/${'a'.repeat(500)}/{z}/{x}/{y}`)).toBe('tooLong');
    expect(tileUrlProblem('javascript:alert(1)//{z}/{x}/{y}')).toBe('scheme');
    expect(tileUrlProblem('file:///tiles/{z}/{x}/{y}.png')).toBe('scheme');
    expect(tileUrlProblem('https://t.example/{z}/{x}/{y}.png" onerror="x')).toBe('characters');
    expect(tileUrlProblem('https://t.example/{z}/{x}.png')).toBe('placeholders');
    expect(tileUrlProblem('https://t.example/{z}/{x}/{y}/{token}.png')).toBe('unknownPlaceholder');
    expect(tileUrlProblem('https://{s}.t.example/{z}/{x}/{y}.png')).toBe('subdomains');
    expect(tileUrlProblem('https://t.example/{z}/{x}/{y}.png', 'abc')).toBe('subdomains');
  });
});

describe('map settings', () => {
  it('accepts whole, valid settings only', () => {
    expect(isMapSettings(DEFAULT_MAP_SETTINGS)).toBe(true);
    expect(isMapSettings(GAODE)).toBe(true);
    expect(isMapSettings({ ...GAODE, crs: 'bd09' })).toBe(false);
    expect(isMapSettings({ ...GAODE, maxZoom: 30 })).toBe(false);
    expect(isMapSettings({ ...GAODE, maxZoom: 12.5 })).toBe(false);
    expect(isMapSettings({ ...GAODE, subdomains: 'a-b' })).toBe(false);
    expect(isMapSettings({ ...GAODE, attribution: 'x'.repeat(201) })).toBe(false);
    expect(isMapSettings({ ...GAODE, extra: true })).toBe(false);
    const { maxZoom: _dropped, ...partial } = GAODE;
    expect(isMapSettings(partial)).toBe(false);
  });

  it('reads the default until the workspace sets its own', () => {
    const doc = new Y.Doc();
    const meta = doc.getMap<unknown>('meta');
    expect(readMapSettings(meta)).toEqual(DEFAULT_MAP_SETTINGS);
    meta.set('map', GAODE);
    expect(readMapSettings(meta)).toEqual(GAODE);
    // Bad data (written before a rule existed) falls back rather than breaking the map.
    meta.set('map', { url: 'nope' });
    expect(readMapSettings(meta)).toEqual(DEFAULT_MAP_SETTINGS);
  });

  it('is what the server checks in the workspace document', () => {
    const meta = documentSchemas.workspace.meta!;
    expect(meta.type).toBe('map');
    const node = meta.type === 'map' ? meta.keys?.map : undefined;
    expect(node?.type === 'value' && node.check(GAODE)).toBe(true);
    expect(node?.type === 'value' && node.check({ ...GAODE, url: 'ftp://x/{z}/{x}/{y}' })).toBe(
      false,
    );
    const zone = meta.type === 'map' ? meta.keys?.timeZone : undefined;
    expect(zone?.type === 'value' && zone.check('Asia/Shanghai')).toBe(true);
    expect(zone?.type === 'value' && zone.check('Mars/Olympus_Mons')).toBe(false);
  });
});
