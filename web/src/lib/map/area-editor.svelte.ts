import type * as Leaflet from 'leaflet';
import {
  areaFromRings,
  areaProblem,
  type AreaProblemCode,
  type GridArea,
  type WorkspaceDirectory,
} from '@outpost/model';
import type { AreaLayer } from './area-layer.ts';
import { fromDisplay, type TileCrs } from './geo.ts';

export type EditorMode = 'idle' | 'drawing' | 'editing';

/** What the map hands the editor once it has started. */
export interface EditorMap {
  L: typeof Leaflet;
  map: Leaflet.Map;
  areas: AreaLayer;
  /** The tiles' coordinate system (the drawing is converted back to WGS-84). */
  crs: () => TileCrs;
}

/** Leaflet lat/lngs of a polygon as polygons of rings (a Polygon gives one, a multi several). */
function polygonsOf(latlngs: unknown): Leaflet.LatLng[][][] {
  const depth = (v: unknown): number => (Array.isArray(v) ? 1 + depth(v[0]) : 0);
  const d = depth(latlngs);
  if (d === 1) return [[latlngs as Leaflet.LatLng[]]];
  if (d === 2) return [latlngs as Leaflet.LatLng[][]];
  return latlngs as Leaflet.LatLng[][][];
}

/**
 * Drawing and editing grid areas on the live map (administrators), with leaflet-geoman. The
 * result of a drawing or an edit is converted back to WGS-84, checked like the server checks
 * it, and written to the workspace directory in one go when the person finishes, so others
 * see each finished outline (not every dragged vertex) and a cancelled edit writes nothing.
 */
export class AreaEditor {
  mode = $state<EditorMode>('idle');
  /** The grid being drawn or edited. */
  grid = $state<string | null>(null);
  /** Why the last drawing or edit was not saved. */
  problem = $state<AreaProblemCode | null>(null);
  ready = $state(false);
  /** The last outline written (a new object each time), for the panel to say so. */
  saved = $state.raw<{ grid: string } | null>(null);

  private target: EditorMap | null = null;
  private drawn: ((e: { layer: Leaflet.Layer }) => void) | null = null;

  constructor(
    private readonly directory: WorkspaceDirectory,
    private readonly locale: () => string,
  ) {}

  /** Called by the map once it has started (with leaflet-geoman loaded). */
  attach(target: EditorMap): void {
    // A new map (the tiles' coordinate system changed): whatever was going on ended with the old one.
    this.drawn = null;
    this.mode = 'idle';
    this.grid = null;
    this.target = target;
    target.map.pm?.setLang(this.locale().startsWith('zh') ? 'zh' : 'en');
    this.ready = !!target.map.pm;
  }

  /** Draws a new outline for `grid` (replacing its area when finished). */
  draw(grid: string): void {
    const target = this.target;
    if (!target?.map.pm) return;
    this.stop();
    this.problem = null;
    this.grid = grid;
    this.mode = 'drawing';
    this.busy(true);
    this.drawn = ({ layer }) => {
      const polygon = layer as Leaflet.Polygon;
      const area = this.toArea(polygon.getLatLngs());
      polygon.remove();
      target.map.pm.disableDraw();
      this.detach();
      this.save(grid, area);
    };
    target.map.on('pm:create', this.drawn);
    target.map.pm.enableDraw('Polygon', {
      allowSelfIntersection: false,
      snappable: true,
      continueDrawing: false,
    } as Parameters<typeof target.map.pm.enableDraw>[1]);
  }

  /** Moves, adds or removes vertices of the grid's outline until `finish` or `cancel`. */
  edit(grid: string): void {
    const target = this.target;
    const polygon = target?.areas.polygon(grid);
    if (!target || !polygon?.pm) return;
    this.stop();
    this.problem = null;
    this.grid = grid;
    this.mode = 'editing';
    this.busy(true);
    target.areas.hold(grid);
    polygon.pm.enable({ allowSelfIntersection: false, snappable: true });
  }

  /** Saves the outline being edited. */
  finish(): void {
    const target = this.target;
    const grid = this.grid;
    if (this.mode !== 'editing' || !target || !grid) return;
    const polygon = target.areas.polygon(grid);
    polygon?.pm?.disable();
    target.areas.hold(null);
    this.busy(false);
    this.mode = 'idle';
    if (polygon) this.save(grid, this.toArea(polygon.getLatLngs()));
    else this.grid = null;
  }

  /** Leaves drawing or editing without writing anything. */
  cancel(): void {
    this.stop();
    this.grid = null;
    this.problem = null;
  }

  remove(grid: string): void {
    this.cancel();
    this.directory.deleteArea(grid);
  }

  /** Writes areas from an import, all in one transaction. */
  apply(areas: [grid: string, area: GridArea][]): void {
    this.cancel();
    this.directory.setAreas(areas);
  }

  destroy(): void {
    this.stop();
    this.target = null;
  }

  private save(grid: string, area: GridArea): void {
    const problem = areaProblem(area);
    this.mode = 'idle';
    this.busy(false);
    if (problem) {
      this.problem = problem;
      this.target?.areas.reset(grid);
      return;
    }
    this.directory.setArea(grid, area);
    this.grid = null;
    this.saved = { grid };
  }

  /** Ends whatever is going on, putting an edited polygon back as stored. */
  private stop(): void {
    const target = this.target;
    if (!target?.map.pm) return;
    if (this.mode === 'drawing') target.map.pm.disableDraw();
    if (this.mode === 'editing' && this.grid) {
      target.areas.polygon(this.grid)?.pm?.disable();
      target.areas.hold(null);
      target.areas.reset(this.grid);
    }
    this.detach();
    this.busy(false);
    this.mode = 'idle';
  }

  /**
   * While drawing or editing, clicks place corners: areas do not choose a grid, and pins let
   * clicks through (a corner can go where a pin is), by a class on the map (see live-map).
   */
  private busy(on: boolean): void {
    if (!this.target) return;
    this.target.areas.quiet = on;
    this.target.map.getContainer().classList.toggle('areas-editing', on);
  }

  private detach(): void {
    if (this.drawn) this.target?.map.off('pm:create', this.drawn);
    this.drawn = null;
  }

  private toArea(latlngs: unknown): GridArea {
    const crs = this.target?.crs() ?? 'wgs84';
    return areaFromRings(
      polygonsOf(latlngs).map((polygon) =>
        polygon.map((ring) =>
          ring.map((p) => {
            const w = fromDisplay({ lat: p.lat, lng: p.lng }, crs);
            return [w.lng, w.lat];
          }),
        ),
      ),
    );
  }
}
