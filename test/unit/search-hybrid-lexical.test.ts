/**
 * @file Search without a text embedder (main/search/hybrid-search.ts) on a real in-memory database
 * through every migration, written only through the repositories: words rank, filters restrict the
 * ranked words and list photos alone, chips say what was understood and where in the query (a place:
 * resolved by the gazetteer), an empty query finds nothing, the result says the search matched words
 * only, and no text or paging makes it throw ([Note: Hybrid search]).
 */
import { describe, expect, it } from 'vitest';
import { createFilesRepo } from '../../main/db/files.repo';
import { createFoldersRepo } from '../../main/db/folders.repo';
import { openDatabase } from '../../main/db/open';
import { createPhotosRepo } from '../../main/db/photos.repo';
import { createSearch } from '../../main/search/hybrid-search';

const now = new Date(2026, 10, 30, 12, 0, 0);

function library() {
  const db = openDatabase(':memory:');
  const photos = createPhotosRepo(db);
  const files = createFilesRepo(db);
  const root = createFoldersRepo(db).insert('/home/ana/Pictures', 0);
  let n = 0;
  const add = (relPath: string, fileTime: string, kind: 'image' | 'video' = 'image') => {
    const id = photos.insert({ hash: `h${++n}`, kind, mime: null, fileTime, error: null, now: 0 });
    files.upsert({ folderId: root, relPath, photoId: id, size: 1, mtimeMs: 1, status: 'ok', error: null, now: 0 });
    return id;
  };
  const tram2019 = add('Lisboa/tram-alfama.jpg', '2019-06-01T10:00:00');
  const tram2021 = add('Porto/tram-ribeira.jpg', '2021-03-01T10:00:00');
  const clip = add('Porto/harbour.mp4', '2020-01-01T10:00:00', 'video');
  const search = createSearch({ db });
  const run = (q: string, limit = 50, offset = 0) => search.search(q, { limit, offset, now });
  return { db, run, tram2019, tram2021, clip };
}

const coverage = { photos: 3, understood: 0, embedded: 0 };

describe('search by words alone', () => {
  it('ranks by words, keeps the hits that pass the filters, and says what it understood', async () => {
    const lib = library();
    const all = await lib.run('tram');
    expect(all).toMatchObject({ total: 2, hidden: 0, filters: [], semantic: 'tram', mode: 'lexical', coverage });
    expect(all.notice).toMatch(/words only: no text embedder is installed/);
    expect(all.items.map((p) => p.id).sort()).toEqual([lib.tram2019, lib.tram2021].sort());
    expect(all.items[0]).toMatchObject({ kind: 'image', status: 'ok', score: 1, why: [{ field: 'file' }] });

    const in2019 = await lib.run('tram 2019');
    expect(in2019.items.map((p) => p.id)).toEqual([lib.tram2019]);
    expect(in2019).toMatchObject({ total: 1, semantic: 'tram', filters: [{ id: 'date:0', label: '2019', kind: 'date', span: [5, 9] }] });
    expect(in2019.items[0]).toMatchObject({ name: 'tram-alfama.jpg', day: '2019-06-01' });

    // Folder words rank too; a filter that matches none of the hits leaves nothing.
    expect((await lib.run('porto')).items.map((p) => p.id).sort()).toEqual([lib.tram2021, lib.clip].sort());
    expect((await lib.run('porto')).items.find((p) => p.id === lib.clip)?.why).toEqual([
      { field: 'folder', snippet: { text: 'Porto', highlights: [[0, 5]] } },
    ]);
    expect(await lib.run('tram 2005')).toMatchObject({ items: [], total: 0, filters: [{ label: '2005', kind: 'date' }] });
  });

  it('lists the photos passing the filters newest first when no words are left, and pages them', async () => {
    const lib = library();
    expect(await lib.run('videos')).toMatchObject({
      total: 1,
      semantic: '',
      items: [{ id: lib.clip, score: 1, why: [{ field: 'filters' }] }],
      filters: [{ id: 'kind:0', kind: 'kind' }],
    });
    const photos = await lib.run('photos from 2019 – 2021');
    expect(photos.items.map((p) => p.id)).toEqual([lib.tram2021, lib.clip, lib.tram2019]);
    const second = await lib.run('photos from 2019 – 2021', 1, 1);
    expect(second).toMatchObject({ total: 3, items: [{ id: lib.clip }] });
  });

  it('resolves a place name against the gazetteer: a filter on the places photos were geocoded to', async () => {
    // No photo here has GPS, so none is in Lisbon (the "Lisboa" folder is words, not a place).
    const r = await library().run('tram in Lisbon');
    expect(r.filters).toEqual([{ id: 'place:0', label: 'Lisbon, Portugal', kind: 'place', span: [5, 14] }]);
    expect(r).toMatchObject({ semantic: 'tram', total: 0 });
  });

  it('finds nothing for an empty query and never throws on hostile text or paging', async () => {
    const lib = library();
    for (const q of ['', '   ', '\n\t'])
      expect(await lib.run(q)).toEqual({ items: [], total: 0, hidden: 0, filters: [], semantic: '', mode: 'lexical', coverage });
    for (const q of ['"NEAR( AND *', '\0', '*', '"', 'x'.repeat(20_000), '\uD800 tram', "'; DROP TABLE photos; --", '% _ \\'])
      await expect(lib.run(q)).resolves.toBeDefined();
    expect((await lib.run('tram', Number.NaN, Number.NaN)).items).toEqual([]);
    expect((await lib.run('tram', 50, 1e12)).items).toEqual([]);
    expect((await lib.run('tram')).total).toBe(2); // the library is still there
  });
});
