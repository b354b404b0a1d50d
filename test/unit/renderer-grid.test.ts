/**
 * @file Unit tests of the library grid's geometry (rows from the timeline, index → row) and keyboard
 * movement, and of the page cache that feeds it (on-demand pages, dedup, stale-while-refetching
 * after invalidation, error retry).
 */
import { describe, expect, it, vi } from 'vitest';
import type { ApiClient, PhotoPage, PhotoSummary, RequestArgs } from '../../preload/contract';
import { buildLayout, columnsFor, moveFocus, rowForIndex } from '../../renderer/src/features/library/grid-layout';
import { PhotoStore } from '../../renderer/src/features/library/photo-store';

const groups = [
  { key: '2024-07', count: 5, firstIndex: 0 },
  { key: '2024-06', count: 2, firstIndex: 5 },
  { key: '2023-12', count: 7, firstIndex: 7 },
];

describe('grid layout', () => {
  it('makes a header row per month and ceil(count/columns) photo rows', () => {
    const l = buildLayout(groups, 3);
    expect(l.total).toBe(14);
    expect(l.rows.map((r) => (r.kind === 'month' ? r.key : `${r.start}-${r.end}`))).toEqual([
      '2024-07',
      '0-3',
      '3-5',
      '2024-06',
      '5-7',
      '2023-12',
      '7-10',
      '10-13',
      '13-14',
    ]);
  });

  it('finds the row of any index, and -1 outside', () => {
    const l = buildLayout(groups, 3);
    expect([0, 2, 3, 4, 5, 6, 7, 12, 13].map((i) => rowForIndex(l, i))).toEqual([1, 1, 2, 2, 4, 4, 6, 7, 8]);
    expect(rowForIndex(l, 14)).toBe(-1);
    expect(rowForIndex(l, -1)).toBe(-1);
  });

  it('skips empty months and copes with no photos', () => {
    expect(buildLayout([{ key: '2024-01', count: 0, firstIndex: 0 }], 4).rows).toEqual([]);
    const empty = buildLayout([], 4);
    expect(moveFocus(empty, 0, 'down')).toBe(-1);
  });

  it('stays small for 100k photos', () => {
    const big = Array.from({ length: 120 }, (_, i) => ({ key: `k${i}`, count: 834, firstIndex: i * 834 }));
    const t0 = performance.now();
    const l = buildLayout(big, 8);
    expect(l.total).toBe(100_080);
    expect(l.rows.length).toBe(120 + 120 * 105);
    expect(rowForIndex(l, 100_079)).toBe(l.rows.length - 1);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('moves left/right through the whole list and clamps at the ends', () => {
    const l = buildLayout(groups, 3);
    expect(moveFocus(l, 4, 'right')).toBe(5);
    expect(moveFocus(l, 5, 'left')).toBe(4);
    expect(moveFocus(l, 0, 'left')).toBe(0);
    expect(moveFocus(l, 13, 'right')).toBe(13);
    expect(moveFocus(l, 6, 'home')).toBe(0);
    expect(moveFocus(l, 6, 'end')).toBe(13);
  });

  it('moves up/down keeping the column, across month headers, onto short rows', () => {
    const l = buildLayout(groups, 3);
    expect(moveFocus(l, 1, 'down')).toBe(4); // 0-3 → 3-5, column 1
    expect(moveFocus(l, 2, 'down')).toBe(4); // column 2 does not exist in 3-5: its last photo
    expect(moveFocus(l, 4, 'down')).toBe(6); // across the June header
    expect(moveFocus(l, 6, 'down')).toBe(8);
    expect(moveFocus(l, 8, 'up')).toBe(6);
    expect(moveFocus(l, 7, 'up')).toBe(5);
    expect(moveFocus(l, 1, 'up')).toBe(1);
    expect(moveFocus(l, 13, 'down')).toBe(13);
    expect(moveFocus(l, 0, 'pageDown', 3)).toBe(7);
    expect(moveFocus(l, 13, 'pageUp', 100)).toBe(0);
  });

  it('fits columns to the width', () => {
    expect(columnsFor(1000, 172)).toBe(5);
    expect(columnsFor(100, 172)).toBe(1);
  });
});

function summary(i: number): PhotoSummary {
  return {
    id: i + 1,
    kind: 'image',
    thumb: null,
    width: 10,
    height: 10,
    takenAt: '2024-07-01T10:00:00',
    day: '2024-07-01',
    name: `p${i}.jpg`,
    status: 'ok',
  };
}

function fakeClient(total: number) {
  const calls: RequestArgs<'photos:page'>[] = [];
  let fail = false;
  let version = 0;
  const pending: (() => void)[] = [];
  const call = vi.fn(async (method: string, args: RequestArgs<'photos:page'>): Promise<PhotoPage> => {
    expect(method).toBe('photos:page');
    calls.push(args);
    await new Promise<void>((r) => pending.push(r));
    if (fail) throw new Error('socket down');
    const items = Array.from({ length: Math.max(0, Math.min(args.limit, total - args.offset)) }, (_, k) => ({
      ...summary(args.offset + k),
      name: `v${version}`,
    }));
    return { items, total, offset: args.offset };
  });
  return {
    client: { call } as unknown as Pick<ApiClient, 'call'>,
    calls,
    flush: async () => {
      while (pending.length) pending.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    },
    setFail: (f: boolean) => (fail = f),
    bump: () => version++,
  };
}

describe('photo store', () => {
  it('fetches only the pages a range needs, once', async () => {
    const f = fakeClient(1000);
    const store = new PhotoStore(f.client, 7, 100);
    const changed = vi.fn();
    store.subscribe(changed);
    store.ensureRange(150, 260);
    store.ensureRange(150, 260);
    expect(f.calls).toEqual([
      { offset: 100, limit: 100, folderId: 7 },
      { offset: 200, limit: 100, folderId: 7 },
    ]);
    expect(store.get(150)).toBeUndefined();
    await f.flush();
    expect(store.get(150)?.id).toBe(151);
    expect(store.get(299)?.id).toBe(300);
    expect(store.total).toBe(1000);
    expect(changed).toHaveBeenCalledTimes(2);
    store.ensureRange(120, 130);
    expect(f.calls).toHaveLength(2);
  });

  it('keeps stale pages on screen while refetching after invalidate', async () => {
    const f = fakeClient(300);
    const store = new PhotoStore(f.client, null, 100);
    store.ensureRange(0, 50);
    await f.flush();
    expect(store.get(10)?.name).toBe('v0');
    f.bump();
    store.invalidate();
    expect(f.calls).toHaveLength(2);
    expect(f.calls[1]).toEqual({ offset: 0, limit: 100 });
    expect(store.get(10)?.name).toBe('v0');
    await f.flush();
    expect(store.get(10)?.name).toBe('v1');
  });

  it('reports a failed page and does not hammer the host', async () => {
    const f = fakeClient(300);
    const store = new PhotoStore(f.client, null, 100);
    f.setFail(true);
    store.ensureRange(0, 10);
    await f.flush();
    expect(store.error).toMatch(/Could not load photos: socket down/);
    store.ensureRange(0, 10);
    expect(f.calls).toHaveLength(1);
    f.setFail(false);
    store.invalidate();
    await f.flush();
    expect(f.calls).toHaveLength(2);
    expect(store.error).toBeNull();
    expect(store.get(0)?.id).toBe(1);
  });

  it('at() loads the page of an index on demand', async () => {
    const f = fakeClient(300);
    const store = new PhotoStore(f.client, null, 100);
    const p = store.at(250);
    await f.flush();
    await expect(p).resolves.toMatchObject({ id: 251 });
    const q = store.at(500);
    await f.flush();
    await expect(q).resolves.toBeUndefined();
  });

  it('at() waits for a page the grid is already loading instead of answering undefined', async () => {
    const f = fakeClient(300);
    const store = new PhotoStore(f.client, null, 100);
    store.ensureRange(0, 50);
    const p = store.at(10);
    expect(f.calls).toHaveLength(1);
    await f.flush();
    await expect(p).resolves.toMatchObject({ id: 11 });
  });
});
