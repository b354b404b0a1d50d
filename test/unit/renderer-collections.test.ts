/**
 * @file Unit tests of the renderer's collection logic: which view a Library scope pages and which
 * actions its selection bar offers, the words of the Trash confirmation and of the results of a move or
 * a restore, the grid's collection keys, the favourite toggle, the tile badges' description, and the
 * page cache's helpers the actions use (ids of a range, optimistic patches).
 */
import { describe, expect, it, vi } from 'vitest';
import type { ApiClient, PhotoPage, PhotoSummary, RequestArgs, TrashPlan } from '../../preload/contract';
import {
  foldersText,
  gridKeyAction,
  movedText,
  nextFavourite,
  ratedText,
  restoredText,
  trashConfirmation,
} from '../../renderer/src/features/collections/collection-texts';
import { queryOf, scopeActions, scopeKey } from '../../renderer/src/features/collections/library-scope';
import { badgeText } from '../../renderer/src/features/collections/tile-badges';
import { PhotoStore } from '../../renderer/src/features/library/photo-store';

const plan = (over: Partial<TrashPlan> = {}): TrashPlan => ({
  photos: 3,
  files: 3,
  folders: [
    { folderId: 1, path: '/home/me/Pictures/Trips', files: 2 },
    { folderId: 2, path: '/home/me/Phone/', files: 1 },
  ],
  refused: [],
  refusedCount: 0,
  undoAvailable: true,
  undoNote: null,
  ...over,
});

describe('library scopes', () => {
  it('pages the folder only in the all scope, and nothing for the Albums list', () => {
    expect(queryOf({ kind: 'all' }, 4)).toEqual({ view: { kind: 'all' }, folderId: 4 });
    expect(queryOf({ kind: 'all' }, null)).toEqual({ view: { kind: 'all' } });
    expect(queryOf({ kind: 'favourites' }, 4)).toEqual({ view: { kind: 'favourites' } });
    expect(queryOf({ kind: 'album', albumId: 9, name: 'Trip' }, null)).toEqual({ view: { kind: 'album', albumId: 9 } });
    expect(queryOf({ kind: 'albums' }, null)).toBeNull();
  });

  it('gives each view its own key, and an album the same key across a rename', () => {
    const keys = [
      scopeKey({ kind: 'all' }, null),
      scopeKey({ kind: 'all' }, 2),
      scopeKey({ kind: 'hidden' }, null),
      scopeKey({ kind: 'trash' }, null),
    ];
    expect(new Set(keys).size).toBe(4);
    expect(scopeKey({ kind: 'album', albumId: 3, name: 'a' }, null)).toBe(scopeKey({ kind: 'album', albumId: 3, name: 'b' }, 7));
  });

  it('offers Unhide in Hidden, Remove from album in an album, and only Restore in Recently removed', () => {
    expect(scopeActions({ kind: 'all' })).toMatchObject({ hide: 'hide', removeFromAlbum: false, trash: true, restore: false });
    expect(scopeActions({ kind: 'hidden' }).hide).toBe('unhide');
    expect(scopeActions({ kind: 'album', albumId: 1, name: 'x' }).removeFromAlbum).toBe(true);
    expect(scopeActions({ kind: 'trash' })).toEqual({
      favourite: false,
      rating: false,
      hide: null,
      addToAlbum: false,
      removeFromAlbum: false,
      trash: false,
      restore: true,
    });
  });
});

describe('trash confirmation', () => {
  it('names the count and the folders, and says nothing is deleted for good', () => {
    const c = trashConfirmation(plan());
    expect(c.title).toBe('Move 3 photos to the Trash?');
    expect(c.message).toContain('from Trips and Phone');
    expect(c.message).toContain('Nothing is deleted for good');
    expect(c.message).toContain('restore them from Recently removed');
    expect(c.blocked).toBe(false);
    expect(c.refusals).toEqual([]);
  });

  it('lists read-only refusals, and blocks when nothing can move', () => {
    const refused = [{ photoId: 5, path: '/mnt/cd/a.jpg', reason: 'the folder is read-only' }];
    const some = trashConfirmation(plan({ photos: 2, refused, refusedCount: 1 }));
    expect(some.blocked).toBe(false);
    expect(some.message).toContain('1 photo will stay where it is:');
    expect(some.refusals).toEqual(['a.jpg: the folder is read-only']);
    const none = trashConfirmation(plan({ photos: 0, files: 0, folders: [], refused, refusedCount: 4 }));
    expect(none.blocked).toBe(true);
    expect(none.title).toBe('Cannot move to the Trash');
    expect(none.moreRefused).toBe('and 3 more');
  });

  it('says when Undo cannot bring files back on this system', () => {
    const c = trashConfirmation(plan({ undoAvailable: false, undoNote: 'On Windows, restore them from the Recycle Bin.' }));
    expect(c.message).toContain('On Windows, restore them from the Recycle Bin.');
    expect(c.message).not.toContain('You can undo');
  });

  it('shortens long folder lists', () => {
    expect(foldersText([{ path: '/a' }, { path: '/b' }, { path: '/c' }, { path: '/d' }, { path: '/e' }])).toBe('a, b and 3 other folders');
    expect(foldersText([{ path: '/x/only' }])).toBe('only');
  });
});

