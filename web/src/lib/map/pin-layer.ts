import type * as Leaflet from 'leaflet';
import type { LatLng, MapPin } from '@outpost/model';
import { fromDisplay, toDisplay, type TileCrs } from './geo.ts';

/** What a pin's popup says: built by the page (it knows the words), drawn by the map. */
export interface PinCard {
  title: string;
  lines: string[];
  href: string;
  linkText: string;
}

export interface PinLayerOptions {
  /** Accessible name of a pin. */
  label: (pin: MapPin) => string;
  card: (pin: MapPin) => PinCard;
  canDrag: (pin: MapPin) => boolean;
  /** A pin was dragged to `position` (WGS-84); resolves false to put it back. */
  onmove?: (pin: MapPin, position: LatLng) => Promise<boolean>;
  crs: () => TileCrs;
}

interface Entry {
  marker: Leaflet.Marker;
  pin: MapPin;
  look: string;
}

/**
 * The task pins on a Leaflet map, clustered (leaflet.markercluster), kept in step with a list
 * of pins by key: only pins that changed are touched, and additions and removals go in
 * batches, so thousands of pins stay smooth and a live change costs one marker.
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

  /** Brings the markers in line with `pins`. */
  sync(pins: readonly MapPin[], now: number, changed: ReadonlySet<string>): void {
    const crs = this.options.crs();
    const seen = new Set<string>();
    const add: Leaflet.Marker[] = [];
    const remove: Leaflet.Marker[] = [];
    for (const pin of pins) {
      seen.add(pin.key);
      const look = lookOf(pin, now, changed.has(pin.key));
      const existing = this.markers.get(pin.key);
      if (existing && existing.pin === pin && existing.look === look) continue;
      if (!existing) {
        const marker = this.create(pin, look, crs);
        this.markers.set(pin.key, { marker, pin, look });
        add.push(marker);
        continue;
      }
      const moved = existing.pin.lat !== pin.lat || existing.pin.lng !== pin.lng;
      existing.pin = pin;
      if (existing.look !== look) {
        existing.look = look;
        existing.marker.setIcon(this.icon(look));
      }
      if (moved) {
        // A clustered marker must leave and re-enter the cluster to move.
        remove.push(existing.marker);
        const p = toDisplay(pin, crs);
        existing.marker.setLatLng([p.lat, p.lng]);
        add.push(existing.marker);
      }
      this.tag(pin.key);
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
  fit(pins: readonly MapPin[]): void {
    if (pins.length === 0) return;
    const crs = this.options.crs();
    const points = pins.map((p) => {
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

  private create(pin: MapPin, look: string, crs: TileCrs): Leaflet.Marker {
    const p = toDisplay(pin, crs);
    const marker = this.L.marker([p.lat, p.lng], {
      icon: this.icon(look),
      title: this.options.label(pin),
      alt: this.options.label(pin),
      keyboard: true,
      draggable: this.options.canDrag(pin),
      autoPan: true,
    });
    // Marker elements come and go as clusters split and merge: tag each new one.
    marker.on('add', () => this.tag(pin.key));
    marker.on('click', () => this.open(pin.key));
    marker.on('dragend', async () => {
      const entry = this.markers.get(pin.key);
      if (!entry || !this.options.onmove) return;
      const at = marker.getLatLng();
      const crsNow = this.options.crs();
      const ok = await this.options.onmove(
        entry.pin,
        fromDisplay({ lat: at.lat, lng: at.lng }, crsNow),
      );
      if (!ok) {
        const back = toDisplay(entry.pin, crsNow);
        marker.setLatLng([back.lat, back.lng]);
      }
    });
    return marker;
  }

  private open(key: string): void {
    const entry = this.markers.get(key);
    if (!entry) return;
    this.tag(key);
    entry.marker.unbindPopup();
    entry.marker.bindPopup(popup(this.options.card(entry.pin))).openPopup();
  }

  private icon(look: string): Leaflet.DivIcon {
    let icon = this.icons.get(look);
    if (!icon) {
      icon = this.L.divIcon({
        className: `pin ${look}`,
        iconSize: [22, 22],
        iconAnchor: [11, 11],
        popupAnchor: [0, -10],
        html: '<span class="pin-dot"></span>',
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
    element.dataset.status = entry.pin.status;
    const label = this.options.label(entry.pin);
    element.setAttribute('aria-label', label);
    element.title = label;
  }
}

/** The CSS classes of a pin's look: status, overdue, just changed. */
export function lookOf(pin: MapPin, now: number, flash: boolean): string {
  const overdue = pin.status !== 'done' && pin.due !== null && pin.due < now;
  return `pin-${pin.status}${overdue ? ' pin-overdue' : ''}${flash ? ' pin-flash' : ''}`;
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
  const link = document.createElement('a');
  link.href = info.href;
  link.textContent = info.linkText;
  root.append(link);
  return root;
}
