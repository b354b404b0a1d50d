/**
 * @file The Map page's handle on its clusters: the index built and asked in a Web Worker
 * (./cluster-worker.ts), or on the page itself when a worker cannot start (the same code, synchronously,
 * so the map still works, only with a pause while 100k points are indexed). Runs in the renderer.
 */
import { buildClusterIndex, type ClusterIndex, type MapMarker } from './cluster-index';

type Bounds = [number, number, number, number];

/** A request to the worker; `id` pairs it with its reply. */
export type ClusterRequest =
  | { id: number; type: 'load'; lat: Float64Array; lon: Float64Array }
  | { id: number; type: 'markers'; bbox: Bounds; zoom: number }
  | { id: number; type: 'expansionZoom'; cluster: number }
  | { id: number; type: 'leaves'; cluster: number };

/** A request before its id is given. */
type Question = ClusterRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export type ClusterReply = { id: number; value: unknown } | { id: number; error: string };

/** The index's questions, answered asynchronously. */
export interface Clusters {
  load(lat: readonly number[], lon: readonly number[]): Promise<void>;
  markers(bbox: Bounds, zoom: number): Promise<MapMarker[]>;
  expansionZoom(cluster: number): Promise<number>;
  leaves(cluster: number): Promise<number[]>;
  dispose(): void;
}

/** On the page's thread: for when no worker can start. */
function inPage(): Clusters {
  let index: ClusterIndex | null = null;
  const loaded = () => {
    if (!index) throw new Error('the clusters are not loaded');
    return index;
  };
  return {
    load: async (lat, lon) => {
      index = buildClusterIndex(lat, lon);
    },
    markers: async (bbox, zoom) => loaded().markers(bbox, zoom),
    expansionZoom: async (cluster) => loaded().expansionZoom(cluster),
    leaves: async (cluster) => loaded().leaves(cluster),
    dispose: () => {
      index = null;
    },
  };
}

function inWorker(worker: Worker, onFail: (err: string) => void): Clusters {
  let next = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  worker.onmessage = (e: MessageEvent<ClusterReply>) => {
    const w = waiting.get(e.data.id);
    if (!w) return;
    waiting.delete(e.data.id);
    if ('error' in e.data) w.reject(new Error(e.data.error));
    else w.resolve(e.data.value);
  };
  worker.onerror = (e) => {
    e.preventDefault();
    const message = e.message || 'the clustering worker failed';
    for (const w of waiting.values()) w.reject(new Error(message));
    waiting.clear();
    onFail(message);
  };
  const ask = <T>(req: Question, transfer: Transferable[] = []): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...req, id }, transfer);
    });
  return {
    load: (lat, lon) => {
      const la = Float64Array.from(lat);
      const lo = Float64Array.from(lon);
      return ask<null>({ type: 'load', lat: la, lon: lo }, [la.buffer, lo.buffer]).then(() => undefined);
    },
    markers: (bbox, zoom) => ask<MapMarker[]>({ type: 'markers', bbox, zoom }),
    expansionZoom: (cluster) => ask<number>({ type: 'expansionZoom', cluster }),
    leaves: (cluster) => ask<number[]>({ type: 'leaves', cluster }),
    dispose: () => worker.terminate(),
  };
}

/**
 * The clusters, in a worker when one starts; if it fails (a shell that refuses module workers), every
 * later question goes to an index on the page, built from the last points loaded.
 */
export function createClusters(): Clusters {
  let worker: Worker | null = null;
  try {
    worker = new Worker(new URL('./cluster-worker.ts', import.meta.url), { type: 'module', name: 'shoebox-clusters' });
  } catch {
    worker = null;
  }
  const page = inPage();
  if (!worker) return page;
  let failed = false;
  type Points = [readonly number[], readonly number[]];
  let points: Points | null = null;
  /** The points the page's index was built from, once it was needed. */
  let onPage: Points | null = null;
  const remote = inWorker(worker, () => {
    failed = true;
  });
  /** Asks the worker, or the page once the worker has failed (indexing the last points there first). */
  const either = async <T>(f: (c: Clusters) => Promise<T>): Promise<T> => {
    if (!failed) {
      try {
        return await f(remote);
      } catch (err) {
        if (!failed) throw err;
      }
    }
    if (points && onPage !== points) {
      await page.load(...points);
      onPage = points;
    }
    return f(page);
  };
  return {
    load: (lat, lon) => {
      points = [lat, lon];
      return either((c) => (c === page ? Promise.resolve() : c.load(lat, lon)));
    },
    markers: (bbox, zoom) => either((c) => c.markers(bbox, zoom)),
    expansionZoom: (cluster) => either((c) => c.expansionZoom(cluster)),
    leaves: (cluster) => either((c) => c.leaves(cluster)),
    dispose: () => {
      remote.dispose();
      page.dispose();
    },
  };
}
