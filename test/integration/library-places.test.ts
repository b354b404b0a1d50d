/**
 * @file Places end to end on a real SQLite file: photos with GPS are indexed, geocoded by the geocode
 * step ([Note: Geocoding as a step] in main/places/geocode-step.ts), shown with their place, and found
 * by "Lisbon", "Lisboa" and "Portugal" both through the search index's places column and through the
 * place filter; photos without GPS or with a 0,0 fix get no place and no error; running the step again
 * (as after a kill) writes the same rows.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { createSearchRepo } from '../../main/db/search.repo';
import { createSearch } from '../../main/search/hybrid-search';
import { makeHarness, type Harness } from './helpers/library-harness';

/** EXIF GPS as degrees, minutes and hundredths of seconds. */
const dms = (v: number) => {
  const a = Math.abs(v);
  const d = Math.floor(a);
  const m = Math.floor((a - d) * 60);
  return `${d}/1 ${m}/1 ${Math.round(((a - d) * 60 - m) * 6000)}/100`;
};

async function photo(file: string, colour: string, gps: [number, number] | null) {
  const exif = gps
    ? {
        IFD3: {
          GPSLatitudeRef: gps[0] >= 0 ? 'N' : 'S',
          GPSLatitude: dms(gps[0]),
          GPSLongitudeRef: gps[1] >= 0 ? 'E' : 'W',
          GPSLongitude: dms(gps[1]),
        },
      }
    : {};
  await sharp({ create: { width: 64, height: 48, channels: 3, background: colour } })
    .withExif(exif)
    .jpeg()
    .toFile(file);
}

let h: Harness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

const now = new Date(2026, 10, 30, 12);

describe('places', () => {
  it('geocodes indexed photos, shows their place, and finds them by place names', async () => {
    h = makeHarness({ concurrency: 2 });
    mkdirSync(h.photosDir, { recursive: true });
    await photo(join(h.photosDir, 'tram.jpg'), '#c33', [38.7139, -9.1394]); // Lisbon, Rossio
    await photo(join(h.photosDir, 'bridge.jpg'), '#36c', [41.1406, -8.6128]); // Porto
    await photo(join(h.photosDir, 'shrine.jpg'), '#3c6', [35.6812, 139.7671]); // Tokyo
    await photo(join(h.photosDir, 'nogps.jpg'), '#999', null);
    await photo(join(h.photosDir, 'island.jpg'), '#555', [0, 0]); // a camera's "no fix"
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();

    const ids = new Map(h.lib.page({ offset: 0, limit: 50 }).items.map((p) => [p.name, p.id]));
    const detail = (name: string) => h!.lib.getPhoto(ids.get(name) ?? -1);
    expect(detail('tram.jpg')?.place).toEqual({ city: 'Lisbon', region: 'Lisbon', country: 'Portugal', countryCode: 'PT' });
    expect(detail('shrine.jpg')?.place).toMatchObject({ city: 'Tokyo', country: 'Japan' });
    expect(detail('nogps.jpg')?.place).toBeUndefined();
    expect(detail('island.jpg')?.place).toBeUndefined();
    expect(h.lib.failures(0, 10).total).toBe(0);
    expect(h.lib.jobsStatus().steps.find((s) => s.step === 'geocode')).toMatchObject({ done: 5, failed: 0, pending: 0 });

    // Through the search index's places column: English, local names, country names in their language.
    const lexical = createSearchRepo(h.db);
    const hits = (q: string) =>
      lexical
        .lexical(q, { limit: 10 })
        .map((x) => x.photoId)
        .sort();
    const [tram, bridge, shrine] = ['tram.jpg', 'bridge.jpg', 'shrine.jpg'].map((n) => ids.get(n) ?? -1);
    expect(hits('Lisbon')).toEqual([tram]);
    expect(hits('lisboa')).toEqual([tram]);
    expect(hits('Portugal')).toEqual([bridge, tram].sort());
    expect(hits('東京')).toEqual([shrine]);
    expect(lexical.lexical('Lisbon', { limit: 10 })[0]?.matched).toEqual(['places']);

    // Through the place filter: the parser resolves the name, the filter selects by stored codes.
    const search = createSearch({ db: h.db });
    const run = (q: string) => search.search(q, { limit: 50, offset: 0, now });
    const names = async (q: string) => (await run(q)).items.map((p) => p.name).sort();
    expect((await run('in Lisbon')).filters).toEqual([expect.objectContaining({ kind: 'place', label: 'Lisbon, Portugal' })]);
    expect(await names('in Lisbon')).toEqual(['tram.jpg']);
    expect(await names('photos from Lisboa')).toEqual(['tram.jpg']);
    expect(await names('Portugal')).toEqual(['bridge.jpg', 'tram.jpg']);
    expect(await names('in Japan')).toEqual(['shrine.jpg']);
    expect(await names('in Germany')).toEqual([]);
  });

  it('re-running the step (as after a kill) changes nothing, and a changed fix moves the photo', async () => {
    h = makeHarness({ concurrency: 2 });
    mkdirSync(h.photosDir, { recursive: true });
    await photo(join(h.photosDir, 'tram.jpg'), '#c33', [38.7139, -9.1394]);
    await photo(join(h.photosDir, 'bridge.jpg'), '#36c', [41.1406, -8.6128]);
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    const snapshot = () => ({
      places: h!.db.prepare('SELECT * FROM places ORDER BY id').all(),
      photos: h!.db.prepare('SELECT photo_id, place_id, country_code, region_code FROM photo_places ORDER BY photo_id').all(),
      fts: h!.db.prepare("SELECT rowid FROM search_fts WHERE search_fts MATCH 'places : (lisbon OR porto)' ORDER BY rowid").pluck().all(),
    });
    const before = snapshot();
    expect(before.photos).toHaveLength(2);

    // Every job back to pending, as a crash mid-batch leaves them, then run again.
    h.db.prepare("UPDATE jobs SET state = 'pending' WHERE step = 'geocode'").run();
    const outcomes = await h.lib.runStep('geocode', 10);
    expect(outcomes.map((o) => o.outcome)).toEqual(['done', 'done']);
    expect(snapshot()).toEqual(before);

    // A new fix (a metadata re-read) drops the old place and queues the photo again.
    const tram = h.lib.page({ offset: 0, limit: 10 }).items.find((p) => p.name === 'tram.jpg')?.id ?? -1;
    h.db.prepare('UPDATE photos SET gps_lat = 41.1406, gps_lon = -8.6128 WHERE id = ?').run(tram);
    expect(h.lib.getPhoto(tram)?.place).toBeUndefined();
    await h.lib.runStep('geocode', 10);
    expect(h.lib.getPhoto(tram)?.place).toMatchObject({ city: 'Porto' });
    expect(snapshot().fts).toEqual(before.fts); // both photos now match "porto"; neither "lisbon"
  });
});
