/**
 * @file A query's embedding for dense search: asked of the text embedder (the worker's interactive
 * lane), waited for at most a short time, remembered for the next keystrokes. Used by ./hybrid-search.ts.
 *
 * Runs in main.
 *
 * [Note: Query embedding never blocks search] Search answers within its wait whatever the worker does:
 * a worker that is loading the model, busy with a background batch between checkpoints, dead or
 * restarting makes this search lexical, with a notice, never slower and never an error. The request
 * is not cancelled at the deadline: its answer lands in a small cache (the last CACHE_SIZE queries by
 * model), so the same query typed again, or the next results page, is hybrid. One request per text is
 * in flight at a time.
 */
import { errMessage } from '../errors';
import type { TextEmbedder } from './text-embedder';

const CACHE_SIZE = 64;

export type QueryVector =
  { ok: true; modelId: string; vector: Float32Array } | { ok: false; reason: 'timeout' | 'failed'; message: string };

export interface QueryEmbeddings {
  /** The query's vector by the active embedder, waiting at most `waitMs`. */
  get(text: string, modelId: string, waitMs: number): Promise<QueryVector>;
  /** Forgets everything (the embedder changed). */
  clear(): void;
}

export function createQueryEmbeddings(embedder: TextEmbedder): QueryEmbeddings {
  const cache = new Map<string, { modelId: string; vector: Float32Array }>();
  const inFlight = new Map<string, Promise<QueryVector>>();

  const remember = (key: string, v: { modelId: string; vector: Float32Array }) => {
    cache.delete(key);
    cache.set(key, v);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  };

  function request(key: string, text: string): Promise<QueryVector> {
    let p = inFlight.get(key);
    if (!p) {
      p = embedder
        .embed([text], 'query')
        .then((r): QueryVector => {
          const vector = r.vectors[0];
          if (!vector || vector.length === 0) return { ok: false, reason: 'failed', message: 'the embedder returned no vector' };
          remember(`${r.modelId}\n${text}`, { modelId: r.modelId, vector });
          return { ok: true, modelId: r.modelId, vector };
        })
        .catch((err: unknown): QueryVector => ({ ok: false, reason: 'failed', message: errMessage(err) }))
        .finally(() => inFlight.delete(key));
      inFlight.set(key, p);
    }
    return p;
  }

  return {
    async get(text, modelId, waitMs) {
      const key = `${modelId}\n${text}`;
      const hit = cache.get(key);
      if (hit) {
        remember(key, hit);
        return { ok: true, ...hit };
      }
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<QueryVector>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, reason: 'timeout', message: `no answer within ${waitMs} ms` }), Math.max(0, waitMs));
      });
      try {
        return await Promise.race([request(key, text), deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    clear() {
      cache.clear();
    },
  };
}
