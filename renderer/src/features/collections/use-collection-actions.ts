/**
 * @file The Library page's collection actions on the selection (or, from the keyboard, the focused
 * photo): favourite, rate, hide and unhide, add to and remove from an album, move to the Trash after a
 * confirmation, restore from Recently removed, and Undo. Runs in the renderer; used by
 * ../library/library-view.tsx, whose selection bar (./selection-bar.tsx) and keys call these.
 *
 * [Note: Optimistic collection changes] Favourite and rating change the loaded grid cells at once
 * (PhotoStore.patch) and then ask the host; a failure refetches, which puts the true values back, and
 * says why inline. Changes that take photos out of the view (hide, remove from album, trash, restore)
 * wait for the host instead: removing cells optimistically would shift every index after them, and the
 * selection is kept by index too. Every change ends with a refetch of the timeline and visible pages.
 */
import { useCallback, useRef, useState } from 'react';
import type { AlbumDto, PhotoSelection, PhotoSummary, TrashPlan } from '../../../../preload/contract';
import { errorMessage, type ShoeboxClient } from '../../api';
import type { PhotoStore } from '../library/photo-store';
import type { SelectionStore } from '../library/selection';
import { movedText, nextFavourite, photosLabel, ratedText, restoredText } from './collection-texts';
import type { ScopeQuery } from './library-scope';

/** Something the user can take back: the toast's text and what Undo does (resolving to what it says after). */
export interface UndoOffer {
  id: number;
  message: string;
  undo: () => Promise<string>;
}

/** The photos an action applies to, and how to find them among the loaded cells. */
interface Target {
  selection: PhotoSelection;
  match: (item: PhotoSummary, index: number) => boolean;
  /** How many photos, for messages. */
  count: number;
  /** Whether it is the grid's selection (cleared after an action that takes photos out of the view). */
  selected: boolean;
}

export interface CollectionActionsOptions {
  client: ShoeboxClient;
  store: PhotoStore;
  selection: SelectionStore;
  /** The view the grid pages, or null on the Albums list. */
  query: ScopeQuery | null;
  /** Photos in the view (for the selection's count). */
  total: number;
  /** The id of the photo with the grid's focus ring, for keys pressed with nothing selected. */
  focusedPhoto: () => { id: number; index: number } | null;
  /** Refetches the timeline and the visible pages. */
  refresh: () => void;
}

export interface CollectionActions {
  /** The action running now ("Moving to the Trash…"), or null. */
  busy: string | null;
  /** Why the last action failed, shown inline in the bar; null when it did not. */
  error: string | null;
  /** What the last action did, for the polite live region. */
  status: string;
  undoOffer: UndoOffer | null;
  trashPlan: TrashPlan | null;
  /** Whether the known selected photos are all favourites (the bar then offers Unfavourite). */
  allFavourite: () => boolean;
  toggleFavourite: (useSelection: boolean) => Promise<void>;
  setFavourite: (favourite: boolean) => Promise<void>;
  rate: (rating: number, useSelection: boolean) => Promise<void>;
  setHidden: (hidden: boolean) => Promise<void>;
  addToAlbum: (album: AlbumDto) => Promise<void>;
  createAlbum: (name: string) => Promise<void>;
  removeFromAlbum: (albumId: number, albumName: string) => Promise<void>;
  askTrash: () => Promise<void>;
  confirmTrash: () => Promise<void>;
  cancelTrash: () => void;
  restore: () => Promise<void>;
  runUndo: () => Promise<void>;
  dismissUndo: () => void;
  clearError: () => void;
}

