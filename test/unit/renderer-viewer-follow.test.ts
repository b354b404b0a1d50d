/**
 * @file Unit tests of the open viewer following its photo through a re-sort ([Note: The viewer follows
 * its photo] in renderer/src/features/library/use-viewer-index.ts): `followStep` over a real page cache
 * whose order changes, `locate`'s binary search for a photo beyond the loaded pages, and the cache's part
 * (current pages, finding an id, `at()` refetching a stale page).
 */
import { describe, expect, it } from 'vitest';
import type { PhotoSummary } from '../../preload/contract';
import { PhotoStore } from '../../renderer/src/features/library/photo-store';
import { comesBefore, followStep, locate } from '../../renderer/src/features/library/viewer-follow';

/** Photo n's sort key: the higher the id, the older, unless the test says otherwise. */
let keys = new Map<number, string>();
const keyOf = (id: number) => keys.get(id) ?? `2020-01-01 ${String(100_000 - id).padStart(6, '0')}`;
const summary = (id: number) => ({ id, takenAt: keyOf(id) }) as PhotoSummary;

/** A paged source whose order the test sets; answers when flushed. */
function source(initial: number[]) {
  let order = initial;
  const waiting: (() => void)[] = [];
  const fetch = (offset: number, limit: number) =>
    new Promise<{ items: PhotoSummary[]; total: number }>((resolve) => {
      waiting.push(() => resolve({ items: order.slice(offset, offset + limit).map(summary), total: order.length }));
    });
  return {
    fetch,
    reorder: (next: number[]) => (order = next),
    async flush() {
      while (waiting.length) {
        waiting.shift()?.();
        await Promise.resolve();
      }
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

/** A page cache over `order` with every page loaded. */
async function loaded(order: number[], pageSize: number) {
  const s = source(order);
  const store = new PhotoStore(s.fetch, null, pageSize);
  store.ensureRange(0, order.length);
  await s.flush();
  return { s, store };
}

describe('the viewer following its photo', () => {
  it('stays while the photo is where it was', async () => {
    const { store } = await loaded([1, 2, 3, 4, 5], 2);
    expect(followStep(store, 0, 1)).toEqual({ kind: 'stay' });
    expect(followStep(store, 3, 4)).toEqual({ kind: 'stay' });
  });

  it('moves to the photo’s new index once the pages are current again, not before', async () => {
    const { s, store } = await loaded([5, 1, 2, 3, 4], 2);
    // The capture date moves photo 5 from the first place to the last.
    s.reorder([1, 2, 3, 4, 5]);
    store.invalidate();
    // Stale pages still say photo 5 is first: they decide nothing.
    expect(store.isCurrent(0)).toBe(false);
    expect(followStep(store, 0, 5)).toEqual({ kind: 'load' });
    await s.flush();
    expect(followStep(store, 0, 5)).toEqual({ kind: 'move', index: 4 });
    expect(followStep(store, 4, 5)).toEqual({ kind: 'stay' });
  });

  it('finds the photo in another current page even while the page at its index is stale', async () => {
    const { s, store } = await loaded([5, 1, 2, 3, 4], 2);
    store.ensureRange(4, 5); // the grid scrolled to the end: only the last page is refetched
    s.reorder([1, 2, 3, 4, 5]);
    store.invalidate();
    await s.flush();
    expect(store.isCurrent(0)).toBe(false);
    expect(followStep(store, 0, 5)).toEqual({ kind: 'move', index: 4 });
  });

  it('gives up (the index stays) when no current page holds the photo', async () => {
    const { s, store } = await loaded([1, 2, 3], 10);
    s.reorder([1, 3]); // photo 2 hidden or removed
    store.invalidate();
    await s.flush();
    expect(followStep(store, 1, 2)).toEqual({ kind: 'lost' });
    // Past the end of the (shorter) view as well: nothing to load again.
    s.reorder([1]);
    store.invalidate();
    await s.flush();
    expect(followStep(store, 2, 3)).toEqual({ kind: 'lost' });
  });

  it('at() refetches a stale page rather than answer with the photo that used to be there', async () => {
    const { s, store } = await loaded([5, 1, 2], 10);
    s.reorder([1, 2, 5]);
    store.invalidate();
    const p = store.at(0);
    await s.flush();
    await expect(p).resolves.toMatchObject({ id: 1 });
    expect(store.find(5)).toBe(2);
  });

  it('orders as the host does: sort key, then id, both descending', () => {
    expect(comesBefore({ id: 1, takenAt: '2024-01-02' }, { id: 9, takenAt: '2024-01-01' })).toBe(true);
    expect(comesBefore({ id: 9, takenAt: '2024-01-01' }, { id: 1, takenAt: '2024-01-01' })).toBe(true);
    expect(comesBefore({ id: 1, takenAt: '2024-01-01' }, { id: 9, takenAt: '2024-01-01' })).toBe(false);
  });

  it('locates a photo that moved to a page not loaded, fetching a few pages only', async () => {
    keys = new Map();
    const ids = Array.from({ length: 1000 }, (_, i) => i + 1); // id order is newest first
    const s = source(ids);
    let fetched = 0;
    const store = new PhotoStore(
      (offset, limit) => {
        fetched++;
        return s.fetch(offset, limit);
      },
      null,
      10,
    );
    store.ensureRange(0, 10);
    await s.flush();
    // Photo 3's capture date puts it between photos 871 and 872.
    keys.set(3, `${keyOf(872)}5`);
    s.reorder([...ids.filter((id) => id !== 3 && id <= 871), 3, ...ids.filter((id) => id > 871)]);
    store.invalidate();
    await s.flush();
    fetched = 0;
    const search = locate(store, summary(3));
    for (let k = 0; k < 20; k++) await s.flush();
    await expect(search).resolves.toBe(870);
    expect(fetched).toBeLessThanOrEqual(Math.ceil(Math.log2(100)) + 1);
    // A photo the view no longer holds is not found.
    const gone = locate(store, { id: 5000, takenAt: keyOf(500) });
    for (let k = 0; k < 20; k++) await s.flush();
    await expect(gone).resolves.toBeUndefined();
    keys = new Map();
  });
});
