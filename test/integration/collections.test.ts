/**
 * @file Favourites, stars, hidden, display rotation and albums (issue 12, items 2 and 3) over a real temp
 * library, through the router as the UI calls it: each action changes the views and the grid cells and
 * undoes exactly; an `all` selection covers a view minus its exceptions; hidden photos show only in the
 * Hidden view; albums are created, renamed (names unique regardless of case), filled, emptied and
 * deleted without touching a photo; marks and albums follow a file that moves, and come back when a
 * folder is removed and added again (identity by content); bad arguments are refused with reasons.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../main/log';
import { createServices, type Services } from '../../main/services';
import type { AlbumDto, ApiErrorDto, CollectionChange, PhotoDetail, PhotoPage, SearchResult, TimelineGroup } from '../../preload/contract';
import { decodeAspect } from '../../preload/contract/aspect-code';
import type { PhotoLayout } from '../../preload/contract/layout';

const sample = join(import.meta.dirname, '../../assets/sample-library');
const work = mkdtempSync(join(tmpdir(), 'shoebox-collections-'));
const photosDir = join(work, 'photos');
let services: Services;
let folderId: number;

const call = async <T>(method: string, args: unknown): Promise<T> => {
  const r = await services.router.call(method, args);
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.result as T;
};
const refused = async (method: string, args: unknown): Promise<ApiErrorDto> => {
  const r = await services.router.call(method, args);
  if (r.ok) throw new Error(`${method} was accepted`);
  return r.error;
};
const idOf = (rel: string) =>
  services.db.prepare("SELECT photo_id FROM files WHERE rel_path = ? AND status = 'ok'").pluck().get(rel) as number;
const page = (view?: unknown) => call<PhotoPage>('photos:page', { offset: 0, limit: 100, ...(view ? { view } : {}) });
const ids = async (view?: unknown) => (await page(view)).items.map((p) => p.id).sort((a, b) => a - b);
const sorted = (...xs: number[]) => xs.sort((a, b) => a - b);
const FILES = {
  'a.jpg': 'food/fruits.jpg',
  'b.jpg': 'food/orange.jpg',
  'c.png': 'coffee.png',
  'sub/baboon.jpg': 'animals/baboon.jpg',
} as const;
let a: number, b: number, c: number, d: number;

beforeAll(async () => {
  for (const [rel, from] of Object.entries(FILES)) {
    mkdirSync(join(photosDir, rel, '..'), { recursive: true });
    cpSync(join(sample, from), join(photosDir, rel));
  }
  services = await createServices({ dataDir: join(work, 'data'), shell: 'headless', log: silentLog });
  folderId = (await services.library.addFolder(photosDir)).id;
  await services.library.whenIdle();
  [a, b, c, d] = ['a.jpg', 'b.jpg', 'c.png', 'sub/baboon.jpg'].map(idOf) as [number, number, number, number];
}, 60_000);

afterAll(async () => {
  await services?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('favourites, stars, hidden, rotation', () => {
  it('favourites a photo, shows it in the Favourites view and on its cell, and undoes exactly', async () => {
    const r = await call<CollectionChange>('photos:setFavourite', { selection: { ids: [a, b] }, favourite: true });
    expect(r).toEqual({ changed: 2, undoToken: expect.any(String) });
    expect(await ids({ kind: 'favourites' })).toEqual(sorted(a, b));
    expect((await page()).items.find((p) => p.id === a)).toMatchObject({ favourite: true });
    expect((await page()).items.find((p) => p.id === c)?.favourite).toBeUndefined();
    // Already favourites: nothing changes, nothing to undo.
    expect(await call('photos:setFavourite', { selection: { ids: [a] }, favourite: true })).toEqual({ changed: 0, undoToken: null });
    const off = await call<CollectionChange>('photos:setFavourite', { selection: { ids: [a, c] }, favourite: false });
    expect(off.changed).toBe(1);
    expect(await ids({ kind: 'favourites' })).toEqual([b]);
    expect(await call('collections:undo', { undoToken: off.undoToken })).toEqual({ changed: 1 });
    expect(await ids({ kind: 'favourites' })).toEqual(sorted(a, b));
    expect(await call('collections:undo', { undoToken: r.undoToken })).toEqual({ changed: 2 });
    expect(await ids({ kind: 'favourites' })).toEqual([]);
    expect((await refused('collections:undo', { undoToken: r.undoToken })).code).toBe('not-found');
  });

  it('rates everything the grid shows but the exceptions, and undo puts back each previous rating', async () => {
    await call('photos:setRating', { selection: { ids: [c] }, rating: 5 });
    const r = await call<CollectionChange>('photos:setRating', { selection: { all: true, except: [b] }, rating: 3 });
    expect(r.changed).toBe(3);
    const stars = Object.fromEntries((await page()).items.map((p) => [p.id, p.rating]));
    expect(stars).toEqual({ [a]: 3, [b]: undefined, [c]: 3, [d]: 3 });
    expect(await call<PhotoDetail>('photos:get', { id: a })).toMatchObject({ rating: 3, ratingSource: 'user' });
    await call('collections:undo', { undoToken: r.undoToken });
    const after = Object.fromEntries((await page()).items.map((p) => [p.id, p.rating]));
    expect(after).toEqual({ [a]: undefined, [b]: undefined, [c]: 5, [d]: undefined });
    expect(await call<PhotoDetail>('photos:get', { id: a })).toMatchObject({ rating: 0, ratingSource: 'none' });
  });

  it('hides a photo from every view but Hidden, with counts and timeline to match', async () => {
    const before = await page();
    const timeline = await call<TimelineGroup[]>('photos:timeline', {});
    await call('photos:setFavourite', { selection: { ids: [d] }, favourite: true });
    expect((await call<SearchResult>('search:query', { text: 'baboon', strictness: 'loose' })).items.map((p) => p.id)).toEqual([d]);
    const r = await call<CollectionChange>('photos:setHidden', { selection: { ids: [d] }, hidden: true });
    expect(r.changed).toBe(1);
    const now = await page();
    expect(now.total).toBe(before.total - 1);
    expect(now.items.map((p) => p.id)).not.toContain(d);
    expect(await ids({ kind: 'favourites' })).toEqual([]);
    expect(await ids({ kind: 'hidden' })).toEqual([d]);
    // Search leaves it out too.
    expect((await call<SearchResult>('search:query', { text: 'baboon', strictness: 'loose' })).items).toEqual([]);
    expect((await page({ kind: 'hidden' })).items[0]).toMatchObject({ id: d, hidden: true, favourite: true });
    const sum = (t: TimelineGroup[]) => t.reduce((n, g) => n + g.count, 0);
    expect(sum(await call<TimelineGroup[]>('photos:timeline', {}))).toBe(sum(timeline) - 1);
    expect(sum(await call<TimelineGroup[]>('photos:timeline', { view: { kind: 'hidden' } }))).toBe(1);
    // Folder filter and view together.
    expect((await call<PhotoPage>('photos:page', { offset: 0, limit: 10, folderId, view: { kind: 'hidden' } })).total).toBe(1);
    await call('photos:setHidden', { selection: { all: true, view: { kind: 'hidden' } }, hidden: false });
    expect((await page()).total).toBe(before.total);
    await call('photos:setFavourite', { selection: { ids: [d] }, favourite: false });
  });

  it('rotates for display only, relative to the current turn', async () => {
    const bytes = readFileSync(join(photosDir, 'a.jpg'));
    expect(await call('photos:rotate', { id: a, quarterTurns: 1 })).toEqual({ id: a, rotation: 1 });
    expect(await call('photos:rotate', { id: a, quarterTurns: -2 })).toEqual({ id: a, rotation: 3 });
    expect((await page()).items.find((p) => p.id === a)?.rotation).toBe(3);
    expect((await call<PhotoDetail>('photos:get', { id: a })).rotation).toBe(3);
    expect(await call('photos:rotate', { id: a, quarterTurns: 1 })).toEqual({ id: a, rotation: 0 });
    expect((await page()).items.find((p) => p.id === a)?.rotation).toBeUndefined();
    expect(readFileSync(join(photosDir, 'a.jpg')).equals(bytes)).toBe(true);
  });

  it("turns the photo's shape in the grid's layout, read again after the turn", async () => {
    // The layout's aspect byte of `a`, at its place in the page's order ([Note: Turned photos in the grid]).
    const aspectOfA = async () => {
      const at = (await page()).items.findIndex((p) => p.id === a);
      const layout = await call<PhotoLayout>('photos:layout', {});
      return decodeAspect(Buffer.from(layout.aspects, 'base64')[at]!);
    };
    const { width, height } = (await page()).items.find((p) => p.id === a)!;
    expect(width).not.toBe(height);
    const upright = await aspectOfA(); // cached by the library until it changes
    expect(Math.abs(upright / (width! / height!) - 1)).toBeLessThan(0.013);
    await call('photos:rotate', { id: a, quarterTurns: 1 });
    expect(Math.abs((await aspectOfA()) * upright - 1)).toBeLessThan(0.026);
    await call('photos:rotate', { id: a, quarterTurns: 1 }); // upside down: the shape of the upright photo
    expect(await aspectOfA()).toBe(upright);
    await call('photos:rotate', { id: a, quarterTurns: 2 });
    expect(await aspectOfA()).toBe(upright);
  });
});

describe('albums', () => {
  let trips: AlbumDto;

  it('creates, fills, renames and lists albums; names are unique regardless of case', async () => {
    const created = await call<AlbumDto & { added: number }>('albums:create', { name: '  Trips ', selection: { ids: [b, d] } });
    expect(created).toMatchObject({ name: 'Trips', count: 2, added: 2, cover: expect.any(String) });
    trips = created;
    const other = await call<AlbumDto>('albums:create', { name: 'Other' });
    expect(other.count).toBe(0);
    expect((await refused('albums:create', { name: 'trips' })).code).toBe('conflict');
    expect((await refused('albums:rename', { albumId: other.id, name: 'TRIPS' })).code).toBe('conflict');
    expect(await call<AlbumDto>('albums:rename', { albumId: other.id, name: 'Later' })).toMatchObject({ name: 'Later' });
    expect((await call<AlbumDto[]>('albums:list', {})).map((x) => [x.name, x.count])).toEqual([
      ['Later', 0],
      ['Trips', 2],
    ]);
    expect(await ids({ kind: 'album', albumId: trips.id })).toEqual(sorted(b, d));
    expect((await call<PhotoDetail>('photos:get', { id: b })).albums).toEqual([{ id: trips.id, name: 'Trips' }]);
  });

  it("shows an album's cover turned as its photo is, and says so when the photo turns", async () => {
    const cover = (await page({ kind: 'album', albumId: trips.id })).items[0]!;
    expect(cover.thumb).toBe(trips.cover);
    expect(trips.coverRotation).toBeUndefined();
    const sent: AlbumDto[][] = [];
    const off = services.events.on('albums:changed', (list) => void sent.push(list));
    try {
      await call('photos:rotate', { id: cover.id, quarterTurns: 1 });
      const turned = (await call<AlbumDto[]>('albums:list', {})).find((x) => x.id === trips.id);
      expect(turned).toMatchObject({ cover: trips.cover, coverRotation: 1 });
      expect(sent.at(-1)?.find((x) => x.id === trips.id)?.coverRotation).toBe(1);
      await call('photos:rotate', { id: cover.id, quarterTurns: -1 });
      expect((await call<AlbumDto[]>('albums:list', {})).find((x) => x.id === trips.id)?.coverRotation).toBeUndefined();
      expect(sent).toHaveLength(2);
      await call('photos:rotate', { id: c, quarterTurns: 1 }); // in no album: the albums did not change
      await call('photos:rotate', { id: c, quarterTurns: -1 });
      expect(sent).toHaveLength(2);
    } finally {
      off();
    }
  });

  it('adds and removes selections with undo, and deleting an album keeps its photos', async () => {
    const added = await call<CollectionChange>('albums:add', { albumId: trips.id, selection: { all: true, except: [c] } });
    expect(added.changed).toBe(1); // a; b and d were in already
    expect(await ids({ kind: 'album', albumId: trips.id })).toEqual(sorted(a, b, d));
    const removed = await call<CollectionChange>('albums:remove', {
      albumId: trips.id,
      selection: { all: true, view: { kind: 'album', albumId: trips.id }, except: [d] },
    });
    expect(removed.changed).toBe(2);
    expect(await ids({ kind: 'album', albumId: trips.id })).toEqual([d]);
    await call('collections:undo', { undoToken: removed.undoToken });
    expect(await ids({ kind: 'album', albumId: trips.id })).toEqual(sorted(a, b, d));
    await call('collections:undo', { undoToken: added.undoToken });
    expect(await ids({ kind: 'album', albumId: trips.id })).toEqual(sorted(b, d));

    const total = (await page()).total;
    const later = (await call<AlbumDto[]>('albums:list', {})).find((x) => x.name === 'Later')!;
    await call('albums:add', { albumId: later.id, selection: { ids: [a, b] } });
    expect(await call('albums:delete', { albumId: later.id })).toEqual({ deleted: true });
    expect(await call('albums:delete', { albumId: later.id })).toEqual({ deleted: false });
    expect((await page()).total).toBe(total);
    expect((await call<PhotoDetail>('photos:get', { id: b })).albums).toEqual([{ id: trips.id, name: 'Trips' }]);
    expect((await refused('albums:add', { albumId: later.id, selection: { ids: [a] } })).code).toBe('not-found');
  });

  it('follows a file that moves, and a folder removed and added again (identity by content)', async () => {
    await call('photos:setFavourite', { selection: { ids: [d] }, favourite: true });
    await call('photos:setRating', { selection: { ids: [d] }, rating: 4 });
    mkdirSync(join(photosDir, 'moved'));
    renameSync(join(photosDir, 'sub/baboon.jpg'), join(photosDir, 'moved/renamed d.jpg'));
    await services.library.rescan(folderId);
    await services.library.whenIdle();
    const albumPage = await page({ kind: 'album', albumId: trips.id });
    expect(albumPage.items.find((p) => p.name === 'renamed d.jpg')).toMatchObject({ favourite: true, rating: 4 });

    // Removed and added again: new photo rows, the same contents; the album and marks find them.
    await call('library:removeFolder', { folderId });
    expect(await ids({ kind: 'album', albumId: trips.id })).toEqual([]);
    expect(services.db.prepare('SELECT count(*) FROM photos').pluck().get()).toBe(0);
    folderId = (await services.library.addFolder(photosDir)).id;
    await services.library.whenIdle();
    const newD = idOf('moved/renamed d.jpg');
    expect(await ids({ kind: 'album', albumId: trips.id })).toEqual(sorted(idOf('b.jpg'), newD));
    expect(await call<PhotoDetail>('photos:get', { id: newD })).toMatchObject({ favourite: true, rating: 4, albums: [{ name: 'Trips' }] });
  });

  it('refuses bad arguments with reasons', async () => {
    expect((await refused('albums:create', { name: '   ' })).issues).toEqual([{ path: 'name', message: 'the album needs a name' }]);
    expect((await refused('photos:setRating', { selection: { ids: [a] }, rating: 6 })).code).toBe('bad-argument');
    expect((await refused('photos:setFavourite', { selection: { ids: [] }, favourite: true })).code).toBe('bad-argument');
    expect((await refused('photos:page', { offset: 0, limit: 10, view: { kind: 'album' } })).code).toBe('bad-argument');
    expect((await refused('photos:rotate', { id: 999_999, quarterTurns: 1 })).code).toBe('not-found');
  });
});
