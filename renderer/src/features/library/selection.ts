/**
 * @file The grid's multi-selection: which photos of the current view are ticked, as index intervals, so
 * that Shift-click over 50,000 unloaded photos or Ctrl/Cmd+A on a 100k library costs a few numbers, not a
 * set of 100k ids. Runs in the renderer; React-free (unit-tested directly) and read from React through
 * `useSyncExternalStore` (`useSelection`). The library page creates one per view and clears it when the
 * view changes; the grid (./photo-grid.tsx) calls toggle / extendTo / selectAll / clear; the selection
 * bar (renderer/src/features/collections/) reads the count and asks `target()` for what an action
 * applies to.
 *
 * [Note: Selection as index intervals] The state is a flag `all` (Ctrl/Cmd+A) and a sorted list of
 * disjoint index intervals whose photos are the other way round: ticked when `all` is off, unticked
 * (the `except` of the request) when it is on. A click flips one index; a Shift range paints an interval
 * over the state as it was when the anchor was set, so a second Shift-click (or Shift+arrow) moves the
 * range's far end instead of adding another range, as in Finder, Explorer and Google Photos. Indexes are
 * positions in the view's order (`photos:page`); ids are resolved only when an action runs (`target`),
 * page by page through the caller's `ids` fetcher. The ids of the photos the user clicked are
 * remembered, and `target` refuses when the photo at such an index is not the one clicked any more (a scan
 * inserted photos above it meanwhile), rather than acting on photos nobody chose.
 */
import { useMemo, useSyncExternalStore } from 'react';
import type { PhotoSelection, PhotoView } from '../../../../preload/contract';

/** Half-open index interval [start, end). */
type Interval = readonly [number, number];

/** Ids asked of the `ids` fetcher at once (the most `photos:page` answers in one request). */
const RESOLVE_CHUNK = 1000;

/** Raised by {@link SelectionStore.target} when the view changed under a selection; its message is for the user. */
export class SelectionChangedError extends Error {
  constructor() {
    super('The photos moved while you were selecting (the library changed). Select them again.');
    this.name = 'SelectionChangedError';
  }
}

/** Whether `index` lies in one of the sorted, disjoint `intervals` (binary search). */
function covers(intervals: readonly Interval[], index: number): boolean {
  let lo = 0;
  let hi = intervals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [s, e] = intervals[mid]!;
    if (index < s) hi = mid - 1;
    else if (index >= e) lo = mid + 1;
    else return true;
  }
  return false;
}

/** `intervals` with [start, end) added (`on`) or cut out (`!on`), still sorted, disjoint and merged. */
function paint(intervals: readonly Interval[], start: number, end: number, on: boolean): Interval[] {
  const out: Interval[] = [];
  let s = start;
  let e = end;
  for (const iv of intervals) {
    if (iv[1] < s || iv[0] > e) {
      out.push(iv); // apart (touching intervals merge when adding, below)
    } else if (on) {
      s = Math.min(s, iv[0]);
      e = Math.max(e, iv[1]);
    } else {
      if (iv[0] < start) out.push([iv[0], start]);
      if (iv[1] > end) out.push([end, iv[1]]);
    }
  }
  if (on) out.push([s, e]);
  return out.sort((a, b) => a[0] - b[0]);
}

interface State {
  all: boolean;
  flipped: readonly Interval[];
}

/** See [Note: Selection as index intervals]. */
export class SelectionStore {
  private state: State = { all: false, flipped: [] };
  /** Where Shift ranges start, the state they paint over, and whether they tick or untick. */
  private anchor: { index: number; base: State; on: boolean } | null = null;
  /** Ids of photos the user pointed at, by index: resolved without a fetch, and checked by `target`. */
  private known = new Map<number, number>();
  private readonly listeners = new Set<() => void>();
  private ver = 0;

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  /** Changes whenever the selection does. */
  get version(): number {
    return this.ver;
  }

  /** Arrow form of `version` for `useSyncExternalStore`. */
  readonly getVersion = (): number => this.ver;

  /** Whether Shift ranges have a start (a photo was clicked or ticked since the last clear). */
  get anchored(): boolean {
    return this.anchor !== null;
  }

  /** Whether anything is selected (after Ctrl/Cmd+A, even when every photo was then unticked). */
  get active(): boolean {
    return this.state.all || this.state.flipped.length > 0;
  }

  /** Selected photos in a view of `total` photos. */
  count(total: number): number {
    let covered = 0;
    for (const [s, e] of this.state.flipped) covered += Math.max(0, Math.min(e, total) - s);
    return this.state.all ? Math.max(0, total - covered) : covered;
  }

