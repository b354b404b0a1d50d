/**
 * @file What the open viewer does when the pages under it change: stay, move to its photo's new index,
 * load the page at its index first, or give up following ([Note: The viewer follows its photo] in
 * use-viewer-index.ts). Pure and React-free, so it is unit-tested; runs in the renderer.
 */

/** What the decision reads of the page cache (PhotoStore has these). */
export interface FollowSource {
  /** Whether the page covering `index` is loaded and current (not stale since the last change). */
  isCurrent(index: number): boolean;
  /** The summary at `index` in the loaded pages (possibly stale). */
  get(index: number): { id: number } | undefined;
  /** Where the current pages hold the photo `id`, if they do. */
  find(id: number): number | undefined;
}

export type FollowStep =
  /** The photo is still at the index shown. */
  | { kind: 'stay' }
  /** The photo moved to `index` in the new order. */
  | { kind: 'move'; index: number }
  /** The page at the index is stale or not loaded: load it and decide again. */
  | { kind: 'load' }
  /** No current page holds the photo: it left the view (or moved to a page not loaded). */
  | { kind: 'lost' };

/** Where the photo `id`, last shown at `index`, is now. */
export function followStep(source: FollowSource, index: number, id: number): FollowStep {
  const current = source.isCurrent(index);
  if (current && source.get(index)?.id === id) return { kind: 'stay' };
  const found = source.find(id);
  if (found !== undefined) return { kind: 'move', index: found };
  return current ? { kind: 'lost' } : { kind: 'load' };
}

/** A photo's place in the grid's order: its sort key (`takenAt`) and id. */
export interface OrderKey {
  id: number;
  takenAt: string;
}

/**
 * Whether `a` comes before `b` in the grid's order: newest first by sort key, then by id, both descending
 * (`ORDER BY p.sort_key DESC, p.id DESC` in main/db; the keys are ASCII, so string order is SQLite's).
 */
export function comesBefore(a: OrderKey, b: OrderKey): boolean {
  return a.takenAt === b.takenAt ? a.id > b.id : a.takenAt > b.takenAt;
}

/** What `locate` reads of the page cache (PhotoStore has these). */
export interface LocateSource {
  readonly pageSize: number;
  /** How many photos the view has, from the newest page answer. */
  readonly total: number;
  /** Loads the page of `index` when it is stale or missing; the summary there. */
  at(index: number): Promise<OrderKey | undefined>;
  get(index: number): OrderKey | undefined;
}

/**
 * Where the photo `target` (its id and its sort key now, from `photos:get`) is in the view, or undefined
 * when the view does not hold it: a binary search over the pages by sort key, one page fetched a step
 * (9 for 100k photos at 200 a page), for a photo that moved to a page not loaded.
 */
export async function locate(source: LocateSource, target: OrderKey): Promise<number | undefined> {
  const size = source.pageSize;
  let lo = 0;
  let hi = Math.ceil(source.total / size) - 1;
  while (lo <= hi) {
    const page = (lo + hi) >> 1;
    const start = page * size;
    const first = await source.at(start);
    if (!first) {
      // Past the end of a view that shrank meanwhile (or the page failed): look before it.
      hi = page - 1;
      continue;
    }
    let last = start;
    while (last + 1 < start + size && source.get(last + 1)) last++;
    const lastItem = source.get(last) ?? first;
    if (comesBefore(target, first)) hi = page - 1;
    else if (comesBefore(lastItem, target)) lo = page + 1;
    else {
      for (let i = start; i <= last; i++) if (source.get(i)?.id === target.id) return i;
      return undefined;
    }
  }
  return undefined;
}
