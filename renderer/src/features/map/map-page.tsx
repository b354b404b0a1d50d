/**
 * @file The Map page: every photo with a GPS fix on an offline map ([Note: Map without the network] in
 * ./map-view.ts), clustered, with the newest photo of each cluster as its thumbnail. Click a cluster to
 * zoom in, a photo to open it in the viewer (with the other photos in view beside it). "Show these in the
 * library" (or Shift+drag an area first) filters the library's grid to the area; the grid shows it as the
 * removable "In this area" chip (./area-chip.tsx). Runs in the renderer, in a chunk of its own
 * (renderer/src/on-demand.tsx): Leaflet and the outlines never load with the first screen.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Bbox, MapPoints } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { useNotify } from '../../components/notices';
import { countLabel } from '../../format';
import { useClient, useEvent, useInfo, useRequest, useThrottled } from '../../hooks';
import { Viewer } from '../../on-demand';
import { PhotoStore } from '../library/photo-store';
import { createClusters } from './cluster-client';
import { inArea, setMapArea } from './map-area';
import { MapView } from './map-view';
import './map.css';

/** The viewer over some of the map's photos. */
interface Viewing {
  store: PhotoStore;
  index: number;
  total: number;
}

/** How many of `points` lie inside `area`. */
function countIn(points: MapPoints, area: Bbox): number {
  let n = 0;
  for (let i = 0; i < points.ids.length; i++) if (inArea(area, points.lat[i]!, points.lon[i]!)) n++;
  return n;
}

const photosLabel = (n: number) => `${countLabel(n)} ${n === 1 ? 'photo' : 'photos'}`;

export function MapPage() {
  const client = useClient();
  const { mediaBase } = useInfo();
  const notify = useNotify();
  const points = useRequest('map:points', {});
  // During a scan photos arrive continuously; the points of 100k photos take main ~0.1–0.2 s to read and the
  // worker ~0.5 s to cluster, so the map follows at most every 5 s.
  const refresh = useThrottled(points.reload, 5000);
  useEvent('library:changed', refresh);
  const el = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<MapView | null>(null);
  const [selected, setSelected] = useState<Bbox | null>(null);
  const [viewing, setViewing] = useState<Viewing | null>(null);
  const fitted = useRef(false);

  const data = points.data;
  // The points the map's callbacks read (they outlive renders); set after each render, as hooks.ts does.
  const pointsRef = useRef<MapPoints | undefined>(undefined);
  useEffect(() => {
    pointsRef.current = data;
  });

  // A viewer over photos given by their indexes into the points (newest first).
  const open = useCallback(
    (indexes: number[], clicked: number) => {
      const ids = indexes.map((i) => pointsRef.current?.ids[i]).filter((id): id is number => id !== undefined);
      const store = new PhotoStore(async (offset, limit) => {
        const slice = ids.slice(offset, offset + limit);
        return { items: slice.length ? await client.call('map:photos', { ids: slice }) : [], total: ids.length };
      });
      setViewing({ store, index: Math.max(0, indexes.indexOf(clicked)), total: ids.length });
    },
    [client],
  );

  useEffect(() => {
    if (!el.current) return;
    const clusters = createClusters();
    const v = new MapView(el.current, clusters, mediaBase, {
      onSelect: setSelected,
      onOpen: (indexes, clicked) => {
        // A single photo opens among the photos in view, so ← / → walk through its neighbours.
        if (indexes.length === 1) {
          const area = v.viewArea();
          const pts = pointsRef.current;
          const inView: number[] = [];
          if (pts) for (let i = 0; i < pts.ids.length; i++) if (inArea(area, pts.lat[i]!, pts.lon[i]!)) inView.push(i);
          open(inView.includes(clicked) ? inView : [clicked], clicked);
        } else open(indexes, clicked);
      },
      photos: (ids) => client.call('map:photos', { ids }),
      onError: (m) => notify('error', m),
    });
    setView(v);
    return () => {
      v.dispose();
      clusters.dispose();
    };
  }, [client, mediaBase, notify, open]);

  useEffect(() => {
    if (!view || !data) return;
    const fit = !fitted.current;
    fitted.current = true;
    view
      .setPoints(data.ids, data.lat, data.lon, fit)
      .catch((err: unknown) => notify('error', `The map could not group the photos: ${errorMessage(err)}`));
  }, [view, data, notify]);

  useEffect(() => view?.showArea(selected), [view, selected]);
  const selectedCount = useMemo(() => (data && selected ? countIn(data, selected) : 0), [data, selected]);

  const showInLibrary = (area: Bbox) => {
    setMapArea(area);
    window.location.hash = '/library';
  };

  const total = data?.ids.length ?? 0;
  return (
    <section className="page map-page" aria-labelledby="map-title" data-testid="map-page">
      <header className="toolbar">
        <h1 id="map-title">Map</h1>
        <span className="muted" data-testid="map-count">
          {data ? `${photosLabel(total)} with a location` : ''}
        </span>
        <span className="spacer" />
        <span className="muted small map-hint">Shift+drag to select an area</span>
        <button
          type="button"
          disabled={!view || total === 0}
          onClick={() => view && showInLibrary(view.viewArea())}
          data-testid="map-filter-view"
        >
          Show this view in the library
        </button>
      </header>
      {points.error ? (
        <div className="banner banner-error" role="alert">
          The photos’ locations could not be loaded: {points.error}{' '}
          <button type="button" className="link-button" onClick={points.reload}>
            Try again
          </button>
        </div>
      ) : null}
      {selected ? (
        <div className="map-selection" role="status" data-testid="map-selection">
          <span data-testid="map-selection-count">{photosLabel(selectedCount)} in the selected area</span>
          <button
            type="button"
            className="primary"
            disabled={selectedCount === 0}
            onClick={() => showInLibrary(selected)}
            data-testid="map-selection-show"
          >
            Show in library
          </button>
          <button type="button" onClick={() => setSelected(null)}>
            Clear
          </button>
        </div>
      ) : null}
      <div className="map-frame">
        <div ref={el} className="map-canvas" data-testid="map-canvas" aria-label="Map of the photos’ locations" role="region" />
        {data && total === 0 ? (
          <div className="map-empty" data-testid="map-empty">
            <h2>No photos with a location yet</h2>
            <p>Photos whose files record where they were taken (GPS) appear here once Shoebox has read them.</p>
          </div>
        ) : null}
      </div>
      {viewing ? (
        <Viewer
          store={viewing.store}
          index={viewing.index}
          total={viewing.total}
          onIndex={(index) => setViewing((v) => (v ? { ...v, index } : v))}
          onClose={() => setViewing(null)}
        />
      ) : null}
    </section>
  );
}
