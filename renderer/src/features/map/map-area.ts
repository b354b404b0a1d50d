/**
 * @file The map area the library's grid is filtered to ("In this area"), shared by the Map page that
 * sets it and the Library page that pages `photos:page` / `photos:timeline` with it; and the turning of
 * a map view's bounds into such an area. Runs in the renderer; React-free apart from `useMapArea`
 * (unit-tested).
 *
 * The area lives for the window's session (sessionStorage, so a reload keeps it): it is a filter the user
 * removes with the chip's ×, not a preference. [Note: Map areas] in preload/contract/map.ts says what a
 * box means, the antimeridian included.
 */
import { useSyncExternalStore } from 'react';
import type { Bbox } from '../../../../preload/contract';

const KEY = 'shoebox.mapArea';
const listeners = new Set<() => void>();
let current: Bbox | null = readStored();

function readStored(): Bbox | null {
  try {
    const raw = typeof sessionStorage === 'undefined' ? null : sessionStorage.getItem(KEY);
    const b = raw ? (JSON.parse(raw) as Partial<Bbox>) : null;
    if (b && [b.west, b.south, b.east, b.north].every((v) => typeof v === 'number' && Number.isFinite(v))) return b as Bbox;
  } catch {
    // No storage or a broken value: no area.
  }
  return null;
}

/** The area the grid is filtered to, or null. */
export function getMapArea(): Bbox | null {
  return current;
}

/** Filters the library's grid to `area` (null: every photo again). */
export function setMapArea(area: Bbox | null): void {
  current = area;
  try {
    if (area) sessionStorage.setItem(KEY, JSON.stringify(area));
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage unavailable: the area lasts until the page reloads.
  }
  for (const l of listeners) l();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => void listeners.delete(l);
};

/** Shows every photo again. */
export const clearMapArea = (): void => setMapArea(null);

/** The current area, re-rendering when it changes. */
export function useMapArea(): Bbox | null {
  return useSyncExternalStore(subscribe, getMapArea);
}

/** `{ bbox }` to spread into `photos:page` / `photos:timeline` arguments, or nothing. */
export function areaArgs(area: Bbox | null): { bbox?: Bbox } {
  return area ? { bbox: area } : {};
}

/** A stable key for an area (a new key: a new grid, new pages). */
export function areaKey(area: Bbox | null): string {
  return area ? `${area.west},${area.south},${area.east},${area.north}` : '';
}

/** Wraps a longitude into [-180, 180). */
const wrap = (lon: number) => ((((lon + 180) % 360) + 360) % 360) - 180;
const clampLat = (lat: number) => Math.max(-90, Math.min(90, lat));
/** Six decimals (~0.1 m): the bounds of a map view carry float noise that would only lengthen keys. */
const round = (deg: number) => Math.round(deg * 1e6) / 1e6;

/**
 * The area of a map view or a dragged rectangle, whose longitudes may run past ±180 (Leaflet's world
 * copies): a span of 360° or more is every longitude; otherwise both edges are wrapped into [-180, 180],
 * and an area across the antimeridian comes out with `west` > `east`.
 */
export function areaFromBounds(west: number, south: number, east: number, north: number): Bbox {
  const s = round(clampLat(Math.min(south, north)));
  const n = round(clampLat(Math.max(south, north)));
  const [w0, e0] = west <= east ? [west, east] : [east, west];
  if (e0 - w0 >= 360) return { west: -180, south: s, east: 180, north: n };
  let w = round(wrap(w0));
  let e = round(wrap(e0));
  // wrap() maps 180 to -180: an edge exactly on the antimeridian keeps its side.
  if (e === -180 && e0 > w0) e = 180;
  if (w === 180) w = -180;
  return { west: w, south: s, east: e, north: n };
}

/** Whether a point is inside an area, by the same rule as the host's SQL (main/db/photo-filter.ts `areaSql`). */
export function inArea(area: Bbox, lat: number, lon: number): boolean {
  if (lat < area.south || lat > area.north) return false;
  return area.west <= area.east ? lon >= area.west && lon <= area.east : lon >= area.west || lon <= area.east;
}