describe('result messages', () => {
  it('says what moved and what did not', () => {
    expect(movedText({ moved: 2, files: 2, failed: [], failedCount: 0, undoToken: 't' })).toBe('Moved 2 photos to the Trash.');
    expect(
      movedText({
        moved: 1,
        files: 1,
        failed: [{ photoId: 3, path: '/ro/b.jpg', reason: 'permission denied' }],
        failedCount: 2,
        undoToken: 't',
      }),
    ).toBe('Moved 1 photo to the Trash. 2 photos could not be moved (b.jpg: permission denied, …).');
    expect(restoredText({ restored: 3, missing: [], missingCount: 0 })).toBe('Restored 3 photos.');
    expect(restoredText({ restored: 0, missing: [{ photoId: 1, path: null, reason: 'emptied from the trash' }], missingCount: 1 })).toBe(
      'Nothing was restored. 1 photo could not be put back (emptied from the trash).',
    );
    expect(ratedText(2, 0)).toBe('Cleared the rating of 2 photos.');
    expect(ratedText(1, 1)).toBe('Rated 1 photo 1 star.');
  });
});

describe('grid keys and the favourite toggle', () => {
  const key = (k: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {}) =>
    gridKeyAction({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

  it('maps . to favourite, 0–5 to a rating, Ctrl/Cmd+Z to undo, and nothing else', () => {
    expect(key('.')).toEqual({ kind: 'favourite' });
    expect(key('0')).toEqual({ kind: 'rating', rating: 0 });
    expect(key('5')).toEqual({ kind: 'rating', rating: 5 });
    expect(key('6')).toBeNull();
    expect(key('z', { ctrlKey: true })).toEqual({ kind: 'undo' });
    expect(key('Z', { metaKey: true })).toEqual({ kind: 'undo' });
    expect(key('z', { ctrlKey: true, shiftKey: true })).toBeNull();
    expect(key('3', { ctrlKey: true })).toBeNull();
    expect(key('.', { altKey: true })).toBeNull();
  });

  it('unfavourites only when every known photo is a favourite', () => {
    expect(nextFavourite([{ favourite: true }, { favourite: true }])).toBe(false);
    expect(nextFavourite([{ favourite: true }, {}])).toBe(true);
    expect(nextFavourite([])).toBe(true);
  });

  it('describes a tile by its heart and stars', () => {
    expect(badgeText({ favourite: true, rating: 4 })).toBe('Favourite, 4 stars');
    expect(badgeText({ rating: 1 })).toBe('1 star');
    expect(badgeText({})).toBe('');
  });
});

function summary(i: number): PhotoSummary {
  return {
    id: i + 1,
    kind: 'image',
    thumb: null,
    width: 1,
    height: 1,
    takenAt: '2024-07-01T00:00:00',
    day: '2024-07-01',
    name: `p${i}.jpg`,
    status: 'ok',
  };
}

function fakeClient(total: number) {
  const calls: RequestArgs<'photos:page'>[] = [];
  const call = vi.fn(async (_method: string, args: RequestArgs<'photos:page'>): Promise<PhotoPage> => {
    calls.push(args);
    await Promise.resolve();
    const items = Array.from({ length: Math.max(0, Math.min(args.limit, total - args.offset)) }, (_, k) => summary(args.offset + k));
    return { items, total, offset: args.offset };
  });
  return { client: { call } as unknown as Pick<ApiClient, 'call'>, calls };
}

describe('photo store for collections', () => {
  it('pages a view with its folder filter', async () => {
    const f = fakeClient(10);
    const store = new PhotoStore(f.client, { view: { kind: 'favourites' } }, 4);
    await store.at(0);
    expect(f.calls[0]).toEqual({ offset: 0, limit: 4, view: { kind: 'favourites' } });
  });

  it('resolves the ids of a range across pages, and stops at the end', async () => {
    const f = fakeClient(10);
    const store = new PhotoStore(f.client, null, 4);
    await expect(store.ids(2, 5)).resolves.toEqual([3, 4, 5, 6, 7]);
    expect(f.calls.map((c) => c.offset)).toEqual([0, 4]);
    await expect(store.ids(8, 100)).resolves.toEqual([9, 10]);
  });

  it('patches the loaded cells it matches at once, and tells the grid', async () => {
    const f = fakeClient(10);
    const store = new PhotoStore(f.client, null, 4);
    await store.ids(0, 8);
    const before = store.get(5);
    const changed = vi.fn();
    store.subscribe(changed);
    const v = store.getVersion();
    expect(
      store.patch(
        (_p, i) => i % 2 === 1,
        (p) => ({ ...p, favourite: true }),
      ),
    ).toBe(4);
    expect(store.get(5)?.favourite).toBe(true);
    expect(store.get(4)?.favourite).toBeUndefined();
    expect(store.get(5)).not.toBe(before); // a new object: memoized cells re-render
    expect(store.getVersion()).toBeGreaterThan(v);
    expect(changed).toHaveBeenCalledTimes(1);
    expect(
      store.patch(
        () => false,
        (p) => p,
      ),
    ).toBe(0);
    expect(changed).toHaveBeenCalledTimes(1);
    expect([...store.loaded()].length).toBe(8);
  });
});
