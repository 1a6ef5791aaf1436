import { describe, expect, it } from 'vitest';
import type { MapPin } from '@outpost/model';
import { escapeHtml, fromDisplay, toDisplay } from './geo.ts';
import { canMovePin, inFilter, isOverduePin, pinsInView } from './pins.ts';

const pin = (key: string, over: Partial<MapPin> = {}): MapPin => ({
  key,
  id: key,
  boardId: 'b',
  grid: 'g1',
  title: key,
  status: 'todo',
  kind: 'other',
  priority: 'normal',
  lat: 30.55,
  lng: 114.37,
  due: null,
  ...over,
});

describe('map pins', () => {
  it('lists pins in view, overdue first, and counts the rest', () => {
    const pins = [
      pin('b-done', { status: 'done' }),
      pin('a-todo'),
      pin('c-late', { due: 1000 }),
      pin('far', { lat: 10 }),
    ];
    const bounds = { south: 30, west: 114, north: 31, east: 115 };
    const { shown, total } = pinsInView(pins, bounds, 5000, 2);
    expect(total).toBe(3);
    expect(shown.map((p) => p.key)).toEqual(['c-late', 'a-todo']);
    expect(isOverduePin(pin('x', { due: 1000, status: 'done' }), 5000)).toBe(false);
  });

  it('filters by grid, null meaning no grid', () => {
    expect(inFilter('g1', null)).toBe(true);
    expect(inFilter(null, new Set([null]))).toBe(true);
    expect(inFilter('g2', new Set(['g1']))).toBe(false);
  });

  it('lets only task editors in scope move pins', () => {
    expect(canMovePin({ role: 'leader', grids: null }, { id: 'b', name: 'B', grid: 'g1' })).toBe(
      true,
    );
    expect(canMovePin({ role: 'worker', grids: ['g1'] }, { id: 'b', name: 'B', grid: 'g1' })).toBe(
      false,
    );
    expect(
      canMovePin({ role: 'supervisor', grids: ['g1'] }, { id: 'b', name: 'B', grid: 'g2' }),
    ).toBe(false);
    expect(canMovePin({ role: 'leader', grids: null }, null)).toBe(false);
  });

  it('converts GCJ-02 for display and back to WGS-84 within a metre', () => {
    const wgs = { lat: 30.5535, lng: 114.3665 };
    const shown = toDisplay(wgs, 'gcj02');
    // GCJ-02 shifts Wuhan by a few hundred metres.
    expect(Math.abs(shown.lat - wgs.lat) + Math.abs(shown.lng - wgs.lng)).toBeGreaterThan(0.002);
    const back = fromDisplay(shown, 'gcj02');
    expect(Math.abs(back.lat - wgs.lat)).toBeLessThan(1e-5);
    expect(Math.abs(back.lng - wgs.lng)).toBeLessThan(1e-5);
    expect(toDisplay(wgs, 'wgs84')).toBe(wgs);
  });

  it('writes a tile attribution as text, never as markup', () => {
    expect(escapeHtml('© 高德 <img src=x onerror="alert(1)"> & \'co\'')).toBe(
      '© 高德 &lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;co&#39;',
    );
  });
});
