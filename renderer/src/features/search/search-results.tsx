/**
 * @file The library page while a search is active: the results header, the results in the library's
 * virtualized grid (best match first, or newest first), pages fetched by offset as the user scrolls,
 * and the viewer stepping through the results only. Closing the viewer puts the focus back on the
 * result last shown. The results are asked for again when the library changes (not while the viewer is
 * open, where the order must hold still). Runs in the renderer.
 */
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { TimelineGroup } from '../../../../preload/contract';
import { useEvent, useInfo, useThrottled } from '../../hooks';
import { PhotoGrid, type PhotoGridHandle } from '../library/photo-grid';
import { Viewer } from '../../on-demand';
import { MatchDecoration } from './match-decoration';
import { NoResults } from './no-results';
import { SearchHeader } from './search-header';
import type { SearchController } from './use-search';

export interface SearchResultsProps {
  search: SearchController;
  /** The library's thumbnail size and zoom keys, shared with the results. */
  minCell: number;
  onZoom: (direction: 1 | -1) => void;
}

/** While the library changes (a scan, understanding landing), results are refreshed at most this often. */
const REFRESH_MS = 2000;

const noStore = () => () => {};
const noVersion = () => 0;

export function SearchResults({ search, minCell, onZoom }: SearchResultsProps) {
  const { mediaBase } = useInfo();
  const session = search.shown;
  const store = session?.store;
  // Every page answer may bring a newer header (total, coverage): re-render with the store.
  useSyncExternalStore(store?.subscribe ?? noStore, store?.getVersion ?? noVersion);
  const meta = session?.meta ?? null;
  const total = meta?.total ?? 0;
  const [viewerIndex, setViewerIndex] = useState<number | null>(null);
  const gridRef = useRef<PhotoGridHandle>(null);

  const viewerOpen = useRef(false);
  useEffect(() => {
    viewerOpen.current = viewerIndex !== null;
  });
  const { refresh } = search;
  const refreshSoon = useThrottled(() => {
    if (!viewerOpen.current) refresh();
  }, REFRESH_MS);
  useEvent('library:changed', refreshSoon);
  useEvent('photos:understandingChanged', refreshSoon);

  const { remember } = search;
  const onOpen = useCallback(
    (index: number) => {
      setViewerIndex(index);
      // A search that led to a photo is worth finding again.
      remember();
    },
    [remember],
  );
  const closeViewer = useCallback(() => {
    setViewerIndex((i) => {
      if (i !== null) queueMicrotask(() => gridRef.current?.focusIndex(i));
      return null;
    });
  }, []);

  // One group: the grid's rows without month headers (the order is by relevance, or by date in pages).
  const groups = useMemo<TimelineGroup[]>(() => [{ key: 'results', count: total, firstIndex: 0 }], [total]);
  const query = session?.query;
  const gridKey = query ? `${query.strictness}|${query.sort}|${query.text}` : '';

  let body;
  if (!session || !meta || !query) {
    body = search.error ? null : <div className="spinner centered" aria-label="Searching" />;
  } else if (total === 0) {
    body = <NoResults query={query} meta={meta} search={search} />;
  } else {
    body = (
      <PhotoGrid
        key={gridKey}
        ref={gridRef}
        groups={groups}
        store={session.store}
        mediaBase={mediaBase}
        onOpen={onOpen}
        minCell={minCell}
        onZoom={onZoom}
        dated={false}
        label={query.sort === 'date' ? 'Search results, newest first' : 'Search results, best match first'}
        decoration={MatchDecoration}
      />
    );
  }

  return (
    <>
      <SearchHeader search={search} meta={meta} />
      {store?.error ? (
        <div className="banner banner-error" role="alert">
          {store.error}
        </div>
      ) : null}
      <div className={`search-body${session && query?.text !== search.text ? ' stale' : ''}`} data-testid="search-results">
        {body}
      </div>
      {viewerIndex !== null && session && total > 0 ? (
        <Viewer
          store={session.store}
          index={Math.min(viewerIndex, total - 1)}
          total={total}
          onIndex={setViewerIndex}
          onClose={closeViewer}
        />
      ) : null}
    </>
  );
}
