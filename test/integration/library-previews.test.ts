/**
 * Previews on demand (see [Note: Previews on demand] in main/library/steps.ts) over a real library:
 * indexing makes thumbnails only (HEIC also its preview, from the same decode); the first request for a
 * preview, through the host's HTTP route or resolveMedia, makes it and caches it; concurrent requests
 * share one job; a gone or unreadable file gets a clear HTTP error; the model input of a RAW photo does
 * not need anyone to have viewed it first.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFilesRepo } from '../../main/db/files.repo';
import { createPhotosRepo, type PhotosRepo } from '../../main/db/photos.repo';
import type { Host } from '../../main/host/server';
import { modelInputFor } from '../../main/library/model-input';
import { createPreviews } from '../../main/library/previews';
import { resolveMedia } from '../../main/media';
import { cookieFor, httpGet, startMediaHost } from './helpers/host-client';
import { FIXTURES, makeHarness, SAMPLE_LIBRARY, type Harness } from './helpers/library-harness';

let h: Harness;
let host: Host;
const get = (path: string, method = 'GET') => httpGet(host, path, cookieFor(host), method);

const JPEGS = ['astronaut.jpg', 'baboon.jpg', 'butterfly.jpg', 'chelsea.jpg', 'messi5.jpg', 'orange.jpg', 'home.jpg'];
const SOURCES: Record<string, string> = {
  'astronaut.jpg': join(SAMPLE_LIBRARY, '2019 trip', 'astronaut.jpg'),
  'baboon.jpg': join(SAMPLE_LIBRARY, 'animals', 'baboon.jpg'),
  'butterfly.jpg': join(SAMPLE_LIBRARY, 'animals', 'butterfly.jpg'),
  'chelsea.jpg': join(SAMPLE_LIBRARY, 'pets', 'chelsea.jpg'),
  'messi5.jpg': join(SAMPLE_LIBRARY, 'sport', 'messi5.jpg'),
  'orange.jpg': join(SAMPLE_LIBRARY, 'food', 'orange.jpg'),
  'home.jpg': join(SAMPLE_LIBRARY, 'places', 'home.jpg'),
  'fruits.heic': join(FIXTURES, 'formats', 'fruits.heic'),
  'upright.nef': join(FIXTURES, 'formats', 'upright.nef'),
};

const byName = (name: string) => {
  const item = h.lib.page({ offset: 0, limit: 100 }).items.find((p) => p.name === name);
  if (!item) throw new Error(`${name} is not in the library`);
  return h.lib.getPhoto(item.id)!;
};
const recorded = (id: number) => (h.db.prepare('SELECT preview FROM photos WHERE id = ?').pluck().get(id) as string | null) ?? null;

beforeAll(async () => {
  h = makeHarness();
  mkdirSync(h.photosDir, { recursive: true });
  for (const [name, from] of Object.entries(SOURCES)) copyFileSync(from, join(h.photosDir, name));
  await h.lib.addFolder(h.photosDir);
  await h.lib.whenIdle();
  host = await startMediaHost(h.lib, h.root);
});
afterAll(async () => {
  await host?.close();
  await h?.dispose();
});

describe('previews on demand', () => {
  it('indexing makes thumbnails and no JPEG preview; HEIC gets its preview from the thumbnail decode', () => {
    expect(h.lib.jobsStatus().steps.map((s) => s.step)).not.toContain('preview');
    for (const name of JPEGS) {
      const p = byName(name);
      expect(p.thumb, name).toMatch(/-t1\.jpg$/);
      expect(p.preview, name).toBe(`${p.hash}-p1.jpg`); // the key it will have
      expect(recorded(p.id), name).toBeNull();
      expect(existsSync(h.lib.cachePath(p.preview!)!), name).toBe(false);
    }
    const heic = byName('fruits.heic');
    expect(recorded(heic.id)).toBe(`${heic.hash}-p1.jpg`);
    expect(existsSync(h.lib.cachePath(heic.preview!)!)).toBe(true);
  });

  it('makes a preview on its first HTTP request, records it, then serves it from the cache', async () => {
    const p = byName('astronaut.jpg');
    const first = await get(`/media/thumb/${p.preview}`);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('image/jpeg');
    const file = h.lib.cachePath(p.preview!)!;
    const made = statSync(file);
    expect(Number(first.headers['content-length'])).toBe(made.size);
    expect(recorded(p.id)).toBe(p.preview);
    const m = await sharp(file).metadata();
    const o = await sharp(SOURCES['astronaut.jpg']).metadata();
    expect([m.width, m.height]).toEqual([Math.min(1600, o.width), Math.min(1600, o.height)]);

    const again = await get(`/media/thumb/${p.preview}`);
    expect(again.status).toBe(200);
    const after = statSync(file);
    expect([after.ino, after.mtimeMs]).toEqual([made.ino, made.mtimeMs]); // not made again
    expect((await get(`/media/thumb/${p.preview}`, 'HEAD')).status).toBe(200);
  });

  it('makes a preview through resolveMedia (the route Electronʼs shoebox:// uses too)', async () => {
    const p = byName('baboon.jpg');
    const r = await resolveMedia(`thumb/${p.preview}`, h.lib);
    expect(r).toEqual({ ok: true, file: h.lib.cachePath(p.preview!), mime: 'image/jpeg' });
    expect((await sharp(h.lib.cachePath(p.preview!)!).metadata()).format).toBe('jpeg');
  });

  it('serves concurrent HTTP requests for one new preview the same bytes', async () => {
    const p = byName('butterfly.jpg');
    const replies = await Promise.all(Array.from({ length: 6 }, () => get(`/media/thumb/${p.preview}`)));
    expect(replies.map((r) => r.status)).toEqual(Array(6).fill(200));
    const size = statSync(h.lib.cachePath(p.preview!)!).size;
    expect(replies.map((r) => Number(r.headers['content-length']))).toEqual(Array(6).fill(size));
  });

  it('runs one job for concurrent requests of the same preview', async () => {
    const p = byName('chelsea.jpg');
    let made = 0;
    const photos = createPhotosRepo(h.db);
    const counting: PhotosRepo = { ...photos, setPreview: (id, key) => (made++, photos.setPreview(id, key)) };
    const previews = createPreviews({
      photos: counting,
      files: createFilesRepo(h.db),
      thumbsDir: h.paths.thumbsDir,
      limitPixels: 200_000_000,
      onPhotoChanged: () => {},
      onFileGone: () => {},
    });
    const results = await Promise.all(Array.from({ length: 8 }, () => previews.ensure(p.preview!)));
    expect(results).toEqual(Array(8).fill({ ok: true, file: h.lib.cachePath(p.preview!) }));
    expect(made).toBe(1);
    expect(await previews.ensure(p.preview!)).toEqual({ ok: true, file: h.lib.cachePath(p.preview!) });
    expect(made).toBe(1); // from the cache
  });

  it('answers 404 with a reason when the file is gone, and marks it missing', async () => {
    const p = byName('messi5.jpg');
    rmSync(join(h.photosDir, 'messi5.jpg'));
    const r = await get(`/media/thumb/${p.preview}`);
    expect(r.status).toBe(404);
    expect(r.body).toMatch(/file of this photo is gone \(moved or deleted\?\)/);
    const now = h.lib.getPhoto(p.id)!;
    expect(now.files.map((f) => f.status)).toEqual(['missing']);
    expect(now.preview).toBeNull(); // nothing to make it from: the viewer shows the thumbnail
    expect((await get(`/media/thumb/${p.preview}`)).body).toMatch(/file of this photo is missing/);
  });

  it('answers 422 with the decoder’s reason for a file that no longer decodes', async () => {
    const p = byName('orange.jpg');
    const bytes = readFileSync(join(h.photosDir, 'orange.jpg'));
    writeFileSync(join(h.photosDir, 'orange.jpg'), bytes.subarray(0, 600)); // changed behind the library's back
    const r = await get(`/media/thumb/${p.preview}`);
    expect(r.status).toBe(422);
    expect(r.body).toMatch(/cannot decode this image\/jpeg file/);
    expect(h.lib.getPhoto(p.id)!.error).toMatch(/cannot decode/);
  });

  it('refuses a malformed or outdated preview key', async () => {
    const p = byName('home.jpg');
    expect((await get(`/media/thumb/${p.hash}-p9.jpg`)).status).toBe(404);
    expect((await get(`/media/thumb/${'0'.repeat(32)}-p1.jpg`)).body).toMatch(/no photo in the library has this content/);
    expect(existsSync(h.lib.cachePath(`${p.hash}-p9.jpg`)!)).toBe(false);
  });

  it('gives the model a RAW photo’s preview that nobody has viewed', async () => {
    const raw = byName('upright.nef');
    expect(recorded(raw.id)).toBeNull();
    const input = await modelInputFor(h.lib, raw.id);
    expect(input).toBe(h.lib.cachePath(raw.preview!));
    const m = await sharp(input).metadata();
    expect(m.height).toBeGreaterThan(m.width); // turned upright like the thumbnail
    expect(await modelInputFor(h.lib, byName('home.jpg').id)).toBe(join(h.photosDir, 'home.jpg')); // images: the original
  });
});