  /** Whether the photo at `index` is selected (`id`, when known, only for the signature's symmetry). */
  isSelected(_id: number | undefined, index: number): boolean {
    return this.state.all !== covers(this.state.flipped, index);
  }

  /** Ticks or unticks one photo (its check, Space, Ctrl/Cmd-click) and makes it the anchor of Shift ranges. */
  toggle(id: number | undefined, index: number): void {
    if (index < 0) return;
    this.remember(id, index);
    const on = !this.isSelected(id, index);
    this.state = { ...this.state, flipped: paint(this.state.flipped, index, index + 1, on !== this.state.all) };
    this.anchor = { index, base: this.state, on };
    this.changed();
  }

  /**
   * Shift-click or Shift+arrow: the photos from the anchor to `index` get the anchor's state, over the
   * selection as it was when the anchor was set. Without an anchor, it ticks `index` and anchors there.
   */
  extendTo(id: number | undefined, index: number): void {
    if (index < 0) return;
    if (!this.anchor) {
      if (!this.isSelected(id, index)) this.toggle(id, index);
      else this.anchor = { index, base: this.state, on: true };
      return;
    }
    this.remember(id, index);
    const { base, on } = this.anchor;
    const start = Math.min(this.anchor.index, index);
    const end = Math.max(this.anchor.index, index) + 1;
    this.state = { all: base.all, flipped: paint(base.flipped, start, end, on !== base.all) };
    this.changed();
  }

  /** Ctrl/Cmd+A: every photo of the view, loaded or not. */
  selectAll(): void {
    this.state = { all: true, flipped: [] };
    this.anchor = null;
    this.known.clear();
    this.changed();
  }

  /** Esc, or the view changed: nothing selected. */
  clear(): void {
    if (!this.active && !this.anchor) return;
    this.state = { all: false, flipped: [] };
    this.anchor = null;
    this.known.clear();
    this.changed();
  }

  /**
   * What an action applies to. Ranges are resolved to ids through `ids(offset, limit)` (the view's ids
   * in grid order, at most 1,000 per call), only for the pages they cover; after Ctrl/Cmd+A it is
   * `{all: true, view, except}` and only the unticked ranges are resolved. A `folderId` (as a third
   * argument or on `view`) narrows `all` to one folder, as the grid was paged. Throws
   * {@link SelectionChangedError} when a photo the user clicked moved (see the file's Note), and an
   * Error when nothing is selected.
   */
  async target(
    view: PhotoView & { folderId?: number },
    ids: (offset: number, limit: number) => Promise<number[]>,
    folderId?: number,
  ): Promise<PhotoSelection> {
    const { folderId: viewFolder, ...plainView } = view;
    const folder = folderId ?? viewFolder;
    const { all, flipped } = this.state;
    if (!all && flipped.length === 0) throw new Error('Nothing is selected');
    const resolved: number[] = [];
    for (const [start, end] of flipped) {
      for (let offset = start; offset < end; offset += RESOLVE_CHUNK) {
        const limit = Math.min(RESOLVE_CHUNK, end - offset);
        const knownIds = this.knownRun(offset, limit);
        const chunk = knownIds ?? (await ids(offset, limit));
        chunk.forEach((id, k) => {
          const expected = this.known.get(offset + k);
          if (expected !== undefined && expected !== id) throw new SelectionChangedError();
        });
        resolved.push(...chunk);
        if (chunk.length < limit) break; // past the end of the view
      }
    }
    const fresh = [...new Set(resolved)];
    if (all) return { all: true, view: plainView, ...(folder !== undefined ? { folderId: folder } : {}), except: fresh };
    if (fresh.length === 0) throw new Error('Nothing is selected');
    return { ids: fresh };
  }

  /** The ids of indexes [offset, offset + limit) when every one is known (a few clicked photos), else null. */
  private knownRun(offset: number, limit: number): number[] | null {
    if (limit > 64) return null;
    const out: number[] = [];
    for (let i = offset; i < offset + limit; i++) {
      const id = this.known.get(i);
      if (id === undefined) return null;
      out.push(id);
    }
    return out;
  }

  private remember(id: number | undefined, index: number): void {
    if (id !== undefined) this.known.set(index, id);
  }

  private changed(): void {
    this.ver++;
    for (const fn of this.listeners) fn();
  }
}

/** The selection's count, whether anything is selected and its version, re-rendering as it changes. */
export function useSelection(store: SelectionStore): { count(total: number): number; active: boolean; version: number } {
  const version = useSyncExternalStore(store.subscribe, store.getVersion);
  return useMemo(
    () => ({ count: (total: number) => store.count(total), active: store.active, version }),
    // `version` stands for the store's state: a new one is a new answer.
    [store, version],
  );
}
