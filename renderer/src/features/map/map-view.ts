/**
 * @file The Leaflet side of the Map page: the map over the offline basemap (./basemap.ts), the photo
 * markers and clusters of the current view (./cluster-client.ts) with the thumbnails of their newest
 * photos, click-to-zoom on a cluster, and Shift+drag to draw an area. React-free: the page
 * (./map-page.tsx) makes one and hears back through callbacks. Runs in the renderer.
 *
 * [Note: Map without the network] Leaflet is used without a tile layer: the basemap is vector outlines
 * shipped in the app, markers are our own thumbnails (the host's media URLs) in plain DOM elements, and
 * the attribution is text, not links. Nothing here asks any server but Shoebox's own (the e2e test
 * test/e2e/map.spec.ts fails on any request that leaves loopback).
 */
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { Bbox, PhotoSummary } from '../../../../preload/contract';
import { thumbUrl } from '../../media';
import { turnAngle } from '../library/thumb-turn';
import { basemapLayer, loadOutlines } from './basemap';
import type { Clusters } from './cluster-client';
import { CLUSTER_MAX_ZOOM, type MapMarker } from './cluster-index';
import { areaFromBounds } from './map-area';

export interface MapViewEvents {
  /** Shift+drag drew an area. */
  onSelect(area: Bbox): void;
  /** A photo marker (or a cluster that cannot split further) was clicked: its photos' indexes, newest first. */
  onOpen(indexes: number[], clicked: number): void;
  /** The grid cells of these photo ids, for the thumbnails. */
  photos(ids: number[]): Promise<PhotoSummary[]>;
  /** Something failed that the user should hear about. */
  onError(message: string): void;
}

const MAX_ZOOM = 18;
/** A drag shorter than this (pixels, either way) is a click, not an area. */
const MIN_DRAG_PX = 6;

/** The Leaflet map and everything drawn on it. */
export class MapView {
  readonly map: L.Map;
  private readonly markers = L.layerGroup();
  private readonly thumbs = new Map<number, PhotoSummary>();
  /** Ids whose grid cell was fetched since the points last changed; the others are asked again (a turn, a new thumbnail). */
  private fresh = new Set<number>();
  private ids: readonly number[] = [];
  private loaded = false;
  private drawn: L.Rectangle | null = null;
  private generation = 0;
  private disposed = false;
  /** The user has moved, zoomed or clicked the map: new points no longer refit the view. */
  private touched = false;

  constructor(
    el: HTMLElement,
    private readonly clusters: Clusters,
    private readonly mediaBase: string,
    private readonly events: MapViewEvents,
  ) {
    this.map = L.map(el, {
      center: [20, 0],
      zoom: 2,
      minZoom: 1,
      maxZoom: MAX_ZOOM,
      worldCopyJump: true,
      // Shift+drag draws an area here instead of zooming to it.
      boxZoom: false,
      maxBounds: [
        [-90, -540],
        [90, 540],
      ],
      zoomSnap: 1,
      attributionControl: false,
    });
    L.control.attribution({ prefix: false }).addAttribution('Leaflet · outlines © Natural Earth (public domain)').addTo(this.map);
    this.markers.addTo(this.map);
    this.map.on('moveend', () => {
      // The zoom level, for tests and for anyone inspecting the page.
      el.dataset['zoom'] = String(this.map.getZoom());
      void this.refresh();
    });
    // Until the user takes the map in hand, points that arrive later (a scan still reading GPS) refit it.
    for (const type of ['pointerdown', 'wheel', 'keydown'] as const)
      el.addEventListener(type, () => (this.touched = true), { capture: true });
    this.drawOnShiftDrag(el);
    const renderer = L.svg({ padding: 0.5 });
    loadOutlines().then(
      (outlines) => {
        if (this.disposed) return;
        const layer = basemapLayer(outlines, renderer).addTo(this.map);
        for (const l of layer.getLayers()) (l as L.GeoJSON).bringToBack();
      },
      (err: unknown) => this.events.onError(`The map’s outlines could not be loaded: ${String(err)}`),
    );
  }

