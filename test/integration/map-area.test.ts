/**
 * @file Map areas on a real SQLite file ([Note: Map areas] in preload/contract/map.ts): the grid's page
 * and timeline with a `bbox` show exactly the photos taken inside it (newest first, one folder when asked),
 * a box across the antimeridian takes both sides of the date line, photos without GPS are never inside an
 * area, an area narrows a grid view (hidden photos stay out) and a select-all made in it, and `map:points` / `map:photos` answer the Map page's compact points and grid cells.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Bbox } from '../../preload/contract';
import { photoSelectionSchema } from '../../preload/contract/collections';
import { bboxSchema } from '../../preload/contract/map';
import { createMapHandlers } from '../../main/api/map-handlers';
import { createViewsRepo } from '../../main/db/collections-views.repo';
import { createAreaRead } from '../../main/library/area-read';
import { useTempDb } from './helpers/temp-db';

const temp = useTempDb('shoebox-map-');

/** Photos in Lisbon, Porto, Fiji (east of 180°), Samoa (west of it), Sydney, and two without GPS. */
function library() {
  const { dir, photos, files, folders } = temp();
  const trips = folders.insert(join(dir, 'Trips'), 0);
  const home = folders.insert(join(dir, 'Home'), 0);
  const add = (name: string, folderId: number, takenAt: string, gps: [number, number] | null) => {
    const id = photos.insert({ hash: name, kind: 'image', mime: null, fileTime: takenAt, error: null, now: 0 });
    const row = photos.get(id)!;
    photos.setMetadata(id, { ...row, taken_at: takenAt, gps_lat: gps?.[0] ?? null, gps_lon: gps?.[1] ?? null });
    files.upsert({ folderId, relPath: `${name}.jpg`, photoId: id, size: 1, mtimeMs: 0, status: 'ok', error: null, now: 0 });
    return id;
  };
  const ids = {
    lisbon: add('lisbon', trips, '2024-05-02T10:00:00', [38.7223, -9.1393]),
    porto: add('porto', home, '2024-06-01T10:00:00', [41.1579, -8.6291]),
    fiji: add('fiji', trips, '2023-01-10T10:00:00', [-17.7134, 178.065]),
    samoa: add('samoa', trips, '2023-01-12T10:00:00', [-13.759, -172.1046]),
    sydney: add('sydney', trips, '2022-03-01T10:00:00', [-33.8688, 151.2093]),
    noGps: add('no-gps', trips, '2024-07-01T10:00:00', null),
    noGps2: add('no-gps-2', home, '2021-01-01T10:00:00', null),
  };
  return { ids, trips, home };
}

const box = (west: number, south: number, east: number, north: number): Bbox => ({ west, south, east, north });
const PORTUGAL = box(-10, 36, -6, 42.5);
const WORLD = box(-180, -90, 180, 90);
/** 20° around the date line, over Fiji and Samoa. */
const DATE_LINE = box(170, -25, -170, -10);

describe('photos:page and photos:timeline with a bbox', () => {
  it('shows exactly the photos inside the area, newest first, with a matching timeline', () => {
    const { ids } = library();
    const area = createAreaRead(temp().db);
    const page = area.page({ offset: 0, limit: 50, bbox: PORTUGAL });
    expect(page.items.map((p) => p.id)).toEqual([ids.porto, ids.lisbon]);
    expect(page.total).toBe(2);
    expect(area.timeline(PORTUGAL)).toEqual([
      { key: '2024-06', count: 1, firstIndex: 0 },
      { key: '2024-05', count: 1, firstIndex: 1 },
    ]);
    // Paging inside the area.
    expect(area.page({ offset: 1, limit: 1, bbox: PORTUGAL }).items.map((p) => p.id)).toEqual([ids.lisbon]);
  });

  it('takes both sides of the antimeridian when west > east', () => {
    const { ids } = library();
    const area = createAreaRead(temp().db);
    expect(area.page({ offset: 0, limit: 50, bbox: DATE_LINE }).items.map((p) => p.id)).toEqual([ids.samoa, ids.fiji]);
    // The same longitudes the other way round are the rest of the world's band: Sydney, not Fiji or Samoa.
    expect(area.page({ offset: 0, limit: 50, bbox: box(-170, -40, 170, -10) }).items.map((p) => p.id)).toEqual([ids.sydney]);
  });

  it('never includes photos without GPS, even for the whole world', () => {
    const { ids } = library();
    const area = createAreaRead(temp().db);
    const page = area.page({ offset: 0, limit: 50, bbox: WORLD });
    expect(page.total).toBe(5);
    expect(page.items.map((p) => p.id)).not.toContain(ids.noGps);
    expect(page.items.map((p) => p.id)).not.toContain(ids.noGps2);
    expect(area.timeline(WORLD).reduce((n, g) => n + g.count, 0)).toBe(5);
  });

  it('combines the area with a folder', () => {
    const { ids, home, trips } = library();
    const area = createAreaRead(temp().db);
    expect(area.page({ offset: 0, limit: 50, bbox: PORTUGAL, folderId: home }).items.map((p) => p.id)).toEqual([ids.porto]);
    expect(area.timeline(PORTUGAL, trips)).toEqual([{ key: '2024-05', count: 1, firstIndex: 0 }]);
  });
});

