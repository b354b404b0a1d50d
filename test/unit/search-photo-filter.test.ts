/**
 * @file filterSql against a real in-memory database through every migration: each filter selects the
 * right photos, filters of one type are alternatives and of different types all apply, user text stays in
 * parameters, a resolved place selects by stored codes, and an unresolved place is reported unsupported
 * ([Note: Filter combination] in main/db/photo-filter.ts).
 */
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../main/db/open';
import { createPhotosRepo, type PhotoMetadata } from '../../main/db/photos.repo';
import { createFilesRepo } from '../../main/db/files.repo';
import { createFoldersRepo } from '../../main/db/folders.repo';
import { createUnderstandingRepo } from '../../main/db/understanding.repo';
import { createPlacesRepo } from '../../main/db/places.repo';
import { filterSql } from '../../main/db/photo-filter';
import { parseQuery, type Filter } from '../../main/search/query-parser';

const now = new Date(2026, 10, 30, 12, 0, 0);
const maker = { modelId: 'm', variant: 'int8', version: 'understand:1:m:int8', demo: false };

/** Photos: a Christmas 2021 iPhone shot in Trips/Lisbon, a 2019 Canon video, a screenshot with text, a file-time-only photo. */
function library() {
  const db = openDatabase(':memory:');
  const photos = createPhotosRepo(db);
  const files = createFilesRepo(db);
  const folders = createFoldersRepo(db);
  const und = createUnderstandingRepo(db);
  const trips = folders.insert('/home/me/Trips', 0);
  const misc = folders.insert('/home/me/Misc_100%', 0);
  const add = (
    name: string,
    kind: 'image' | 'video' | 'raw',
    folderId: number,
    rel: string,
    fileTime: string,
    meta: Partial<PhotoMetadata>,
  ) => {
    const id = photos.insert({ hash: name, kind, mime: null, fileTime, error: null, now: 0 });
    const row = photos.get(id);
    if (row) photos.setMetadata(id, { ...row, ...meta }); // the row's own nulls for every other column
    files.upsert({ folderId, relPath: rel, photoId: id, size: 1, mtimeMs: 0, status: 'ok', error: null, now: 0 });
    return id;
  };
  const ids = {
    xmas: add('xmas', 'image', trips, 'Lisbon/xmas.jpg', '2022-01-05T10:00:00.000', {
      taken_at: '2021-12-25T18:30:00',
      camera_make: 'Apple',
      camera_model: 'iPhone 12 Pro',
    }),
    boxing: add('boxing', 'raw', trips, 'boxing.cr2', '2021-12-27T00:00:00.000', { camera_make: 'Canon', camera_model: 'EOS R5' }),
    video: add('video', 'video', misc, 'clips/2019.mp4', '2020-02-01T00:00:00.000', {
      taken_at: '2019-07-14T09:00:00',
      camera_make: 'Canon',
      camera_model: 'EOS R5',
    }),
    shot: add('shot', 'image', misc, 'Screens/shot.png', '2026-11-28T23:59:59.999', {}),
  };
  const label = (name: string) => und.labelByName(name)?.id ?? -1;
  const understood = (id: number, text: string, tag: string) =>
    und.writeOutput(
      id,
      {
        state: 'ok',
        calibrated: true,
        numTiles: 1,
        ms: 1,
        caption: null,
        text: { text, finish: 'stop', reason: 'asked' },
        tags: [{ labelId: label(tag), score: 1, rawScore: -1 }],
      },
      maker,
      0,
    );
  understood(ids.shot, 'Total: 42', 'screenshot');
  // A document tag the user took off, and whitespace-only text: neither counts.
  understood(ids.xmas, '  ', 'document');
  und.setUserTag(ids.xmas, label('document'), true, 0);
  und.setUserTag(ids.video, label('document'), false, 0);
  return { db, ids };
}

/** The photos the filters select; both forms, per photo and as id sets, must select the same ones. */
const select = (db: Db, filters: readonly Filter[]) => {
  const { where, libraryWhere, params } = filterSql(filters);
  const run = (w: string) =>
    db
      .prepare(`SELECT p.hash FROM photos p WHERE ${w} ORDER BY p.hash`)
      .pluck()
      .all(...params) as string[];
  const hashes = run(where);
  if (libraryWhere !== undefined) expect(run(libraryWhere)).toEqual(hashes);
  return hashes;
};
const q = (text: string) => parseQuery(text, now).filters;

