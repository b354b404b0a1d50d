/**
 * @file Thumbnails fetched ahead of the grid's scroll direction, so that rows arriving on screen find
 * theirs in the browser's cache (the host sends them with max-age). Runs in the renderer.
 *
 * Only a few requests at a time: the host is one origin (six connections), and the thumbnails of the
 * rows on screen must not queue behind rows that may never be reached. A newer call replaces the
 * queue (the scroll went on), and URLs already fetched are remembered (bounded) so that scrolling back
 * and forth does not ask again.
 */

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

function loadImage(url: string): Promise<void> {
  return new Promise((resolve) => {
    const img = new Image();
    img.fetchPriority = 'low'; // behind the thumbnails of the cells on screen
    img.onload = img.onerror = () => resolve();
    img.src = url;
  });
}
