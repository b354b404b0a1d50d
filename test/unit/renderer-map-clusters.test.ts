/**
 * @file The Map page's cluster index (renderer/src/features/map/cluster-index.ts): every point is in
 * exactly one marker, a cluster names its newest photo (the smallest index: points come newest first) for
 * its thumbnail, splits on zooming in, and lists its photos newest first; where no worker can start (here:
 * Node has no Web Worker), the clusters are made on the page instead.
 */
import { describe, expect, it } from 'vitest';
import { createClusters } from '../../renderer/src/features/map/cluster-client';
import { buildClusterIndex } from '../../renderer/src/features/map/cluster-index';

// Indexes 0–9 around Lisbon (newest first), 10–14 around Tokyo, 15 alone in Fiji.
const lat = [...Array.from({ length: 10 }, (_, i) => 38.7 + i * 0.001), ...Array.from({ length: 5 }, (_, i) => 35.68 + i * 0.001), -17.7];
const lon = [...Array.from({ length: 10 }, (_, i) => -9.14 + i * 0.001), ...Array.from({ length: 5 }, (_, i) => 139.69 + i * 0.001), 178];

describe('cluster index', () => {
  const index = buildClusterIndex(lat, lon);
  const world: [number, number, number, number] = [-180, -85, 180, 85];

  it('puts every point in exactly one marker, clusters knowing their newest photo', () => {
    const markers = index.markers(world, 2);
    expect(markers.reduce((n, m) => n + m.count, 0)).toBe(16);
    const lisbon = markers.find((m) => m.count === 10);
    expect(lisbon).toMatchObject({ first: 0 });
    expect(lisbon?.cluster).not.toBeNull();
    expect(markers.find((m) => m.count === 5)).toMatchObject({ first: 10 });
    expect(markers.find((m) => m.count === 1)).toMatchObject({ first: 15, cluster: null, lon: 178 });
  });

  it('splits a cluster at its expansion zoom and lists its photos newest first', () => {
    const lisbon = index.markers(world, 2).find((m) => m.count === 10)!;
    const zoom = index.expansionZoom(lisbon.cluster!);
    expect(zoom).toBeGreaterThan(2);
    expect(index.markers([-10, 38, -9, 39], zoom).length).toBeGreaterThan(1);
    expect(index.leaves(lisbon.cluster!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('answers a view across the antimeridian (longitudes past 180)', () => {
    const markers = index.markers([170, -30, 200, 0], 4);
    expect(markers.map((m) => m.first)).toEqual([15]);
  });
});

describe('clusters without a worker', () => {
  it('answers on the page when no worker can start', async () => {
    expect(typeof Worker).toBe('undefined');
    const clusters = createClusters();
    await clusters.load(lat, lon);
    const markers = await clusters.markers([-180, -85, 180, 85], 2);
    expect(markers.reduce((n, m) => n + m.count, 0)).toBe(16);
    const tokyo = markers.find((m) => m.count === 5)!;
    expect(await clusters.leaves(tokyo.cluster!)).toEqual([10, 11, 12, 13, 14]);
    clusters.dispose();
  });
});