export function useCollectionActions({
  client,
  store,
  selection,
  query,
  total,
  focusedPhoto,
  refresh,
}: CollectionActionsOptions): CollectionActions {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [undoOffer, setUndoOffer] = useState<UndoOffer | null>(null);
  const [trashPlan, setTrashPlan] = useState<TrashPlan | null>(null);
  const pendingTrash = useRef<Target | null>(null);
  const nextOffer = useRef(1);

  /** The selection (as ids, or `all` with the view's exceptions), else the focused photo when allowed. */
  const resolve = useCallback(
    async (useSelection: boolean): Promise<Target | null> => {
      if (query === null) return null;
      if (selection.active && useSelection) {
        let picked: PhotoSelection;
        try {
          picked = await selection.target(query.view, (offset, limit) => store.ids(offset, limit), query.folderId);
          // Everything the grid shows is everything in its map area, when it has one.
          if (query.bbox && 'all' in picked) picked = { ...picked, bbox: query.bbox };
        } catch (err) {
          // The view changed under the selection (a scan), or every ticked photo is gone: nothing to act on.
          setError(errorMessage(err));
          return null;
        }
        return {
          selection: picked,
          match: (item, index) => selection.isSelected(item.id, index),
          count: selection.count(total),
          selected: true,
        };
      }
      const focused = focusedPhoto();
      if (!focused) return null;
      return { selection: { ids: [focused.id] }, match: (item) => item.id === focused.id, count: 1, selected: false };
    },
    [query, selection, store, total, focusedPhoto],
  );

  /** Runs one host call with the busy label, the inline error, and the refresh after. */
  const run = useCallback(
    async (label: string, body: () => Promise<string | null>): Promise<void> => {
      setBusy(label);
      setError(null);
      try {
        const said = await body();
        if (said) setStatus(said);
      } catch (err) {
        setError(errorMessage(err));
      } finally {
        setBusy(null);
        refresh();
      }
    },
    [refresh],
  );

  const offerUndo = useCallback((message: string, undo: () => Promise<string>) => {
    setUndoOffer({ id: nextOffer.current++, message, undo });
  }, []);
  /** Undo for a favourite, rating, hidden or album change ([Note: Collections undo] in preload/contract/collections.ts). */
  const undoChange = useCallback(
    (token: string, after: string) => async () => {
      await client.call('collections:undo', { undoToken: token });
      return after;
    },
    [client],
  );

  const known = useCallback((t: Target) => [...store.loaded()].filter(([i, p]) => t.match(p, i)).map(([, p]) => p), [store]);

  const allFavourite = useCallback(() => {
    if (!selection.active) return false;
    const picked = [...store.loaded()].filter(([i, p]) => selection.isSelected(p.id, i)).map(([, p]) => p);
    return picked.length > 0 && !nextFavourite(picked);
  }, [selection, store]);

  const applyFavourite = useCallback(
    async (t: Target, favourite: boolean) => {
      // [Note: Optimistic collection changes]
      store.patch(t.match, (p) => ({ ...p, favourite }));
      await run(favourite ? 'Adding to Favourites…' : 'Removing from Favourites…', async () => {
        await client.call('photos:setFavourite', { selection: t.selection, favourite });
        return favourite ? `Added ${photosLabel(t.count)} to Favourites.` : `Removed ${photosLabel(t.count)} from Favourites.`;
      });
    },
    [client, run, store],
  );

  const toggleFavourite = useCallback(
    async (useSelection: boolean) => {
      const t = await resolve(useSelection);
      if (t) await applyFavourite(t, nextFavourite(known(t)));
    },
    [resolve, applyFavourite, known],
  );

  const setFavourite = useCallback(
    async (favourite: boolean) => {
      const t = await resolve(true);
      if (t) await applyFavourite(t, favourite);
    },
    [resolve, applyFavourite],
  );

  const rate = useCallback(
    async (rating: number, useSelection: boolean) => {
      const t = await resolve(useSelection);
      if (!t) return;
      store.patch(t.match, (p) => {
        const { rating: _old, ...rest } = p;
        return rating > 0 ? { ...rest, rating } : rest;
      });
      await run('Rating…', async () => {
        await client.call('photos:setRating', { selection: t.selection, rating });
        return ratedText(t.count, rating);
      });
    },
    [client, resolve, run, store],
  );

  const setHidden = useCallback(
    async (hidden: boolean) => {
      const t = await resolve(true);
      if (!t) return;
      await run(hidden ? 'Hiding…' : 'Unhiding…', async () => {
        const r = await client.call('photos:setHidden', { selection: t.selection, hidden });
        selection.clear();
        const said = hidden ? `Hid ${photosLabel(r.changed)}. They are in Hidden.` : `${photosLabel(r.changed)} back in the library.`;
        if (r.undoToken) offerUndo(said, undoChange(r.undoToken, hidden ? 'Unhid them again.' : 'Hid them again.'));
        return said;
      });
    },
    [client, resolve, run, selection, offerUndo, undoChange],
  );

  const addToAlbum = useCallback(
    async (album: AlbumDto) => {
      const t = await resolve(true);
      if (!t) return;
      await run('Adding to the album…', async () => {
        const r = await client.call('albums:add', { albumId: album.id, selection: t.selection });
        const said =
          r.changed === t.count || t.count === 0
            ? `Added ${photosLabel(r.changed)} to ${album.name}.`
            : `Added ${photosLabel(r.changed)} to ${album.name} (the others were in it already).`;
        if (r.undoToken) offerUndo(said, undoChange(r.undoToken, `Took them out of ${album.name} again.`));
        return said;
      });
    },
    [client, resolve, run, offerUndo, undoChange],
  );

  const createAlbum = useCallback(
    async (name: string) => {
      const t = await resolve(true);
      // The dialog shows a refusal (a bad name) itself, so this one throws instead of setting `error`.
      const album = await client.call('albums:create', t ? { name, selection: t.selection } : { name });
      setStatus(`Created the album ${album.name} with ${photosLabel(album.added)}.`);
      refresh();
    },
    [client, resolve, refresh],
  );

  const removeFromAlbum = useCallback(
    async (albumId: number, albumName: string) => {
      const t = await resolve(true);
      if (!t) return;
      await run('Removing from the album…', async () => {
        const r = await client.call('albums:remove', { albumId, selection: t.selection });
        selection.clear();
        const said = `Removed ${photosLabel(r.changed)} from ${albumName}. They are still in the library.`;
        if (r.undoToken) offerUndo(said, undoChange(r.undoToken, `Put them back in ${albumName}.`));
        return said;
      });
    },
    [client, resolve, run, selection, offerUndo, undoChange],
  );

  const askTrash = useCallback(async () => {
    const t = await resolve(true);
    if (!t) return;
    setBusy('Checking…');
    setError(null);
    try {
      const plan = await client.call('trash:plan', { selection: t.selection });
      pendingTrash.current = t;
      setTrashPlan(plan);
    } catch (err) {
      setError(`Could not prepare the move to the Trash: ${errorMessage(err)}`);
    } finally {
      setBusy(null);
    }
  }, [client, resolve]);

  const cancelTrash = useCallback(() => {
    pendingTrash.current = null;
    setTrashPlan(null);
  }, []);

  const confirmTrash = useCallback(async () => {
    const t = pendingTrash.current;
    setTrashPlan(null);
    pendingTrash.current = null;
    if (!t) return;
    await run('Moving to the Trash…', async () => {
      const r = await client.call('trash:move', { selection: t.selection });
      if (t.selected) selection.clear();
      const said = movedText(r);
      if (r.failedCount > 0) setError(said);
      const token = r.undoToken;
      if (token) {
        offerUndo(said, async () => restoredText(await client.call('trash:undo', { undoToken: token })));
      }
      return said;
    });
  }, [client, run, selection, offerUndo]);

  const restore = useCallback(async () => {
    const t = await resolve(true);
    if (!t) return;
    await run('Restoring…', async () => {
      const r = await client.call('trash:restore', { selection: t.selection });
      selection.clear();
      const said = restoredText(r);
      if (r.missingCount > 0) setError(said);
      return said;
    });
  }, [client, resolve, run, selection]);

  const runUndo = useCallback(async () => {
    const offer = undoOffer;
    if (!offer) return;
    setUndoOffer(null);
    await run('Undoing…', async () => {
      const said = await offer.undo();
      if (/could not/.test(said)) setError(said);
      return said;
    });
  }, [undoOffer, run]);

  const dismissUndo = useCallback(() => setUndoOffer(null), []);
  const clearError = useCallback(() => setError(null), []);

  return {
    busy,
    error,
    status,
    undoOffer,
    trashPlan,
    allFavourite,
    toggleFavourite,
    setFavourite,
    rate,
    setHidden,
    addToAlbum,
    createAlbum,
    removeFromAlbum,
    askTrash,
    confirmTrash,
    cancelTrash,
    restore,
    runUndo,
    dismissUndo,
    clearError,
  };
}
