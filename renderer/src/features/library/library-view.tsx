/**
 * @file The Library page: toolbar (with the search field), the virtualized grid of every photo (or one
 * folder's, or one collection's: Favourites, Hidden, an album, Recently removed — [Note: Library
 * scopes] in ../collections/library-scope.ts), the Albums list, its empty states, the selection bar
 * and its actions, and the viewer on top; while a search is active, its results instead
 * (renderer/src/features/search/search-results.tsx). Refetches the timeline and the visible pages on
 * `library:changed`. Runs in the renderer.
 */
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { AlbumDto, FolderDto } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { ErrorBoundary } from '../../components/error-boundary';
import { useNotify } from '../../components/notices';
import { countLabel, monthLabel } from '../../format';
import { useClient, useEvent, useInfo, useRequest, useThrottled, type RequestState } from '../../hooks';
import { Viewer } from '../../on-demand';
import { AlbumsPage } from '../collections/albums-page';
import { CollectionsLayer, useGridKeys } from '../collections/collections-layer';
import { emptyText, queryOf, scopeKey, scopeTitle, type LibraryScope, type ScopeQuery } from '../collections/library-scope';
import { TileBadges } from '../collections/tile-badges';
import { useCollectionActions } from '../collections/use-collection-actions';
import { AreaChip } from '../map/area-chip';
import { areaArgs, areaKey, useMapArea } from '../map/map-area';
import { SearchField } from '../search/search-field';
import { SearchResults } from '../search/search-results';
import type { SearchController } from '../search/use-search';
import { GridModeToggle, useGridMode } from './grid-mode';
import { CELL_SIZES, PhotoGrid, type PhotoGridHandle } from './photo-grid';
import { PhotoStore } from './photo-store';
import { useLayoutData } from './use-layout-data';
import { SelectionStore, useSelection } from './selection';
import { useViewerIndex } from './use-viewer-index';

export interface LibraryViewProps {
  folders: FolderDto[] | undefined;
  /** Show one folder's photos, or all when null. */
  folderId: number | null;
  /** Puts the cursor in the add-folder control of the sidebar. */
  onAddFolder: () => void;
  /** Whether the job queue still has work (a scan may still find photos). */
  busy: boolean;
  /** The search field's state; its results replace the grid while the field has text. */
  search: SearchController;
  /** What the page shows besides folders: a collection or the Albums list. */
  scope: LibraryScope;
  onScope: (scope: LibraryScope) => void;
  /** The album list, shared with the sidebar. */
  albums: RequestState<AlbumDto[]>;
}

const CELL_SIZE_KEY = 'shoebox.cellSize';

/** The zoom the user chose last time, or the default. */
function readCellSize(): number {
  try {
    const v = Number(localStorage.getItem(CELL_SIZE_KEY));
    if (Number.isFinite(v) && v >= CELL_SIZES.min && v <= CELL_SIZES.max) return v;
  } catch {
    // No storage: the default.
  }
  return CELL_SIZES.default;
}

