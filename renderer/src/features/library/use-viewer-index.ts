/**
 * @file The Library page's open viewer: which index it shows, kept on the same photo while the grid's
 * order changes under it. Runs in the renderer (a React hook over the page cache, photo-store.ts).
 *
 * [Note: The viewer follows its photo] The viewer shows a position in the grid's order (its "n of N",
 * ← / →, the slideshow), but that order changes while the library is indexed: the metadata step reads a
 * photo's capture date and the grid (newest first) re-sorts, so a photo first placed by its file time
 * moves. The viewer therefore remembers the photo's id with its index and, whenever the pages change
 * (`library:changed` refetches the timeline and marks the pages stale), finds that id again: in the
 * current pages, after loading the page at its index when that is stale (`followStep` in
 * viewer-follow.ts); when none holds it, by a binary search over the pages with its new sort key from
 * `photos:get` (`locate`: no request of its own, the order is the pages'). The index follows the photo, so
 * the counter tells its new place and ← / → go to its new neighbours. When the view no longer holds it
 * (hidden, moved to the Trash, deleted) the index stays, as before.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useClient } from '../../hooks';
import type { PhotoStore } from './photo-store';
import { followStep, locate } from './viewer-follow';

interface Shown {
  index: number;
  /** The photo shown; undefined until the page at `index` is current. */
  id: number | undefined;
}

export interface ViewerIndex {
  /** The index the viewer shows, or null when it is closed. */
  index: number | null;
  /** Shows the photo at `index` (opening the viewer when it is closed). */
  show: (index: number) => void;
  close: () => void;
}

/**
 * The viewer's index over `store`, following its photo. `refresh` changes whenever the page's order may
 * have changed (the Library page passes the timeline's answer, reloaded on `library:changed`).
 */
export function useViewerIndex(store: PhotoStore, refresh: unknown): ViewerIndex {
  const client = useClient();
  const [shown, setShown] = useState<Shown | null>(null);
  /** The photo last looked for beyond the loaded pages, and for which refresh: once per change is enough. */
  const searched = useRef<{ id: number; refresh: unknown } | null>(null);
  const version = useSyncExternalStore(store.subscribe, store.getVersion);
  const show = useCallback((index: number) => setShown({ index, id: store.isCurrent(index) ? store.get(index)?.id : undefined }), [store]);
  const close = useCallback(() => setShown(null), []);

  // Moved to a page not loaded, or out of the view: look it up by its new sort key, once per change.
  const lookUp = useCallback(
    (id: number, index: number) => {
      if (searched.current?.id === id && searched.current.refresh === refresh) return;
      searched.current = { id, refresh };
      client
        .call('photos:get', { id })
        .then((photo) => locate(store, photo))
        .then(
          (found) => {
            if (found !== undefined) setShown((s) => (s?.id === id && s.index === index ? { index: found, id } : s));
          },
          () => {
            // Deleted (not found) or the host is away: the index stays, as for a photo that left the view.
          },
        );
    },
    [client, store, refresh],
  );

  useEffect(() => {
    if (!shown) return undefined;
    const { index, id } = shown;
    let live = true;
    // The page at the index first (at once when it is current; fetched again when a change made it stale).
    void store.at(index).then(() => {
      if (!live) return;
      if (id === undefined) {
        // Opened (or moved) onto a page that was not current: the photo there is the one shown.
        const known = store.isCurrent(index) ? store.get(index)?.id : undefined;
        if (known !== undefined) setShown({ index, id: known });
        return;
      }
      const step = followStep(store, index, id);
      switch (step.kind) {
        case 'move':
          setShown({ index: step.index, id });
          return;
        case 'lost':
          lookUp(id, index);
          return;
        case 'stay':
        case 'load': // the page could not be fetched: the next change tries again
          return;
      }
    });
    return () => {
      live = false;
    };
    // `version`: the pages changed; `refresh`: the order may have (the pages are stale, with no notice yet).
  }, [store, version, refresh, shown, lookUp]);

  return { index: shown?.index ?? null, show, close };
}