  /**
   * Shows these points (parallel arrays, newest first): reclusters and redraws, keeping the view unless `fit`
   * or the user has not touched the map yet (so a map opened while a scan still reads GPS shows them all).
   */
  async setPoints(ids: readonly number[], lat: readonly number[], lon: readonly number[], fit: boolean): Promise<void> {
    const gen = ++this.generation;
    this.ids = ids;
    this.fresh = new Set();
    await this.clusters.load(lat, lon);
    if (gen !== this.generation || this.disposed) return;
    this.loaded = true;
    if ((fit || !this.touched) && ids.length > 0) {
      let [s, w, n, e] = [90, 180, -90, -180];
      for (let i = 0; i < lat.length; i++) {
        s = Math.min(s, lat[i]!);
        n = Math.max(n, lat[i]!);
        w = Math.min(w, lon[i]!);
        e = Math.max(e, lon[i]!);
      }
      this.map.fitBounds(
        [
          [s, w],
          [n, e],
        ],
        { padding: [48, 48], maxZoom: 12, animate: false },
      );
    }
    await this.refresh();
  }

  /** The area the map shows now. */
  viewArea(): Bbox {
    const b = this.map.getBounds();
    return areaFromBounds(b.getWest(), b.getSouth(), b.getEast(), b.getNorth());
  }

  /** Shows `area` as the drawn rectangle (null: removes it). */
  showArea(area: Bbox | null): void {
    this.drawn?.remove();
    this.drawn = null;
    if (!area) return;
    const east = area.west <= area.east ? area.east : area.east + 360;
    this.drawn = L.rectangle(
      [
        [area.south, area.west],
        [area.north, east],
      ],
      { className: 'map-area', interactive: false, weight: 2 },
    ).addTo(this.map);
  }

  dispose(): void {
    this.disposed = true;
    this.map.remove();
  }

  /** Redraws the markers of the current view. */
  private async refresh(): Promise<void> {
    if (!this.loaded || this.disposed) return;
    const gen = this.generation;
    const zoom = this.map.getZoom();
    const b = this.map.getBounds().pad(0.25);
    const found = await this.clusters.markers([b.getWest(), Math.max(-90, b.getSouth()), b.getEast(), Math.min(90, b.getNorth())], zoom);
    if (gen !== this.generation || this.disposed || zoom !== this.map.getZoom()) return;
    const center = this.map.getCenter().lng;
    this.markers.clearLayers();
    for (const m of found) {
      // Markers come at their own longitude; draw each on the world copy the view is looking at.
      const lon = m.lon + 360 * Math.round((center - m.lon) / 360);
      this.markers.addLayer(this.marker(m, lon));
    }
    void this.loadThumbs(found);
  }

  private marker(m: MapMarker, lon: number): L.Marker {
    const id = this.ids[m.first];
    const el = document.createElement('div');
    el.className = m.cluster === null ? 'map-pin' : 'map-pin map-cluster';
    el.dataset['testid'] = 'map-marker';
    el.dataset['count'] = String(m.count);
    if (id !== undefined) el.dataset['photo'] = String(id);
    const img = document.createElement('img');
    img.alt = '';
    img.draggable = false;
    const known = id !== undefined ? this.thumbs.get(id) : undefined;
    if (known?.thumb) {
      img.src = thumbUrl(this.mediaBase, known.thumb);
      img.style.rotate = turnAngle(known.rotation);
    }
    el.append(img);
    if (m.count > 1) {
      const count = document.createElement('span');
      count.className = 'map-count';
      count.textContent = m.count >= 10_000 ? `${Math.round(m.count / 1000)}k` : m.count.toLocaleString();
      el.append(count);
    }
    const title = m.count > 1 ? `${m.count.toLocaleString()} photos: zoom in` : (known?.name ?? 'Photo');
    const marker = L.marker([m.lat, lon], {
      icon: L.divIcon({ html: el, className: 'map-icon', iconSize: [52, 52], iconAnchor: [26, 26] }),
      title,
      alt: title,
      keyboard: true,
      riseOnHover: true,
    });
    marker.on('click', () => void this.clicked(m, lon));
    return marker;
  }

