/**
 * @file Hidden and trashed photos are not counted outside their own views, over a real temp library
 * through the router as the UI calls it (the real `trash` package, XDG_DATA_HOME pointed at a temp
 * folder): the folder counts of the sidebar and the library's statistics equal what the grid shows, a
 * photo in the Trash is not "missing", a place name does not resolve to where only hidden photos were
 * taken, and all of it comes back when the photo is shown again. The Hidden and Trash views keep theirs.
 * Library chat's counts and photos: test/unit/library-chat.test.ts.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddingsRepo } from '../../main/db/embeddings.repo';
import { createPlacesRepo } from '../../main/db/places.repo';
import { createUnderstandingRepo, type Maker } from '../../main/db/understanding.repo';
import { silentLog } from '../../main/log';
import { libraryPlaceResolver } from '../../main/search/place-resolver';
import { parseQuery } from '../../main/search/query-parser';
import { createServices, type Services } from '../../main/services';
import type { CollectionChange, FolderDto, JobsStatus, PhotoPage, TrashMoveResult } from '../../preload/contract';
import { photoIdOfFile, routerCaller } from './helpers/router-call';

const work = mkdtempSync(join(tmpdir(), 'shoebox-hidden-counts-'));
// Before anything loads the `trash` package (it reads XDG_DATA_HOME when it loads).
process.env['XDG_DATA_HOME'] = join(work, 'xdg');
const sample = join(import.meta.dirname, '../../assets/sample-library');
const photosDir = join(work, 'photos');
let services: Services;

const call = routerCaller(() => services);
const idOf = (rel: string) => photoIdOfFile(services, rel);
const total = async (view?: unknown) => (await call<PhotoPage>('photos:page', { offset: 0, limit: 100, ...(view ? { view } : {}) })).total;
const folderCount = async () => (await call<FolderDto[]>('library:folders', {}))[0]!.photoCount;
/** Search's coverage ("N of M photos understood so far"), as main/search/hybrid-search.ts reads it. */
const coverage = () => createEmbeddingsRepo(services.db).coverageCounts();
const MAKER: Maker = { modelId: 'm', variant: 'int8', version: 'understand:1:m:int8', demo: false };
const stats = async () => {
  const s = await call<JobsStatus>('jobs:status', {});
  return { photos: s.photos, missing: s.missing };
};
const SINTRA = {
  id: 2262912,
  country_code: 'PT',
  region_code: 'PT.14',
  city: 'Sintra',
  region: 'Lisbon',
  country: 'Portugal',
  other_names: '',
};
/** The place a bare "Sintra" means for the library now, or null when it stays words. */
const sintra = () =>
  parseQuery('Sintra', new Date(), { places: libraryPlaceResolver(services.db) }).filters.find((f) => f.type === 'place')?.label ?? null;

beforeAll(async () => {
  mkdirSync(join(photosDir, 'sub'), { recursive: true });
  cpSync(join(sample, 'food/fruits.jpg'), join(photosDir, 'fruits.jpg'));
  cpSync(join(sample, 'food/orange.jpg'), join(photosDir, 'orange.jpg'));
  cpSync(join(sample, 'coffee.png'), join(photosDir, 'coffee.png'));
  cpSync(join(sample, 'animals/baboon.jpg'), join(photosDir, 'sub/baboon.jpg'));
  services = await createServices({ dataDir: join(work, 'data'), shell: 'headless', log: silentLog });
  await services.library.addFolder(photosDir);
  await services.library.whenIdle();
}, 60_000);

afterAll(async () => {
  await services?.close();
  delete process.env['XDG_DATA_HOME'];
  rmSync(work, { recursive: true, force: true });
});

describe('hidden and trashed photos in counts', () => {
  it('count in the folder list, the statistics and place names only while the grid shows them', async () => {
    const [fruits, orange] = [idOf('fruits.jpg'), idOf('orange.jpg')];
    createPlacesRepo(services.db).setPlaces([{ photoId: fruits, place: SINTRA }], 0);
    for (const id of [fruits, orange]) {
      const caption = { text: 'Fruit on a table.', finish: 'stop' } as const;
      createUnderstandingRepo(services.db).writeOutput(
        id,
        { state: 'ok', calibrated: true, numTiles: 1, ms: 1, caption, text: null, tags: [] },
        MAKER,
        1,
      );
    }
    expect(coverage()).toEqual({ photos: 4, understood: 2 });
    expect(await folderCount()).toBe(4);
    expect(await stats()).toEqual({ photos: 4, missing: 0 });
    expect(sintra()).toMatch(/^Sintra/);

    const hidden = await call<CollectionChange>('photos:setHidden', { selection: { ids: [fruits] }, hidden: true });
    expect(hidden.changed).toBe(1);
    expect((await call<TrashMoveResult>('trash:move', { selection: { ids: [orange] } })).moved).toBe(1);
    await services.library.whenIdle();

    expect(await total()).toBe(2);
    expect(await folderCount()).toBe(2);
    // The photo in the Trash has no file left, but it is not "missing": the user put it there.
    expect(await stats()).toEqual({ photos: 2, missing: 0 });
    // The only photo taken in Sintra is hidden: "Sintra" is words again, not a place search would find none in.
    expect(sintra()).toBeNull();
    // Search's "N of M photos understood" is over the photos it can show: the trashed one is not left to do.
    expect(coverage()).toEqual({ photos: 2, understood: 0 });
    // The Hidden and Trash views still show theirs.
    expect(await total({ kind: 'hidden' })).toBe(1);
    expect(await total({ kind: 'trash' })).toBe(1);

    await call<CollectionChange>('photos:setHidden', { selection: { ids: [fruits] }, hidden: false });
    expect(await folderCount()).toBe(3);
    expect(await stats()).toEqual({ photos: 3, missing: 0 });
    expect(coverage()).toEqual({ photos: 3, understood: 1 });
    expect(sintra()).toMatch(/^Sintra/);
  }, 60_000);
});
