/**
 * @file The justified grid's layout data for the grid's photos: `photos:layout` ([Note: Grid layout data]
 * in preload/contract/layout.ts) asked with the same view, folder and map area as the pages, decoded once
 * per answer. Runs in the renderer; the Library page asks it beside the timeline and hands it to the grid.
 *
 * Asked again whenever the timeline is (the Library page reloads it on `library:changed`, throttled): the
 * page passes the timeline's answer as `refresh`, so rows and pages change together. While a new answer is
 * on its way the old one stays: rows do not flash back to squares during a scan. The page waits for the
 * first answer as it waits for the timeline, so the grid never shows squares first.
 */
import { useEffect, useState } from 'react';
import type { Bbox, PhotoView } from '../../../../preload/contract';
import { useClient } from '../../hooks';
import { decodeAspects } from './justified-layout';

/** What the grid's pages are asked with; the layout is asked with the same. */
export interface LayoutQuery {
  view?: PhotoView;
  folderId?: number;
  bbox?: Bbox;
}

export interface LayoutData {
  days: readonly string[];
  counts: readonly number[];
  aspects: Float32Array;
  total: number;
}

/** How long the page waits for the first layout before it shows the square grid meanwhile (ms). */
const WAIT_MS = 400;

/**
 * The layout of `query`'s photos: `data` null without a query or when the request failed (the grid is then
 * square), `pending` until the first answer (the grid waits rather than flash squares) but no longer than
 * WAIT_MS: a host busy with its startup rescan answered the 100k layout in 8 s once (bench:grid), and
 * squares at once beat a blank page.
 */
export function useLayoutData(query: LayoutQuery | null | undefined, refresh: unknown): { data: LayoutData | null; pending: boolean } {
  const client = useClient();
  const json = query ? JSON.stringify(query) : null;
  const [state, setState] = useState<{ json: string | null; data: LayoutData | null }>({ json: null, data: null });
  const [waited, setWaited] = useState<string | null>(null);
  useEffect(() => {
    if (json === null) return undefined;
    const timer = setTimeout(() => setWaited(json), WAIT_MS);
    return () => clearTimeout(timer);
  }, [json]);
  useEffect(() => {
    if (json === null) return undefined;
    let live = true;
    client.call('photos:layout', JSON.parse(json) as LayoutQuery).then(
      (r) => {
        if (live) setState({ json, data: { days: r.days, counts: r.counts, aspects: decodeAspects(r.aspects), total: r.total } });
      },
      () => {
        // An older host without the request, or a failed one: the grid falls back to squares.
        if (live) setState((s) => (s.json === json ? s : { json, data: null }));
      },
    );
    return () => {
      live = false;
    };
  }, [client, json, refresh]);
  if (json === null) return { data: null, pending: false };
  return { data: state.json === json ? state.data : null, pending: state.json !== json && waited !== json };
}