  private async clicked(m: MapMarker, lon: number): Promise<void> {
    try {
      if (m.cluster === null) {
        this.events.onOpen([m.first], m.first);
        return;
      }
      const zoom = await this.clusters.expansionZoom(m.cluster);
      // Photos taken at the very same spot never split: show them instead of zooming for nothing.
      if (zoom > CLUSTER_MAX_ZOOM - 1 || this.map.getZoom() >= CLUSTER_MAX_ZOOM - 1) {
        this.events.onOpen(await this.clusters.leaves(m.cluster), m.first);
        return;
      }
      this.map.setView([m.lat, lon], Math.min(zoom, MAX_ZOOM));
    } catch (err) {
      this.events.onError(`The map could not open these photos: ${String(err)}`);
    }
  }

  /** Fetches the grid cells of the markers' newest photos that are not known yet, and shows their thumbnails. */
  private async loadThumbs(found: readonly MapMarker[]): Promise<void> {
    const wanted = [...new Set(found.map((m) => this.ids[m.first]).filter((id): id is number => id !== undefined && !this.fresh.has(id)))];
    if (wanted.length === 0) return;
    try {
      for (let i = 0; i < wanted.length; i += 500) {
        for (const p of await this.events.photos(wanted.slice(i, i + 500))) {
          this.thumbs.set(p.id, p);
          this.fresh.add(p.id);
        }
      }
    } catch {
      return; // Markers without a thumbnail still work; the next move asks again.
    }
    if (this.disposed) return;
    for (const layer of this.markers.getLayers()) {
      const el = (layer as L.Marker).getElement()?.querySelector<HTMLElement>('.map-pin');
      const p = el?.dataset['photo'] ? this.thumbs.get(Number(el.dataset['photo'])) : undefined;
      const img = el?.querySelector('img');
      if (p?.thumb && img) {
        const url = thumbUrl(this.mediaBase, p.thumb);
        if (img.getAttribute('src') !== url) img.src = url;
        img.style.rotate = turnAngle(p.rotation);
      }
      if (p && el && !el.classList.contains('map-cluster')) (layer as L.Marker).getElement()?.setAttribute('title', p.name);
    }
  }

  /** Shift+drag draws a rectangle; on release it becomes the selected area. */
  private drawOnShiftDrag(el: HTMLElement): void {
    el.addEventListener('pointerdown', (down) => {
      if (!down.shiftKey || down.button !== 0) return;
      down.preventDefault();
      down.stopPropagation();
      this.map.dragging.disable();
      const start = this.map.mouseEventToContainerPoint(down);
      let end = start;
      const box = L.rectangle(this.boundsOf(start, start), { className: 'map-area', interactive: false, weight: 2 }).addTo(this.map);
      const move = (e: PointerEvent) => {
        end = this.map.mouseEventToContainerPoint(e);
        box.setBounds(this.boundsOf(start, end));
      };
      const up = () => {
        window.removeEventListener('pointermove', move);
        window.removeEventListener('pointerup', up);
        this.map.dragging.enable();
        box.remove();
        if (Math.abs(end.x - start.x) < MIN_DRAG_PX || Math.abs(end.y - start.y) < MIN_DRAG_PX) return;
        const b = this.boundsOf(start, end);
        this.events.onSelect(areaFromBounds(b.getWest(), b.getSouth(), b.getEast(), b.getNorth()));
      };
      window.addEventListener('pointermove', move);
      window.addEventListener('pointerup', up);
    });
  }

  private boundsOf(a: L.Point, b: L.Point): L.LatLngBounds {
    return L.latLngBounds(this.map.containerPointToLatLng(a), this.map.containerPointToLatLng(b));
  }
}
