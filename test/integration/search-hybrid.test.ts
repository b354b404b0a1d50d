/**
 * @file Hybrid search (main/search/hybrid-search.ts, [Note: Hybrid search]) on a real SQLite file: the
 * library's descriptions are embedded by the real embedding step through the job queue, with the
 * ConceptEmbedder test double of the TextEmbedder port choosing the vectors (helpers/search-library.ts).
 * Meaning finds what the words cannot ("puppy" → the dog and the hound) and says so; words and meaning
 * together rank first with their marked words; filters restrict the vectors as they restrict the words;
 * strictness hides a tail and counts it; date order keeps the same matches; coverage counts; an edit is
 * found by meaning once re-embedded; without an embedder, or with one too slow or failing, search is
 * lexical with a notice and never throws.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchResult } from '../../preload/contract';
import { WorkerClientError } from '../../main/inference/worker-client';
import { createSearch, type Search } from '../../main/search/hybrid-search';
import { rankedWords } from '../../main/search/stop-words';
import { makeSearchLibrary, PHOTOS, type SearchLibrary } from './helpers/search-library';

const now = new Date(2026, 10, 30, 12, 0, 0);

describe('hybrid search', () => {
  let lib: SearchLibrary;
  let search: Search;
  const run = (q: string, opts: Partial<Parameters<Search['search']>[1]> = {}) =>
    search.search(q, { limit: 100, offset: 0, now, waitMs: 5000, ...opts });
  const names = (r: SearchResult) => r.items.map((i) => i.name);

  beforeAll(async () => {
    lib = makeSearchLibrary(PHOTOS);
    await lib.embedAll();
    search = createSearch({ db: lib.db, embedder: lib.embedder, forceJsKernel: false });
  });
  afterAll(async () => {
    search.close();
    await lib.dispose();
  });

  it('embedded every described photo once, with one passage call per batch', () => {
    const passages = lib.embedder.calls.filter((c) => c.kind === 'passage');
    expect(passages.length).toBe(2); // 46 descriptions, 32 per call
    expect(passages.flatMap((c) => c.texts)).toHaveLength(PHOTOS.length - 1); // the video has no description
  });

  it('finds by meaning what the words cannot, and says it matched by meaning', async () => {
    const r = await run('puppy');
    expect(r.mode).toBe('hybrid');
    expect(r.notice).toBeUndefined();
    expect(r.semantic).toBe('puppy');
    expect(names(r).slice(0, 2).sort()).toEqual(['field.jpg', 'sofa.jpg']);
    expect(r.items[0]!.why).toEqual([{ field: 'meaning' }]);
    expect(r.items[0]!.score).toBeGreaterThan(0.3);
    expect(r.total).toBe(2);
  });

  it('ranks the photo matched by words and meaning first, with the words marked', async () => {
    const r = await run('dog');
    expect(names(r)).toEqual(['sofa.jpg', 'field.jpg']);
    const [sofa, field] = r.items;
    expect(sofa!.why.map((w) => w.field)).toEqual(['caption', 'tags']);
    const caption = sofa!.why[0]!;
    if (caption.field !== 'caption') throw new Error('no caption reason');
    expect(caption.snippet.highlights.map(([a, b]) => caption.snippet.text.slice(a, b))).toEqual(['dog']);
    expect(field!.why).toEqual([{ field: 'meaning' }]);
    expect(sofa!.score).toBeGreaterThanOrEqual(field!.score);
    for (const i of r.items) expect(i.score).toBeLessThanOrEqual(1);
  });

  it('looks for the words without the function words, unless they are all there is', async () => {
    // The caption says "A dog asleep on a sofa": no "the", no "by".
    const r = await run('the dog by the sofa');
    expect(names(r)[0]).toBe('sofa.jpg');
    expect(r.items[0]!.why.map((w) => w.field)).toEqual(['caption', 'tags', 'file']);
    expect(rankedWords('the dog by the sofa')).toBe('dog sofa');
    expect(rankedWords('on the way')).toBe('way');
    expect(rankedWords('to be or not to be')).toBe('not');
    expect(rankedWords('in the')).toBe('in the');
  });

  it('restricts the vectors with the filters, as it restricts the words', async () => {
    const r = await run('puppy 2021');
    expect(r.filters).toEqual([{ id: 'date:0', label: '2021', kind: 'date', span: [6, 10] }]);
    expect(names(r)).toEqual(['field.jpg']);
    expect(await run('puppy 2005')).toMatchObject({ items: [], total: 0 });
    const videos = await run('videos');
    expect(videos).toMatchObject({ total: 1, semantic: '', items: [{ name: 'clip.mp4', score: 1, why: [{ field: 'filters' }] }] });
  });

  it('hides weaker matches by strictness and counts them; date order keeps the same matches', async () => {
    const loose = await run('a seaside dog', { strictness: 'loose' });
    const normal = await run('a seaside dog');
    const strict = await run('a seaside dog', { strictness: 'strict' });
    expect(loose.hidden).toBe(0);
    expect(normal.total + normal.hidden).toBe(loose.total);
    expect(strict.total + strict.hidden).toBe(loose.total);
    expect(strict.total).toBeLessThanOrEqual(normal.total);
    expect(names(normal)).toEqual(names(loose).slice(0, normal.total));
    const byDate = await run('a seaside dog', { sort: 'date', strictness: 'loose' });
    expect([...names(byDate)].sort()).toEqual([...names(loose)].sort());
    const taken = byDate.items.map((i) => i.takenAt);
    expect(taken).toEqual([...taken].sort().reverse());
  });

  it('finds text in the image by part of a word, and says where', async () => {
    const r = await run('mercado');
    expect(names(r)[0]).toBe('scan-001.png');
    const text = r.items[0]!.why.find((w) => w.field === 'text');
    if (!text || text.field !== 'text') throw new Error('no text reason');
    expect(text.snippet.highlights.map(([a, b]) => text.snippet.text.slice(a, b))).toEqual(['MERCADO']);
  });

  it('reports coverage: photos, understood, embedded with the active embedder', async () => {
    const r = await run('tram');
    expect(r.coverage).toEqual({ photos: PHOTOS.length, understood: PHOTOS.length - 1, embedded: PHOTOS.length - 1 });
    expect(names(r)).toEqual(['IMG_2044.JPG']);
  });

  it('finds an edited caption by meaning once the step re-embedded it', async () => {
    expect(names(await run('streetcar'))).toEqual(['IMG_2044.JPG']);
    lib.setCaption('trips/coast.jpg', 'A streetcar by the water');
    await lib.embedAll();
    const r = await run('trolley');
    expect(names(r).sort()).toEqual(['IMG_2044.JPG', 'coast.jpg']);
    lib.setCaption('trips/coast.jpg', null);
    await lib.embedAll();
    expect(names(await run('trolley'))).toEqual(['IMG_2044.JPG']);
  });
});

describe('hybrid search with a narrow filter', () => {
  it('finds by meaning a photo that passes the filter even when the best matches overall all fail it', async () => {
    // 300 dog photos from 2020 outrank, by meaning, the one from 2019 (whose description dilutes "dog"),
    // and fill the pool the filter is first applied to (the best k + margin, 264, here); the photos of
    // 2019 are then scanned alone.
    const lib = makeSearchLibrary([
      ...Array.from({ length: 300 }, (_, i) => ({ path: `dogs/d${i}.jpg`, taken: '2020-05-01T10:00:00', caption: `A dog number ${i}` })),
      ...Array.from({ length: 400 }, (_, i) => ({ path: `misc/m${i}.jpg`, taken: '2019-05-01T10:00:00', caption: `A lamp number ${i}` })),
      { path: 'old/mix.jpg', taken: '2019-06-01T10:00:00', caption: 'A dog by the beach with a cake and a tram' },
    ]);
    try {
      await lib.embedAll();
      const search = createSearch({ db: lib.db, embedder: lib.embedder, postFilterPool: 1 });
      const r = await search.search('puppy 2019', { limit: 10, offset: 0, now, waitMs: 5000 });
      expect(r.mode).toBe('hybrid');
      expect(r.items.map((i) => i.name)).toEqual(['mix.jpg']);
      expect(r.items[0]!.why).toEqual([{ field: 'meaning' }]);
      // A filter no index serves (a folder) goes through the pools first, then the same exact scan.
      const inFolder = await search.search('puppy in the folder old', { limit: 10, offset: 0, now, waitMs: 5000 });
      expect(inFolder.filters.map((f) => f.kind)).toEqual(['folder']);
      expect(inFolder.items.map((i) => i.name)).toEqual(['mix.jpg']);
      search.close();
    } finally {
      await lib.dispose();
    }
  });
});

describe('hybrid search without a working embedder', () => {
  let lib: SearchLibrary;
  beforeAll(async () => {
    lib = makeSearchLibrary(PHOTOS.slice(0, 7));
    await lib.embedAll();
  });
  afterAll(async () => lib.dispose());
  const opts = { limit: 50, offset: 0, now, waitMs: 300 };

  it('is lexical and says how to get meaning search when no embedder is installed', async () => {
    const search = createSearch({ db: lib.db, embedder: null });
    const r = await search.search('dog', opts);
    expect(r).toMatchObject({ mode: 'lexical', total: 1, items: [{ name: 'sofa.jpg' }] });
    expect(r.notice).toMatch(/words only.*Models page/);
    expect((await search.search('puppy', opts)).items).toEqual([]);
  });

  it('is lexical with a notice, within its wait, when the embedder does not answer, and hybrid once it did', async () => {
    let release!: () => void;
    lib.embedder.gate = new Promise<void>((r) => (release = r));
    const search = createSearch({ db: lib.db, embedder: lib.embedder });
    const t = Date.now();
    const slow = await search.search('hound', opts);
    expect(Date.now() - t).toBeLessThan(2000);
    expect(slow).toMatchObject({ mode: 'lexical', items: [{ name: 'field.jpg' }] });
    expect(slow.notice).toMatch(/did not answer in time/);
    release();
    lib.embedder.gate = null;
    await new Promise((r) => setTimeout(r, 20));
    const again = await search.search('hound', opts);
    expect(again.mode).toBe('hybrid'); // the late answer was kept
    search.close();
  });

  it('is lexical with a notice when the embedder fails, and never throws', async () => {
    lib.embedder.fail = new WorkerClientError('worker_crashed', 'the worker died');
    const search = createSearch({ db: lib.db, embedder: lib.embedder });
    const r = await search.search('dogs on a beach', opts);
    expect(r.mode).toBe('lexical');
    expect(r.notice).toMatch(/failed \(the worker died\)/);
    lib.embedder.fail = null;
    search.close();
  });

  it('drops the index of an embedder that is no longer active, and says it has none', async () => {
    const search = createSearch({ db: lib.db, embedder: lib.embedder });
    expect((await search.search('puppy', opts)).mode).toBe('hybrid');
    lib.embedder.model = 'concepts-v2';
    search.embedderChanged();
    const r = await search.search('puppy', opts);
    // The new model has embedded nothing yet: meaning finds nothing, and coverage says so.
    expect(r).toMatchObject({ mode: 'hybrid', items: [], coverage: { embedded: 0 } });
    lib.embedder.model = 'concepts-v1';
    search.close();
  });
});