describe('an area within a grid view', () => {
  /** Marks a photo as the collections service does (migration 0011), by its content hash. */
  const mark = (hash: string, col: 'hidden' | 'favourite') =>
    temp().db.prepare(`INSERT INTO photo_marks (photo_hash, ${col}, updated_at) VALUES (?, 1, 0)`).run(hash);

  it('keeps hidden photos out, and narrows the favourites view to the area', () => {
    const { ids } = library();
    mark('porto', 'hidden');
    mark('lisbon', 'favourite');
    mark('fiji', 'favourite');
    const area = createAreaRead(temp().db);
    expect(area.page({ offset: 0, limit: 50, bbox: PORTUGAL }).items.map((p) => p.id)).toEqual([ids.lisbon]);
    expect(area.page({ offset: 0, limit: 50, bbox: PORTUGAL, view: { kind: 'hidden' } }).items.map((p) => p.id)).toEqual([ids.porto]);
    expect(area.page({ offset: 0, limit: 50, bbox: WORLD, view: { kind: 'favourites' } }).items.map((p) => p.id)).toEqual([
      ids.lisbon,
      ids.fiji,
    ]);
    expect(area.timeline(DATE_LINE, undefined, { kind: 'favourites' })).toEqual([{ key: '2023-01', count: 1, firstIndex: 0 }]);
    expect(createMapHandlers({ db: temp().db })['map:points']({ bbox: PORTUGAL })).toMatchObject({ ids: [ids.lisbon] });
  });
});

describe('a select-all in an area-filtered grid', () => {
  it('resolves to the photos inside the area only, and the selection schema takes the area', () => {
    const { ids } = library();
    const views = createViewsRepo(temp().db);
    const picked = (bbox?: Bbox) =>
      views
        .inView({ kind: 'all' }, undefined, [ids.lisbon], bbox)
        .map((p) => p.id)
        .sort((a, b) => a - b);
    expect(picked(DATE_LINE)).toEqual([ids.fiji, ids.samoa].sort((a, b) => a - b));
    expect(picked(PORTUGAL)).toEqual([ids.porto]);
    expect(picked()).toHaveLength(6); // without an area: the whole view but the excepted photo
    expect(photoSelectionSchema.safeParse({ all: true, view: { kind: 'all' }, bbox: DATE_LINE }).success).toBe(true);
    expect(photoSelectionSchema.safeParse({ all: true, bbox: box(0, 10, 5, 0) }).success).toBe(false);
  });
});

describe('map requests', () => {
  it('map:points lists every photo with GPS newest first, as parallel arrays', async () => {
    const { ids, home } = library();
    const map = createMapHandlers({ db: temp().db });
    const all = map['map:points']({});
    expect(all).toEqual({
      ids: [ids.porto, ids.lisbon, ids.samoa, ids.fiji, ids.sydney],
      lat: [41.1579, 38.7223, -13.759, -17.7134, -33.8688],
      lon: [-8.6291, -9.1393, -172.1046, 178.065, 151.2093],
    });
    expect(map['map:points']({ bbox: DATE_LINE })).toMatchObject({ ids: [ids.samoa, ids.fiji] });
    expect((await map['map:points']({ folderId: home })).ids).toEqual([ids.porto]);
  });

  it('map:photos answers grid cells in the order asked, leaving unknown ids out', () => {
    const { ids } = library();
    const map = createMapHandlers({ db: temp().db });
    const cells = map['map:photos']({ ids: [ids.fiji, 99_999, ids.lisbon] });
    expect(Array.isArray(cells) && cells.map((c) => [c.id, c.name])).toEqual([
      [ids.fiji, 'fiji.jpg'],
      [ids.lisbon, 'lisbon.jpg'],
    ]);
  });
});

describe('bbox argument', () => {
  it('accepts a box across the antimeridian and refuses impossible ones', () => {
    expect(bboxSchema.safeParse(DATE_LINE).success).toBe(true);
    expect(bboxSchema.safeParse(box(-10, 42, -6, 36)).success).toBe(false); // south of north
    expect(bboxSchema.safeParse(box(-190, 0, 10, 10)).success).toBe(false);
    expect(bboxSchema.safeParse({ ...PORTUGAL, extra: 1 }).success).toBe(false);
  });
});
