import type * as Leaflet from 'leaflet';
import type { CheckpointPin, LatLng, MapPin } from '@outpost/model';
import { fromDisplay, toDisplay, type TileCrs } from './geo.ts';

/** What a pin's popup says: built by the page (it knows the words), drawn by the map. */
export interface PinCard {
  title: string;
  lines: string[];
  /** Where "open" leads; none for things without a page. */
  href?: string;
  linkText?: string;
}

export interface PinLayerOptions {
  /** Accessible name of a task pin. */
  label: (pin: MapPin) => string;
  card: (pin: MapPin) => PinCard;
  checkpointLabel: (checkpoint: CheckpointPin) => string;
  checkpointCard: (checkpoint: CheckpointPin) => PinCard;
  canDrag: (pin: MapPin) => boolean;
  /** A pin was dragged to `position` (WGS-84); resolves false to put it back. */
  onmove?: (pin: MapPin, position: LatLng) => Promise<boolean>;
  crs: () => TileCrs;
}

type Item = MapPin | CheckpointPin;

interface Entry {
  marker: Leaflet.Marker;
  item: Item;
  look: string;
}

const isCheckpoint = (item: Item): item is CheckpointPin => 'state' in item;

/**
 * Task and checkpoint pins on a Leaflet map, clustered (leaflet.markercluster), kept in step
 * with lists of pins by key: only pins that changed are touched, and additions and removals
 * go in batches, so thousands of pins stay smooth and a live change costs one marker.
 */
export class PinLayer {
  readonly cluster: Leaflet.MarkerClusterGroup;
  private readonly markers = new Map<string, Entry>();
  private readonly icons = new Map<string, Leaflet.DivIcon>();

  constructor(
    private readonly L: typeof Leaflet,
    private readonly map: Leaflet.Map,
    private readonly options: PinLayerOptions,
  ) {
    this.cluster = L.markerClusterGroup({
      chunkedLoading: true,
      maxClusterRadius: 45,
      disableClusteringAtZoom: 17,
      showCoverageOnHover: false,
    });
    map.addLayer(this.cluster);
  }

  /** Brings the markers in line with the task pins and the checkpoint pins. */
  sync(
    pins: readonly MapPin[],
    checkpoints: readonly CheckpointPin[],
    now: number,
    changed: ReadonlySet<string>,
  ): void {
    const crs = this.options.crs();
    const seen = new Set<string>();
    const add: Leaflet.Marker[] = [];
    const remove: Leaflet.Marker[] = [];
    for (const item of [...pins, ...checkpoints]) {
      seen.add(item.key);
      const look = lookOf(item, now, changed.has(item.key));
      const existing = this.markers.get(item.key);
      if (existing && existing.item === item && existing.look === look) continue;
      if (!existing) {
        const marker = this.create(item, look, crs);
        this.markers.set(item.key, { marker, item, look });
        add.push(marker);
        continue;
      }
      const moved = existing.item.lat !== item.lat || existing.item.lng !== item.lng;
      existing.item = item;
      if (existing.look !== look) {
        existing.look = look;
        existing.marker.setIcon(this.icon(look, isCheckpoint(item)));
      }
      if (moved) {
        // A clustered marker must leave and re-enter the cluster to move.
        remove.push(existing.marker);
        const p = toDisplay(item, crs);
        existing.marker.setLatLng([p.lat, p.lng]);
        add.push(existing.marker);
      }
      this.tag(item.key);
    }
    for (const [key, entry] of this.markers) {
      if (seen.has(key)) continue;
      remove.push(entry.marker);
      this.markers.delete(key);
    }
    if (remove.length) this.cluster.removeLayers(remove);
    if (add.length) this.cluster.addLayers(add);
  }

  /** Fits the map to every pin. */
  fit(items: readonly Item[]): void {
    if (items.length === 0) return;
    const crs = this.options.crs();
    const points = items.map((p) => {
      const d = toDisplay(p, crs);
      return [d.lat, d.lng] as [number, number];
    });
    this.map.fitBounds(this.L.latLngBounds(points), { padding: [30, 30], maxZoom: 17 });
  }