export function LibraryView({ folders, folderId, onAddFolder, busy, search, scope, onScope, albums }: LibraryViewProps) {
  const client = useClient();
  const { mediaBase } = useInfo();
  const notify = useNotify();
  // A map area (the Map page's "Show in library") narrows whatever the scope shows: its own grid and selection.
  const area = useMapArea();
  const key = `${scopeKey(scope, folderId)}${area ? `|${areaKey(area)}` : ''}`;
  const scoped = queryOf(scope, folderId);
  // A new query object only when it says something new (an album's rename keeps its pages and selection).
  const queryJson = JSON.stringify(scoped && { ...scoped, ...areaArgs(area) });
  const query = useMemo(() => JSON.parse(queryJson) as ScopeQuery | null, [queryJson]);
  const timeline = useRequest('photos:timeline', query ?? {}, key);
  // The justified grid's days and shapes, asked again with the timeline (photo-grid.tsx).
  const layout = useLayoutData(useGridMode() === 'justified' ? query : null, timeline.data);
  const store = useMemo(() => new PhotoStore(client, query), [client, query]);
  useEffect(() => () => store.dispose(), [store]);
  useSyncExternalStore(store.subscribe, store.getVersion);
  // One selection for the page, emptied whenever it shows other photos.
  const selection = useMemo(() => new SelectionStore(), []);
  useEffect(() => selection.clear(), [selection, key]);
  const selected = useSelection(selection);
  const clearSelection = useCallback(() => selection.clear(), [selection]);
  // The viewer keeps to its photo while the order changes under it ([Note: The viewer follows its photo]).
  const viewer = useViewerIndex(store, timeline.data);
  const viewerIndex = viewer.index;
  const [topMonth, setTopMonth] = useState<string | null>(null);
  const gridRef = useRef<PhotoGridHandle>(null);
  const [cellSize, setCellSize] = useState(readCellSize);
  const zoomTo = useCallback((size: number) => {
    const next = Math.min(CELL_SIZES.max, Math.max(CELL_SIZES.min, Math.round(size)));
    setCellSize(next);
    try {
      localStorage.setItem(CELL_SIZE_KEY, String(next));
    } catch {
      // Storage can be unavailable (private windows); the size then lasts for this page only.
    }
  }, []);
  const onZoom = useCallback((direction: 1 | -1) => zoomTo(cellSize + direction * 24), [zoomTo, cellSize]);

  // A scan sends many changes; refetching at most every 750 ms keeps thumbnails arriving live without
  // asking the host for a 100k-photo timeline on every event.
  const refresh = useThrottled(() => {
    timeline.reload();
    store.invalidate();
  }, 750);
  useEvent('library:changed', (change) => {
    if (folderId === null || change.folderId === null || change.folderId === folderId) refresh();
  });
  // Album changes move photos in and out of album views (and other windows make them too).
  useEvent('albums:changed', () => {
    if (scope.kind === 'album') refresh();
  });
  const reloadTimeline = timeline.reload;
  const refreshNow = useCallback(() => {
    reloadTimeline();
    store.invalidate();
  }, [reloadTimeline, store]);

  const groups = timeline.data ?? [];
  const total = groups.reduce((n, g) => n + g.count, 0);
  const folder = folderId === null ? null : folders?.find((f) => f.id === folderId);
  const title =
    scope.kind !== 'all'
      ? scopeTitle(scope)
      : folderId === null
        ? 'All photos'
        : (folder?.path.split(/[\\/]/).filter(Boolean).pop() ?? 'Folder');

  const grid = useGridKeys(gridRef);
  const actions = useCollectionActions({
    client,
    store,
    selection,
    query,
    total,
    focusedPhoto: grid.focusedPhoto,
    refresh: refreshNow,
  });

  const [rescanning, setRescanning] = useState(false);
  const rescan = async () => {
    setRescanning(true);
    try {
      const { queued } = await client.call('library:rescan', folderId === null ? {} : { folderId });
      notify('info', queued > 0 ? `Rescan queued ${countLabel(queued)} ${queued === 1 ? 'file' : 'files'}.` : 'Rescan found nothing new.');
    } catch (err) {
      notify('error', `Rescan failed: ${errorMessage(err)}`);
    } finally {
      setRescanning(false);
    }
  };

  const { close: closeViewerIndex, show: onOpen } = viewer;
  const closeViewer = useCallback(() => {
    if (viewerIndex !== null) queueMicrotask(() => gridRef.current?.focusIndex(viewerIndex));
    closeViewerIndex();
  }, [viewerIndex, closeViewerIndex]);

  let body;
  if (timeline.error && !timeline.data) {
    body = (
      <div className="empty-state" role="alert">
        <h2>Could not load the library</h2>
        <p>{timeline.error}</p>
        <button type="button" onClick={timeline.reload}>
          Try again
        </button>
      </div>
    );
  } else if (!timeline.data || layout.pending) {
    body = <div className="spinner centered" aria-label="Loading library" />;
  } else if (total === 0 && scope.kind !== 'all') {
    const empty = emptyText(scope);
    body = (
      <div className="empty-state" data-testid="empty-collection">
        <h2>{empty.title}</h2>
        <p>{empty.body}</p>
      </div>
    );
  } else if (total === 0) {
    body =
      folders && folders.length === 0 && folderId === null ? (
        <div className="empty-state" data-testid="empty-library">
          <h2>Your library is empty</h2>
          <p>Add a folder of photos. Shoebox reads it in place and never changes your files.</p>
          <button type="button" className="primary" onClick={onAddFolder} data-testid="empty-add-folder">
            Add a folder
          </button>
        </div>
      ) : (
        <div className="empty-state" data-testid="empty-folder">
          {busy ? (
            <>
              <h2>No photos yet</h2>
              <p>Photos appear here as soon as the folder scan finds them.</p>
            </>
          ) : (
            <>
              <h2>No photos found</h2>
              <p>
                {folderId === null ? 'The library’s folders' : 'This folder'} hold no images Shoebox can read. Add another folder, or Rescan
                after copying photos in.
              </p>
            </>
          )}
        </div>
      );
  } else {
    body = (
      <PhotoGrid
        key={key}
        ref={gridRef}
        groups={groups}
        store={store}
        mediaBase={mediaBase}
        onOpen={onOpen}
        onTopMonth={setTopMonth}
        minCell={cellSize}
        onZoom={onZoom}
        selection={selection}
        layout={layout.data}
        decoration={TileBadges}
        {...(scope.kind === 'all' ? {} : { label: `${title}, newest first` })}
      />
    );
  }
  if (scope.kind === 'albums') {
    body = <AlbumsPage albums={albums} onOpen={(a) => onScope({ kind: 'album', albumId: a.id, name: a.name })} />;
  }
  const showsPhotos = scope.kind !== 'albums';

  const searching = search.active;
  return (
    <section className="page library" aria-labelledby="library-title">
      <header className="toolbar library-toolbar">
        <h1 id="library-title">{searching ? 'Search' : title}</h1>
        {searching || !showsPhotos ? null : (
          <span className="muted" data-testid="library-count">
            {timeline.data ? `${countLabel(total)} ${total === 1 ? 'photo' : 'photos'}` : ''}
          </span>
        )}
        {searching || !showsPhotos ? null : <AreaChip />}
        <SearchField search={search} />
        <span className="spacer" />
        {topMonth && total > 0 && !searching ? <span className="toolbar-month">{monthLabel(topMonth)}</span> : null}
        {total > 0 && showsPhotos && !searching ? <GridModeToggle /> : null}
        {total > 0 && showsPhotos ? (
          <label className="zoom" title="Thumbnail size (+ / −)">
            <span className="visually-hidden">Thumbnail size</span>
            <input
              type="range"
              min={CELL_SIZES.min}
              max={CELL_SIZES.max}
              step={8}
              value={cellSize}
              onChange={(e) => zoomTo(Number(e.target.value))}
              data-testid="zoom"
            />
          </label>
        ) : null}
        {folders && folders.length > 0 && scope.kind === 'all' ? (
          <button
            type="button"
            onClick={() => void rescan()}
            disabled={rescanning}
            title="Look for new, changed and removed files"
            data-testid="rescan"
          >
            {rescanning ? 'Rescanning…' : 'Rescan'}
          </button>
        ) : null}
      </header>
      {searching ? (
        <ErrorBoundary what="The search results" resetKey={search.text}>
          <SearchResults search={search} minCell={cellSize} onZoom={onZoom} />
        </ErrorBoundary>
      ) : (
        <>
          {store.error ? (
            <div className="banner banner-error" role="alert">
              {store.error}
            </div>
          ) : null}
          <CollectionsLayer
            scope={scope}
            count={selected.active ? selected.count(total) : 0}
            actions={actions}
            albums={albums.data}
            onClear={clearSelection}
            grid={grid}
          >
            {body}
          </CollectionsLayer>
          {viewerIndex !== null && total > 0 && showsPhotos ? (
            <Viewer store={store} index={Math.min(viewerIndex, total - 1)} total={total} onIndex={onOpen} onClose={closeViewer} />
          ) : null}
        </>
      )}
    </section>
  );
}
