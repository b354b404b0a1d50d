/**
 * @file The Map page's clustering worker: builds the cluster index (./cluster-index.ts) off the page's
 * thread, so 100k points do not freeze the window for the ~0.4 s that takes, and answers its questions.
 * Runs in a dedicated Web Worker started by ./cluster-client.ts.
 */
import { buildClusterIndex, type ClusterIndex } from './cluster-index';
import type { ClusterReply, ClusterRequest } from './cluster-client';

let index: ClusterIndex | null = null;

function answer(req: ClusterRequest): ClusterReply {
  if (req.type === 'load') {
    index = buildClusterIndex(req.lat, req.lon);
    return { id: req.id, value: null };
  }
  if (!index) return { id: req.id, error: 'the clusters are not loaded' };
  switch (req.type) {
    case 'markers':
      return { id: req.id, value: index.markers(req.bbox, req.zoom) };
    case 'expansionZoom':
      return { id: req.id, value: index.expansionZoom(req.cluster) };
    case 'leaves':
      return { id: req.id, value: index.leaves(req.cluster) };
  }
}

self.onmessage = (e: MessageEvent<ClusterRequest>) => {
  let reply: ClusterReply;
  try {
    reply = answer(e.data);
  } catch (err) {
    reply = { id: e.data.id, error: err instanceof Error ? err.message : String(err) };
  }
  self.postMessage(reply);
};