  /** Zooms to a pin (out of its cluster) and opens its popup. */
  focus(key: string): void {
    const entry = this.markers.get(key);
    if (!entry) return;
    this.cluster.zoomToShowLayer(entry.marker, () => this.open(key));
  }

  private label(item: Item): string {
    return isCheckpoint(item) ? this.options.checkpointLabel(item) : this.options.label(item);
  }

  private create(item: Item, look: string, crs: TileCrs): Leaflet.Marker {
    const p = toDisplay(item, crs);
    const task = isCheckpoint(item) ? null : item;
    const marker = this.L.marker([p.lat, p.lng], {
      icon: this.icon(look, !task),
      title: this.label(item),
      alt: this.label(item),
      keyboard: true,
      draggable: task ? this.options.canDrag(task) : false,
      autoPan: true,
      // Checkpoints above tasks: posts are what a command post scans for first.
      zIndexOffset: task ? 0 : 500,
    });
    // Marker elements come and go as clusters split and merge: tag each new one.
    marker.on('add', () => this.tag(item.key));
    marker.on('click', () => this.open(item.key));
    if (task) {
      marker.on('dragend', async () => {
        const entry = this.markers.get(item.key);
        if (!entry || isCheckpoint(entry.item) || !this.options.onmove) return;
        const at = marker.getLatLng();
        const crsNow = this.options.crs();
        const ok = await this.options.onmove(
          entry.item,
          fromDisplay({ lat: at.lat, lng: at.lng }, crsNow),
        );
        if (!ok) {
          const back = toDisplay(entry.item, crsNow);
          marker.setLatLng([back.lat, back.lng]);
        }
      });
    }
    return marker;
  }

  private open(key: string): void {
    const entry = this.markers.get(key);
    if (!entry) return;
    this.tag(key);
    const item = entry.item;
    const info = isCheckpoint(item) ? this.options.checkpointCard(item) : this.options.card(item);
    entry.marker.unbindPopup();
    entry.marker.bindPopup(popup(info)).openPopup();
  }

  private icon(look: string, checkpoint: boolean): Leaflet.DivIcon {
    let icon = this.icons.get(look);
    if (!icon) {
      icon = this.L.divIcon({
        className: `pin ${look}`,
        iconSize: checkpoint ? [24, 24] : [22, 22],
        iconAnchor: checkpoint ? [12, 12] : [11, 11],
        popupAnchor: [0, -10],
        html: checkpoint ? '<span class="cp-mark"></span>' : '<span class="pin-dot"></span>',
      });
      this.icons.set(look, icon);
    }
    return icon;
  }

  /** Marks a marker's element with its pin, status and name (tests, screen readers). */
  private tag(key: string): void {
    const entry = this.markers.get(key);
    const element = entry?.marker.getElement();
    if (!entry || !element) return;
    element.dataset.key = key;
    element.dataset.status = isCheckpoint(entry.item) ? entry.item.state : entry.item.status;
    const label = this.label(entry.item);
    element.setAttribute('aria-label', label);
    element.title = label;
  }
}

/** The CSS classes of a pin's look: status (or staffing), overdue, just changed. */
export function lookOf(item: Item, now: number, flash: boolean): string {
  const extra = flash ? ' pin-flash' : '';
  if (isCheckpoint(item)) return `cp cp-${item.state}${extra}`;
  const overdue = item.status !== 'done' && item.due !== null && item.due < now;
  return `pin-${item.status}${overdue ? ' pin-overdue' : ''}${extra}`;
}

function popup(info: PinCard): HTMLElement {
  const root = document.createElement('div');
  root.className = 'pin-card';
  const title = document.createElement('strong');
  title.textContent = info.title;
  root.append(title);
  for (const line of info.lines) {
    const p = document.createElement('div');
    p.textContent = line;
    root.append(p);
  }
  if (info.href && info.linkText) {
    const link = document.createElement('a');
    link.href = info.href;
    link.textContent = info.linkText;
    root.append(link);
  }
  return root;
}