describe('filterSql', () => {
  const { db } = library();

  it.each([
    ['Christmas 2021', ['xmas']],
    ['2019', ['video']],
    ['last weekend', ['shot']], // Nov 28–29 2026: the file time is the capture time when EXIF has none
    ['Dec 27 2021', ['boxing']],
    ['videos', ['video']],
    ['only photos', ['boxing', 'shot', 'xmas']],
    ['iPhone', ['xmas']],
    ['iPhone 12 Pro', ['xmas']],
    ['iPhone 13', []],
    ['Canon', ['boxing', 'video']],
    ['Nikon', []],
    ['screenshots', ['shot']],
    ['documents', ['video']],
    ['with text', ['shot']],
    ['in folder Trips', ['boxing', 'xmas']],
    ['in folder Lisbon', ['xmas']],
    ['in folder clips', ['video']],
    ['folder:Misc_100%', ['shot', 'video']],
    ['folder:Misc_1000', []],
    ['in folder rips', []],
    ['Canon videos 2019', ['video']],
    ['Canon 2021', ['boxing']],
    ['Canon 2020', []],
  ])('%s', (text, expected) => {
    const filters = q(text);
    expect(filters.length).toBeGreaterThan(0);
    expect(select(db, filters)).toEqual(expected);
  });

  it('treats filters of one type as alternatives and of different types as all applying', () => {
    expect(select(db, [...q('2019'), ...q('Christmas 2021')])).toEqual(['video', 'xmas']);
    expect(select(db, [...q('2019'), ...q('Christmas 2021'), ...q('iPhone')])).toEqual(['xmas']);
  });

  it('restricts nothing without filters, and reports a place as unsupported', () => {
    expect(filterSql([])).toEqual({ where: '1', params: [], unsupported: [] });
    const lisbon = q('in Lisbon');
    const out = filterSql(lisbon);
    expect(out.unsupported).toEqual(lisbon);
    expect(select(db, lisbon)).toEqual(['boxing', 'shot', 'video', 'xmas']);
  });

  it('selects a resolved place by the codes the geocode step stored: city, region or country', () => {
    const { db, ids } = library();
    const places = createPlacesRepo(db);
    const row = (id: number, city: string, region: string, country_code = 'PT') =>
      ({ id, country_code, region_code: region, city, region: city, country: 'Portugal', other_names: '' }) as const;
    places.setPlaces(
      [
        { photoId: ids.xmas, place: row(2267057, 'Lisbon', 'PT.14') },
        { photoId: ids.boxing, place: row(2262963, 'Sintra', 'PT.14') },
        { photoId: ids.video, place: row(2735943, 'Porto', 'PT.17') },
      ],
      0,
    );
    const at = (level: 'city' | 'region' | 'country', code: string): Filter => ({
      type: 'place',
      name: code,
      place: { level, code, label: code },
      phrase: code,
      span: [0, code.length],
      label: code,
    });
    expect(select(db, [at('city', '2267057')])).toEqual(['xmas']);
    expect(select(db, [at('region', 'PT.14')])).toEqual(['boxing', 'xmas']);
    expect(select(db, [at('country', 'PT')])).toEqual(['boxing', 'video', 'xmas']);
    expect(select(db, [at('country', 'JP')])).toEqual([]);
    expect(select(db, [at('city', '2267057'), at('city', '2735943')])).toEqual(['video', 'xmas']);
    expect(filterSql([at('region', 'PT.14')]).unsupported).toEqual([]);
  });

  it('gives whole-library queries id sets that the indexes serve ([Note: Filters per photo and as id sets])', () => {
    const plan = (w: string, params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN SELECT p.id FROM photos p WHERE ${w}`).all(...params) as { detail: string }[])
        .map((r) => r.detail)
        .join(' | ');
    const lisbon: Filter = {
      type: 'place',
      name: 'Lisbon',
      place: { level: 'city', code: '2267057', label: 'Lisbon' },
      phrase: 'Lisbon',
      span: [0, 6],
      label: 'Lisbon',
    };
    const city = filterSql([lisbon]);
    expect(city.where).toMatch(/^\(EXISTS/);
    expect(plan(city.libraryWhere!, city.params)).toMatch(/SEARCH pp USING COVERING INDEX photo_places_place \(place_id=\?\)/);
    expect(plan(city.libraryWhere!, city.params)).not.toMatch(/SCAN p\b/);
    for (const text of ['with text', 'in folder Trips']) {
      const f = filterSql(q(text));
      expect(f.libraryWhere, text).toMatch(/^\(p\.id IN \(SELECT/);
      expect(plan(f.libraryWhere!, f.params), text).not.toMatch(/SCAN p\b/);
    }
    // Filters with one form only have no second one.
    expect(filterSql(q('Canon 2021')).libraryWhere).toBeUndefined();
  });

  it('keeps user text out of the SQL', () => {
    const evil = "x' OR 1=1; DROP TABLE photos; --";
    const filters: Filter[] = [
      { type: 'folder', name: evil, phrase: evil, span: [0, 1], label: evil },
      { type: 'camera', make: evil, model: evil, phrase: evil, span: [0, 1], label: evil },
      { type: 'place', name: evil, place: { level: 'region', code: evil, label: evil }, phrase: evil, span: [0, 1], label: evil },
    ];
    const { where, libraryWhere } = filterSql(filters);
    expect(where).not.toContain('DROP');
    expect(libraryWhere).not.toContain('DROP');
    expect(select(db, filters)).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM photos').pluck().get()).toBe(4);
  });
});
