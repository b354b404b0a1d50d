/**
 * @file The dense index (main/search/vector-index.ts) over a real in-memory database through every
 * migration, vectors written through the embeddings repository: it finds exactly what a float32 scan
 * finds, restricts to candidates, catches up with writes, replacements and deletions (a photo removed,
 * a description emptied) made after it loaded, ignores other models and other shapes, and is unusable
 * after close. The SIMD and JS kernels agree.
 */
import { describe, expect, it } from 'vitest';
import { createEmbeddingsRepo } from '../../main/db/embeddings.repo';
import { openDatabase } from '../../main/db/open';
import { meaningEvidence, STRICTNESS_MIN } from '../../main/search/fusion';
import { createVectorIndex } from '../../main/search/vector-index';
import { rng as seeded } from '../bench/bench-helpers';

const DIM = 48;

/** Uniform in [-0.5, 0.5), seeded. */
function rng(seed: number) {
  const r = seeded(seed);
  return () => r() - 0.5;
}

const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};

function library(count: number, seed = 1) {
  const db = openDatabase(':memory:');
  const repo = createEmbeddingsRepo(db);
  const r = rng(seed);
  const vecs = new Map<number, Float32Array>();
  const insert = db.prepare("INSERT INTO photos (id, hash, kind, file_time, created_at) VALUES (?, ?, 'image', '2020-01-01T00:00:00', 0)");
  const put = (id: number, v: Float32Array, model = 'emb') => {
    repo.write({ photoId: id, modelId: model, text: `photo ${id}`, textHash: `h${id}`, vector: v }, 0);
    if (model === 'emb') vecs.set(id, v);
  };
  db.transaction(() => {
    for (let id = 1; id <= count; id++) {
      insert.run(id, `h${id}`);
      put(id, unit(Array.from({ length: DIM }, r)));
    }
  })();
  const exact = (q: Float32Array, k: number, among?: number[]) =>
    [...vecs.entries()]
      .filter(([id]) => !among || among.includes(id))
      .map(([id, v]) => ({ id, s: v.reduce((a, x, d) => a + x * q[d]!, 0) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, k);
  return { db, repo, put, vecs, exact, r, insert };
}

describe('dense index', () => {
  it('is empty until loaded, then finds what an exact float32 scan finds, with exact similarities', async () => {
    const lib = library(3000);
    const index = createVectorIndex({ repo: lib.repo, modelId: 'emb' });
    const q = unit(Array.from({ length: DIM }, lib.r));
    expect(index.search(q, { k: 10 })).toBeNull();
    await index.load();
    expect(index.state()).toEqual({ ready: true, size: 3000, total: 3000 });
    for (let t = 0; t < 20; t++) {
      const query = unit(Array.from({ length: DIM }, lib.r));
      const got = index.search(query, { k: 20 })!;
      const want = lib.exact(query, 20);
      expect(got.hits.map((h) => h.photoId)).toEqual(want.map((w) => w.id));
      got.hits.forEach((h, i) => expect(h.similarity).toBeCloseTo(want[i]!.s, 5));
      // Random unit vectors: similarities centre on 0 with a spread near 1/sqrt(dim).
      expect(Math.abs(got.center)).toBeLessThan(0.05);
      expect(got.spread).toBeGreaterThan(0.08);
      expect(got.spread).toBeLessThan(0.2);
    }
  });

  it('searches only the candidates it is given, and filters the pool through `keep`', async () => {
    const lib = library(500);
    const index = createVectorIndex({ repo: lib.repo, modelId: 'emb' });
    await index.load();
    const query = unit(Array.from({ length: DIM }, lib.r));
    const among = [3, 77, 150, 151, 499, 10_000]; // 10000 has no vector
    const got = index.search(query, { k: 4, candidates: among })!;
    expect(got.hits.map((h) => h.photoId)).toEqual(lib.exact(query, 4, among).map((w) => w.id));
    const even = index.search(query, { k: 5, pool: 100, keep: (ids) => ids.filter((id) => id % 2 === 0) })!;
    expect(even.hits.map((h) => h.photoId)).toEqual(
      lib
        .exact(
          query,
          5,
          [...lib.vecs.keys()].filter((id) => id % 2 === 0),
        )
        .map((w) => w.id),
    );
  });

  it('catches up with vectors written, replaced and removed after it loaded', async () => {
    const lib = library(50);
    const index = createVectorIndex({ repo: lib.repo, modelId: 'emb' });
    await index.load();
    const target = unit(Array.from({ length: DIM }, lib.r));
    const top = (k = 1) => index.search(target, { k })!.hits.map((h) => h.photoId);
    // A new photo right at the query.
    lib.insert.run(51, 'h51');
    lib.put(51, target);
    expect(top()).toEqual([51]);
    // Photo 7 re-embedded to the query: replaced in place, not added twice.
    lib.put(7, target);
    expect(top(2).sort((a, b) => a - b)).toEqual([7, 51]);
    expect(index.state().size).toBe(51);
    // A photo deleted (its vector cascades) and a description emptied (its vector removed) are gone.
    lib.db.prepare('DELETE FROM photos WHERE id = 51').run();
    lib.repo.remove(7, 'emb');
    expect(top()).not.toContain(51);
    expect(top(51)).not.toContain(7);
    expect(index.state().size).toBe(49);
    // A freed slot is used again.
    lib.insert.run(52, 'h52');
    lib.put(52, target);
    expect(top()).toEqual([52]);
    expect(index.state().size).toBe(50);
  });

  it('reads only its model, and skips a vector of another shape', async () => {
    const lib = library(20);
    const other = unit(Array.from({ length: DIM }, lib.r));
    lib.put(3, other, 'other-model');
    lib.insert.run(21, 'h21');
    lib.repo.write({ photoId: 21, modelId: 'emb', text: 'x', textHash: 'x', vector: unit([1, 2, 3]) }, 0);
    const index = createVectorIndex({ repo: lib.repo, modelId: 'emb' });
    await index.load();
    expect(index.state().size).toBe(20);
    expect(index.search(other, { k: 1 })!.hits[0]?.photoId).not.toBe(undefined);
    const otherIndex = createVectorIndex({ repo: lib.repo, modelId: 'other-model' });
    await otherIndex.load();
    expect(otherIndex.search(other, { k: 5 })!.hits.map((h) => h.photoId)).toEqual([3]);
  });

  it('gives the same results on the JS kernel, and nothing after close', async () => {
    const lib = library(400, 9);
    const simd = createVectorIndex({ repo: lib.repo, modelId: 'emb' });
    const js = createVectorIndex({ repo: lib.repo, modelId: 'emb', forceJs: true });
    await Promise.all([simd.load(), js.load()]);
    const query = unit(Array.from({ length: DIM }, lib.r));
    expect(js.search(query, { k: 15 })).toEqual(simd.search(query, { k: 15 }));
    simd.close();
    expect(simd.search(query, { k: 15 })).toBeNull();
  });

  it('calibrates on the unrelated photos: those like the query stay unusual when 40 % of the library is like them', async () => {
    const lib = library(0);
    const concept = unit(Array.from({ length: DIM }, lib.r));
    lib.db.transaction(() => {
      for (let id = 1; id <= 1000; id++) {
        lib.insert.run(id, `h${id}`);
        const noise = Array.from({ length: DIM }, lib.r);
        lib.put(id, unit(id <= 400 ? noise.map((x, d) => concept[d]! + 0.2 * x) : noise));
      }
    })();
    const index = createVectorIndex({ repo: lib.repo, modelId: 'emb' });
    await index.load();
    const r = index.search(concept, { k: 400 })!;
    expect(r.hits.every((h) => h.photoId <= 400)).toBe(true);
    // The weakest related photo is still a match the default strictness shows.
    expect(meaningEvidence(r.hits[399]!.similarity, r.center, r.spread)).toBeGreaterThanOrEqual(STRICTNESS_MIN.normal);
    // A plain mean and standard deviation would have said 'no match' for all of them.
    const all = [...lib.vecs.values()].map((v) => v.reduce((a, x, d) => a + x * concept[d]!, 0));
    const mean = all.reduce((a, x) => a + x, 0) / all.length;
    const std = Math.sqrt(all.reduce((a, x) => a + (x - mean) ** 2, 0) / all.length);
    expect(meaningEvidence(r.hits[399]!.similarity, mean, std)).toBe(0);
  });

  it('can be closed while it loads: the load stops, nothing is searched', async () => {
    const lib = library(20_000, 5);
    const index = createVectorIndex({ repo: lib.repo, modelId: 'emb' });
    const loading = index.load();
    await new Promise((resolve) => setImmediate(resolve));
    index.close();
    await expect(loading).resolves.toBeUndefined();
    expect(index.state().ready).toBe(false);
    expect(index.search(unit(Array.from({ length: DIM }, lib.r)), { k: 1 })).toBeNull();
  });

  it('loads a library larger than one chunk, yielding between chunks', async () => {
    const lib = library(20_000, 3);
    const index = createVectorIndex({ repo: lib.repo, modelId: 'emb' });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await index.load();
    clearInterval(timer);
    expect(index.state().size).toBe(20_000);
    expect(ticks).toBeGreaterThan(0);
    const query = unit(Array.from({ length: DIM }, lib.r));
    expect(index.search(query, { k: 5 })!.hits.map((h) => h.photoId)).toEqual(lib.exact(query, 5).map((w) => w.id));
  });
});
