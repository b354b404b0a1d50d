/**
 * @file Unit tests of the grid's selection store (renderer/src/features/library/selection.ts): clicks,
 * Shift ranges from an anchor, select-all with exceptions, counts, and resolving a selection to the
 * request an action sends, over pages that were never loaded; and of what the grid's clicks and keys do
 * to it (renderer/src/features/library/grid-selection.ts).
 */
import { describe, expect, it, vi } from 'vitest';
import { clickSelects, extendOnMove, keySelects, type KeyPress } from '../../renderer/src/features/library/grid-selection';
import { SelectionChangedError, SelectionStore } from '../../renderer/src/features/library/selection';

/** A view whose photo at index i has id 1000 + i; records the pages asked for. */
function idsOf(total: number, shift = 0) {
  const calls: [number, number][] = [];
  const ids = vi.fn(async (offset: number, limit: number) => {
    calls.push([offset, limit]);
    const n = Math.max(0, Math.min(limit, total - offset));
    return Array.from({ length: n }, (_, k) => 1000 + offset + k - shift);
  });
  return { ids, calls };
}

const selected = (s: SelectionStore, n: number) => Array.from({ length: n }, (_, i) => i).filter((i) => s.isSelected(undefined, i));

describe('selection store', () => {
  it('toggles single photos and tells subscribers', () => {
    const s = new SelectionStore();
    const changed = vi.fn();
    s.subscribe(changed);
    expect(s.active).toBe(false);
    s.toggle(1003, 3);
    s.toggle(1005, 5);
    expect(selected(s, 10)).toEqual([3, 5]);
    expect(s.count(10)).toBe(2);
    s.toggle(1003, 3);
    expect(selected(s, 10)).toEqual([5]);
    expect(changed).toHaveBeenCalledTimes(3);
    expect(s.version).toBe(3);
    s.clear();
    expect(s.active).toBe(false);
    expect(s.count(10)).toBe(0);
  });

  it('extends a range from the anchor; a second Shift-click moves its far end', () => {
    const s = new SelectionStore();
    s.toggle(1001, 1); // an earlier pick stays
    s.toggle(1010, 10); // the anchor
    s.extendTo(1014, 14);
    expect(selected(s, 20)).toEqual([1, 10, 11, 12, 13, 14]);
    s.extendTo(1007, 7); // the other way: 11–14 are dropped again
    expect(selected(s, 20)).toEqual([1, 7, 8, 9, 10]);
    expect(s.count(20)).toBe(5);
  });

  it('unticking the anchor makes Shift ranges untick', () => {
    const s = new SelectionStore();
    s.toggle(undefined, 2);
    s.extendTo(undefined, 8);
    s.toggle(undefined, 5); // off, and the anchor
    s.extendTo(undefined, 7);
    expect(selected(s, 10)).toEqual([2, 3, 4, 8]);
  });

  it('Shift without an anchor ticks the photo and anchors there', () => {
    const s = new SelectionStore();
    s.extendTo(undefined, 4);
    s.extendTo(undefined, 6);
    expect(selected(s, 10)).toEqual([4, 5, 6]);
  });

  it('keeps a 100k range as one interval', () => {
    const s = new SelectionStore();
    s.toggle(undefined, 0);
    s.extendTo(undefined, 99_999);
    s.toggle(undefined, 50_000);
    expect(s.count(100_000)).toBe(99_999);
    expect(s.isSelected(undefined, 50_000)).toBe(false);
    expect(s.isSelected(undefined, 99_999)).toBe(true);
    // Counting clips to the view: a shorter view counts what it has.
    expect(s.count(10)).toBe(10);
  });

  it('select-all counts every photo, loaded or not, minus those unticked after', () => {
    const s = new SelectionStore();
    s.selectAll();
    expect(s.count(100_000)).toBe(100_000);
    s.toggle(undefined, 7);
    s.extendTo(undefined, 9); // unticks 7–9
    expect(s.count(100_000)).toBe(99_997);
    expect(selected(s, 12)).toEqual([0, 1, 2, 3, 4, 5, 6, 10, 11]);
    s.toggle(undefined, 8);
    expect(s.count(100_000)).toBe(99_998);
  });

  it('resolves ranges over unloaded pages lazily, only the pages they cover', async () => {
    const s = new SelectionStore();
    s.toggle(1100, 100);
    s.extendTo(3599, 2599); // 2,500 photos across 3 chunks
    s.toggle(91_000, 90_000); // one far away, clicked (its id known)
    const { ids, calls } = idsOf(100_000);
    const target = await s.target({ kind: 'all' }, ids);
    expect('ids' in target && target.ids.length).toBe(2501);
    expect('ids' in target && target.ids.slice(0, 2)).toEqual([1100, 1101]);
    expect(calls).toEqual([
      [100, 1000],
      [1100, 1000],
      [2100, 500],
    ]); // the clicked one needed no fetch
    expect('ids' in target && target.ids.at(-1)).toBe(91_000);
  });

  it('select-all becomes {all, view, except}, with the folder the grid was paged with', async () => {
    const s = new SelectionStore();
    s.selectAll();
    s.toggle(1005, 5);
    s.toggle(undefined, 70_000);
    const { ids, calls } = idsOf(100_000);
    expect(await s.target({ kind: 'album', albumId: 3 }, ids)).toEqual({
      all: true,
      view: { kind: 'album', albumId: 3 },
      except: [1005, 71_000],
    });
    expect(calls).toEqual([[70_000, 1]]);
    expect(await s.target({ kind: 'all', folderId: 4 }, ids)).toEqual({
      all: true,
      view: { kind: 'all' },
      folderId: 4,
      except: [1005, 71_000],
    });
    expect(await s.target({ kind: 'favourites' }, ids, 9)).toEqual({
      all: true,
      view: { kind: 'favourites' },
      folderId: 9,
      except: [1005, 71_000],
    });
  });

  it('refuses when a clicked photo is no longer where it was clicked', async () => {
    const s = new SelectionStore();
    s.toggle(1100, 100);
    s.extendTo(1300, 300);
    const moved = idsOf(1000, 2); // two photos arrived above: every index now holds another photo
    await expect(s.target({ kind: 'all' }, moved.ids)).rejects.toBeInstanceOf(SelectionChangedError);
    await expect(new SelectionStore().target({ kind: 'all' }, moved.ids)).rejects.toThrow('Nothing is selected');
  });

  it('stops at the end of a view shorter than a range', async () => {
    const s = new SelectionStore();
    s.toggle(undefined, 5);
    s.extendTo(undefined, 2500);
    const { ids, calls } = idsOf(1200);
    const target = await s.target({ kind: 'all' }, ids);
    expect('ids' in target && target.ids.length).toBe(1195);
    expect(calls).toEqual([
      [5, 1000],
      [1005, 1000],
    ]);
  });
});

