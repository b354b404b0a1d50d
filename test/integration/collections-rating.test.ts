/**
 * @file Star ratings read at index time (issue 12, item 2): `xmp:Rating` from an XMP sidecar beside the
 * photo (attribute or element form, fullname or basename naming) shows as the photo's rating, marked as
 * the file's; a sidecar wins over none; a broken sidecar is no rating, not a failure; the user's rating
 * then wins, and the sidecar is never written by indexing; `xmp:write` writes the user's stars and favourite
 * into sidecars (a new one when there is none) and leaves photos with nothing set in Shoebox alone.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../main/log';
import { createServices, type Services } from '../../main/services';
import type { PhotoDetail, PhotoPage, XmpWriteResult } from '../../preload/contract';
import { readRating } from '../../main/xmp/xmp-marks';
import { parseXmp } from '../../main/xmp/xmp-source';
import { photoIdOfFile, routerCaller } from './helpers/router-call';

const sample = join(import.meta.dirname, '../../assets/sample-library');
const work = mkdtempSync(join(tmpdir(), 'shoebox-rating-'));
const photosDir = join(work, 'photos');
let services: Services;

const packet = (body: string) =>
  `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">${body}</rdf:RDF></x:xmpmeta>`;
const SIDECARS: Record<string, string> = {
  // darktable / Lightroom: basename, rating as an attribute.
  'a.xmp': packet('<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="4"/>'),
  // digiKam-style fullname, rating as an element.
  'b.jpg.xmp': packet(
    '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:Rating>2</xmp:Rating></rdf:Description>',
  ),
  // Not well-formed: no rating, the photo still indexes.
  'c.xmp': '<x:xmpmeta><rdf:RDF',
};
const call = routerCaller(() => services);
const idOf = (rel: string) => photoIdOfFile(services, rel);
const detail = (rel: string) => call<PhotoDetail>('photos:get', { id: idOf(rel) });

beforeAll(async () => {
  mkdirSync(photosDir, { recursive: true });
  cpSync(join(sample, 'food/fruits.jpg'), join(photosDir, 'a.jpg'));
  cpSync(join(sample, 'food/orange.jpg'), join(photosDir, 'b.jpg'));
  cpSync(join(sample, 'pets/chelsea.jpg'), join(photosDir, 'c.jpg'));
  cpSync(join(sample, 'animals/baboon.jpg'), join(photosDir, 'd.jpg'));
  for (const [name, text] of Object.entries(SIDECARS)) writeFileSync(join(photosDir, name), text);
  services = await createServices({ dataDir: join(work, 'data'), shell: 'headless', log: silentLog });
  await services.library.addFolder(photosDir);
  await services.library.whenIdle();
}, 60_000);

afterAll(async () => {
  await services?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('ratings from XMP sidecars', () => {
  it('reads xmp:Rating from basename and fullname sidecars at index time', async () => {
    expect(await detail('a.jpg')).toMatchObject({ rating: 4, ratingSource: 'file', xmp: { rating: 4 } });
    expect(await detail('b.jpg')).toMatchObject({ rating: 2, ratingSource: 'file' });
    expect(await detail('c.jpg')).toMatchObject({ rating: 0, ratingSource: 'none', error: null });
    expect(await detail('d.jpg')).toMatchObject({ rating: 0, ratingSource: 'none' });
    const cells = (await call<PhotoPage>('photos:page', { offset: 0, limit: 10 })).items;
    expect(cells.find((p) => p.name === 'a.jpg')?.rating).toBe(4);
  });

  it("lets the user's rating win, without writing the sidecar", async () => {
    await call('photos:setRating', { selection: { ids: [idOf('a.jpg')] }, rating: 0 });
    expect(await detail('a.jpg')).toMatchObject({ rating: 0, ratingSource: 'user', xmp: { rating: 4 } });
    expect(readFileSync(join(photosDir, 'a.xmp'), 'utf8')).toBe(SIDECARS['a.xmp']);
  });

  it('writes the stars and favourite the user set into sidecars only when asked, keeping the rest', async () => {
    const d = idOf('d.jpg');
    await call('photos:setFavourite', { selection: { ids: [d] }, favourite: true });
    await call('photos:setRating', { selection: { ids: [d] }, rating: 5 });
    expect(existsSync(join(photosDir, 'd.xmp'))).toBe(false);
    const r = await call<XmpWriteResult>('xmp:write', { photoIds: [idOf('a.jpg'), idOf('b.jpg'), d] });
    // a: the user's 0 replaces the file's 4; b: nothing set in Shoebox, so not understood and skipped; d: a new sidecar.
    expect(r).toMatchObject({ photos: 3, written: 2, skipped: 1, items: [{ photoId: idOf('b.jpg'), reason: 'not understood yet' }] });
    expect(readFileSync(join(photosDir, 'a.xmp'), 'utf8')).toBe(SIDECARS['a.xmp']!.replace('xmp:Rating="4"', 'xmp:Rating="0"'));
    const written = readFileSync(join(photosDir, 'd.xmp'), 'utf8');
    expect(readRating(parseXmp(written).doc)).toBe(5);
    expect(written).toContain('xmp:Label="Favorite"');
    expect(readFileSync(join(photosDir, 'b.jpg.xmp'), 'utf8')).toBe(SIDECARS['b.jpg.xmp']);
  });
});
