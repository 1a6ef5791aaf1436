import type * as Leaflet from 'leaflet';
import { areaPolygons, type GridArea } from '@outpost/model';
import type { AreaShape } from './area-shade.ts';
import { toDisplay, type TileCrs } from './geo.ts';

export interface AreaLayerOptions {
  crs: () => TileCrs;
  /** Accessible name and tooltip of an area ("name · 3 overdue"). */
  label: (shape: AreaShape) => string;
  /** An area was clicked (the page filters to its grid). */
  onselect?: (grid: string) => void;
}

interface Entry {
  polygon: Leaflet.Polygon;
  shape: AreaShape;
  crs: TileCrs;
  label: string;
}

const LABEL_PANE = 'outpost-area-labels';

/** Below this zoom the grid names are hidden: a district's few hundred labels would overlap. */
export const LABEL_MIN_ZOOM = 14;

/** Leaflet lat/lng rings of an area (open rings: Leaflet closes them), for tiles of `crs`. */
export function displayRings(area: GridArea, crs: TileCrs): Leaflet.LatLngExpression[][][] {
  return areaPolygons(area).map((polygon) =>
    polygon.map((ring) =>
      ring.slice(0, -1).map(([lng, lat]) => {
        const p = toDisplay({ lat, lng }, crs);
        return [p.lat, p.lng] as [number, number];
      }),
    ),
  );
}

/**
 * Grid areas on a Leaflet map, as SVG polygons in a pane below the pins, each filled by its
 * shade and named by a label at its centre. Kept in step with a list of shapes by grid id:
 * a new colour restyles a polygon; only a new geometry (or tile CRS) rebuilds it.
 */
export class AreaLayer {
  private readonly entries = new Map<string, Entry>();
  private readonly pane = 'outpost-areas';
  /** A grid whose polygon someone is editing: remote geometry waits until they finish. */
  private held: string | null = null;
  /** While drawing or editing, a click on an area is a corner, not a choice of grid. */
  quiet = false;

  constructor(
    private readonly L: typeof Leaflet,
    private readonly map: Leaflet.Map,
    private readonly options: AreaLayerOptions,
  ) {
    const pane = map.createPane(this.pane);
    // Above the tiles (200), below Leaflet's overlays (400) and the pins (600).
    pane.style.zIndex = '350';
    // Grid names go under the pins too (a name must never hide a pin), above the areas.
    const labels = map.createPane(LABEL_PANE);
    labels.style.zIndex = '450';
    labels.style.pointerEvents = 'none';
    const zoomed = () =>
      map.getContainer().classList.toggle('areas-far', map.getZoom() < LABEL_MIN_ZOOM);
    map.on('zoomend', zoomed);
    zoomed();
  }

  sync(shapes: readonly AreaShape[]): void {
    const crs = this.options.crs();
    const seen = new Set<string>();
    for (const shape of shapes) {
      seen.add(shape.grid);
      const entry = this.entries.get(shape.grid);
      const label = this.options.label(shape);
      if (!entry) {
        this.entries.set(shape.grid, this.create(shape, crs, label));
        continue;
      }
      if (entry.shape === shape && entry.crs === crs && entry.label === label) continue;
      if ((entry.shape.area !== shape.area || entry.crs !== crs) && this.held !== shape.grid) {
        entry.polygon.setLatLngs(displayRings(shape.area, crs));
        entry.crs = crs;
        entry.polygon.getTooltip()?.setLatLng(entry.polygon.getCenter());
      }
      if (entry.shape.colour !== shape.colour) entry.polygon.setStyle(this.style(shape));
      if (entry.label !== label) {
        entry.polygon.setTooltipContent(shape.name);
        this.describe(entry.polygon, shape, label);
      }
      entry.shape = shape;
      entry.label = label;
    }
    for (const [grid, entry] of this.entries) {
      if (seen.has(grid) || grid === this.held) continue;
      entry.polygon.remove();
      this.entries.delete(grid);
    }
  }

  /** The polygon of a grid's area (for the editor). */
  polygon(grid: string): Leaflet.Polygon | null {
    return this.entries.get(grid)?.polygon ?? null;
  }

  /** Keeps a grid's polygon as it is (someone is editing it) until `hold(null)`. */
  hold(grid: string | null): void {
    this.held = grid;
  }

  /** Puts a grid's polygon back as stored (after a cancelled or refused edit). */
  reset(grid: string): void {
    const entry = this.entries.get(grid);
    if (!entry) return;
    entry.crs = this.options.crs();
    entry.polygon.setLatLngs(displayRings(entry.shape.area, entry.crs));
  }

  /** The bounds of every area drawn, or null when there is none. */
  bounds(): Leaflet.LatLngBounds | null {
    let bounds: Leaflet.LatLngBounds | null = null;
    for (const { polygon } of this.entries.values()) {
      const b = polygon.getBounds();
      bounds = bounds ? bounds.extend(b) : this.L.latLngBounds(b.getSouthWest(), b.getNorthEast());
    }
    return bounds;
  }

  private create(shape: AreaShape, crs: TileCrs, label: string): Entry {
    const polygon = this.L.polygon(displayRings(shape.area, crs), {
      ...this.style(shape),
      pane: this.pane,
      className: 'grid-area',
      // leaflet-geoman (loaded for administrators, opt-in) may edit these and nothing else.
      pmIgnore: false,
    } as Leaflet.PolylineOptions);
    polygon.bindTooltip(shape.name, {
      permanent: true,
      direction: 'center',
      className: 'area-label',
      interactive: false,
      pane: LABEL_PANE,
    });
    // Clicks also reach the map (the drawing tools place corners over existing areas).
    polygon.on('click', () => {
      if (!this.quiet) this.options.onselect?.(shape.grid);
    });
    polygon.addTo(this.map);
    this.describe(polygon, shape, label);
    return { polygon, shape, crs, label };
  }

  private describe(polygon: Leaflet.Polygon, shape: AreaShape, label: string): void {
    const element = polygon.getElement();
    if (!element) return;
    element.setAttribute('role', 'img');
    element.setAttribute('aria-label', label);
    element.setAttribute('data-grid', shape.grid);
  }

  private style(shape: AreaShape): Leaflet.PathOptions {
    return {
      color: '#334155',
      weight: 2,
      opacity: 0.9,
      fillColor: shape.colour ?? '#94a3b8',
      fillOpacity: shape.colour ? 0.45 : 0.08,
    };
  }
}