describe('grid clicks and keys on the selection', () => {
  const key = (k: string, mods: Partial<KeyPress> = {}): KeyPress => ({
    key: k,
    shiftKey: false,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    ...mods,
  });
  const idAt = (i: number) => 1000 + i;
  const plain = { shift: false, toggle: false, check: false };

  it('a plain click opens until something is ticked; then it ticks', () => {
    const s = new SelectionStore();
    expect(clickSelects(s, plain, 3, idAt)).toBe(false);
    expect(clickSelects(undefined, { ...plain, check: true }, 3, idAt)).toBe(false);
    expect(clickSelects(s, { ...plain, check: true }, 3, idAt)).toBe(true);
    expect(clickSelects(s, plain, 6, idAt)).toBe(true);
    expect(clickSelects(s, { ...plain, shift: true }, 8, idAt)).toBe(true);
    expect(selected(s, 10)).toEqual([3, 6, 7, 8]);
    expect(clickSelects(s, { ...plain, toggle: true }, 7, idAt)).toBe(true);
    expect(selected(s, 10)).toEqual([3, 6, 8]);
  });

  it('Ctrl/Cmd+A, Space, Shift+Space and Esc; other keys are left alone', () => {
    const s = new SelectionStore();
    expect(keySelects(s, key('Escape'), 0, idAt)).toBe(false); // nothing to clear: Esc is someone else's
    expect(keySelects(s, key(' '), 4, idAt)).toBe(true);
    expect(keySelects(s, key(' ', { shiftKey: true }), 6, idAt)).toBe(true);
    expect(selected(s, 10)).toEqual([4, 5, 6]);
    expect(keySelects(s, key('a'), 0, idAt)).toBe(false);
    expect(keySelects(s, key('A', { metaKey: true }), 0, idAt)).toBe(true);
    expect(s.count(500)).toBe(500);
    expect(keySelects(s, key('Escape'), 0, idAt)).toBe(true);
    expect(s.active).toBe(false);
    expect(keySelects(undefined, key(' '), 0, idAt)).toBe(false);
  });

  it('Shift+moves extend from the focused photo, then from the anchor', () => {
    const s = new SelectionStore();
    extendOnMove(s, false, 2, 3, idAt);
    expect(s.active).toBe(false);
    extendOnMove(s, true, 2, 3, idAt);
    extendOnMove(s, true, 3, 7, idAt); // a move down a row
    expect(selected(s, 10)).toEqual([2, 3, 4, 5, 6, 7]);
    extendOnMove(s, true, 7, 1, idAt);
    expect(selected(s, 10)).toEqual([1, 2]);
  });
});
