/**
 * @file Pages and thumbnails fetched ahead of the grid's scroll direction, so that rows arriving on screen
 * find theirs in the browser's cache (the host sends them with max-age). Runs in the renderer.
 *
 * Only a few requests at a time: the host is one origin (six connections), and the thumbnails of the
 * rows on screen must not queue behind rows that may never be reached. A newer call replaces the
 * queue (the scroll went on), and URLs already fetched are remembered (bounded) so that scrolling back
 * and forth does not ask again.
 */

import { useEffect, useMemo, useRef } from 'react';
import { thumbUrl } from '../../media';
import type { PhotoStore } from './photo-store';

/** Prefetch requests in flight at most. */
const IN_FLIGHT = 4;
/** URLs remembered as fetched; the oldest are forgotten first. */
const REMEMBERED = 5000;

export interface ThumbPrefetcher {
  /** Fetches these URLs, nearest first, dropping whatever an earlier call still had queued. */
  prefetch(urls: readonly string[]): void;
}

/** A prefetcher over `load` (by default an `Image`, which fills the HTTP cache). */
export function createThumbPrefetcher(load: (url: string) => Promise<void> = loadImage): ThumbPrefetcher {
  const done = new Set<string>();
  let queue: string[] = [];
  let flying = 0;
  const pump = () => {
    while (flying < IN_FLIGHT && queue.length > 0) {
      const url = queue.shift()!;
      if (done.has(url)) continue;
      done.add(url);
      if (done.size > REMEMBERED) done.delete(done.values().next().value!);
      flying++;
      void load(url).finally(() => {
        flying--;
        pump();
      });
    }
  };
  return {
    prefetch(urls) {
      queue = urls.filter((u) => !done.has(u));
      pump();
    },
  };
}

/** What the grid shows and where it goes, for `usePagesAhead`. */
export interface PagesAheadArgs {
  store: PhotoStore;
  /** The store's version: thumbnails of pages that arrived are prefetched too. */
  version: number;
  fling: boolean;
  /** Photos [first, last) in the rendered rows. */
  first: number;
  last: number;
  total: number;
  /** Photos to fetch ahead (about two screens). */
  ahead: number;
  mediaBase: string;
}

/**
 * Pages and thumbnails for the rows ahead of the scroll direction. Not before the first scroll: the first
 * screen's own thumbnails must not queue behind them; not during a fling (it outruns any prefetch).
 */
export function usePagesAhead({ store, version, fling, first, last, total, ahead, mediaBase }: PagesAheadArgs): void {
  const prefetcher = useMemo(() => createThumbPrefetcher(), []);
  const lastFirst = useRef(first);
  /** 1 down, -1 up, 0 before the first scroll. */
  const direction = useRef(0);
  useEffect(() => {
    if (last <= first) return;
    if (first !== lastFirst.current) direction.current = first > lastFirst.current ? 1 : -1;
    lastFirst.current = first;
    if (direction.current === 0) {
      store.ensureRange(first, last);
      return;
    }
    const down = direction.current > 0;
    const [from, to] = down ? [last, Math.min(total, last + ahead)] : [Math.max(0, first - ahead), first];
    store.ensureRange(Math.min(first, from), Math.max(last, to));
    if (fling) return; // the view outruns any thumbnail prefetch; it starts again as the fling ends
    const urls: string[] = [];
    for (let k = 0; k < to - from; k++) {
      const thumb = store.get(down ? from + k : to - 1 - k)?.thumb;
      if (thumb) urls.push(thumbUrl(mediaBase, thumb));
    }
    prefetcher.prefetch(urls);
  }, [store, version, prefetcher, fling, first, last, total, ahead, mediaBase]);
}

function loadImage(url: string): Promise<void> {
  return new Promise((resolve) => {
    const img = new Image();
    img.fetchPriority = 'low'; // behind the thumbnails of the cells on screen
    img.onload = img.onerror = () => resolve();
    img.src = url;
  });
}
