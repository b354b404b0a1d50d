/**
 * @file The clusters of the Map page: a supercluster index over the library's GPS points (as
 * `map:points` sends them: parallel arrays, newest first), asked for the markers of a view at a zoom,
 * a cluster's expansion zoom, and a cluster's photos. Each cluster knows its newest photo (the smallest
 * index), whose thumbnail its marker shows. Runs in the renderer, in the clustering worker
 * (./cluster-worker.ts) or, where a worker cannot start, on the page itself (./cluster-client.ts).
 */
import Supercluster, { type PointFeature } from 'supercluster';

/** One marker: a cluster (`cluster` is its id) or a single photo (`cluster` null). */
export interface MapMarker {
  lat: number;
  lon: number;
  /** Photos it stands for. */
  count: number;
  /** Index (into the points arrays) of its newest photo, or of the photo itself. */
  first: number;
  cluster: number | null;
}

/** What the index answers; the worker exposes the same methods asynchronously. */
export interface ClusterIndex {
  /** The markers inside [west, south, east, north] (longitudes may run past ±180) at a zoom. */
  markers(bbox: [number, number, number, number], zoom: number): MapMarker[];
  /** The zoom at which a cluster splits. */
  expansionZoom(cluster: number): number;
  /** The indexes of a cluster's photos, newest first. */
  leaves(cluster: number): number[];
}

interface Props {
  first: number;
}

/** Marker radius in pixels: thumbnails are 48 px wide, so clusters closer than that merge. */
const RADIUS = 56;
/** Past this zoom (street level) every photo is its own marker. */
export const CLUSTER_MAX_ZOOM = 17;

/** Builds the index (~0.4 s for 100k points on a laptop core: the reason it runs in a worker). */
export function buildClusterIndex(lat: ArrayLike<number>, lon: ArrayLike<number>): ClusterIndex {
  const features: PointFeature<Props>[] = new Array<PointFeature<Props>>(lat.length);
  for (let i = 0; i < lat.length; i++) {
    features[i] = { type: 'Feature', properties: { first: i }, geometry: { type: 'Point', coordinates: [lon[i]!, lat[i]!] } };
  }
  const index = new Supercluster<Props, Props>({
    radius: RADIUS,
    maxZoom: CLUSTER_MAX_ZOOM - 1,
    map: (p) => ({ first: p.first }),
    reduce: (acc, p) => {
      if (p.first < acc.first) acc.first = p.first;
    },
  }).load(features);
  return {
    markers(bbox, zoom) {
      return index.getClusters(bbox, Math.round(zoom)).map((f) => {
        const [fLon, fLat] = f.geometry.coordinates as [number, number];
        const p = f.properties;
        return 'cluster' in p && p.cluster
          ? { lat: fLat, lon: fLon, count: p.point_count, first: p.first, cluster: p.cluster_id }
          : { lat: fLat, lon: fLon, count: 1, first: p.first, cluster: null };
      });
    },
    expansionZoom: (cluster) => index.getClusterExpansionZoom(cluster),
    leaves: (cluster) =>
      index
        .getLeaves(cluster, Infinity)
        .map((f) => f.properties.first)
        .sort((a, b) => a - b),
  };
}
