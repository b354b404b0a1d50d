/**
 * @file The vertical slice: addFolder → recursive scan of real JPEG/PNG/WebP/AVIF/GIF/TIFF files →
 * thumbnails with EXIF orientation applied → rows in a real SQLite file → page() newest first by
 * capture time (EXIF, else file time) and timeline().
 */
import { existsSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHarness, waitFor, type Harness } from './helpers/library-harness';

let h: Harness;

beforeAll(async () => {
  h = makeHarness({}, true);
  // The same photo in the other formats sharp writes, with file times as the only date.
  const src = sharp(join(h.photosDir, 'coffee.png')).resize(320);
  mkdirSync(join(h.photosDir, 'formats', 'deep', 'er'), { recursive: true });
  const outs: [string, Sharp][] = [
    ['formats/coffee.webp', src.clone().webp()],
    ['formats/coffee.avif', src.clone().avif({ effort: 0 })],
    ['formats/coffee.gif', src.clone().gif()],
    ['formats/deep/er/coffee.tiff', src.clone().tiff()],
  ];
  let t = Date.UTC(2024, 0, 10, 12) / 1000;
  for (const [name, img] of outs) {
    await img.toFile(join(h.photosDir, name));
    utimesSync(join(h.photosDir, name), t, t);
    t += 86400 * 40; // one per ~month: 2024-01 … 2024-05
  }
});

afterAll(async () => {
  await h?.dispose();
});

describe('library vertical slice', () => {
  it('indexes a folder tree into the database with thumbnails, newest first', async () => {
    const folder = await h.lib.addFolder(h.photosDir);
    expect(folder.path).toBe(h.photosDir);
    await h.lib.whenIdle();

    const page = h.lib.page({ offset: 0, limit: 100 });
    // 13 sample photos + 4 converted ones; none is an exact duplicate.
    expect(page.total).toBe(17);
    expect(page.items.every((p) => p.status === 'ok')).toBe(true);
    const keys = page.items.map((p) => p.takenAt);
    expect([...keys].sort().reverse()).toEqual(keys);
    // The converted files carry no EXIF: their file times (2024) are the newest.
    expect(page.items.slice(0, 4).map((p) => p.name)).toEqual(['coffee.tiff', 'coffee.gif', 'coffee.avif', 'coffee.webp']);
    // EXIF capture time wins over the file time, as local wall-clock text.
    const messi = page.items.find((p) => p.name === 'messi5.jpg')!;
    expect(messi.takenAt).toBe('2022-12-18T18:45:00');
    expect(messi.day).toBe('2022-12-18');

    for (const item of page.items) {
      expect(item.thumb, item.name).toMatch(/^[0-9a-f]{32}-t1\.jpg$/);
      expect(existsSync(h.lib.cachePath(item.thumb!)!)).toBe(true);
    }
    const status = h.lib.jobsStatus();
    expect(status.photos).toBe(17);
    expect(status.steps.find((s) => s.step === 'thumbnail')).toMatchObject({ done: 17, pending: 0, failed: 0 });
    expect(h.events.some((e) => e.event === 'library:changed')).toBe(true);
  });

  it('applies EXIF orientation to thumbnails and dimensions', async () => {
    const page = h.lib.page({ offset: 0, limit: 100 });
    const cat = page.items.find((p) => p.name === 'chelsea.jpg')!;
    // Stored as 300×451 pixels with Orientation 6: shown as 451×300.
    expect([cat.width, cat.height]).toEqual([451, 300]);
    const meta = await sharp(h.lib.cachePath(cat.thumb!)!).metadata();
    expect(meta.width).toBe(256);
    expect(meta.height).toBe(170);
    const detail = h.lib.getPhoto(cat.id)!;
    expect(detail.orientation).toBe(6);
    expect(detail.camera).toMatchObject({ make: 'Canon', model: 'Canon EOS 5D Mark II' });
    expect(detail.takenAtSource).toBe('exif');
  });

  it('builds a month timeline whose indexes match the page order', () => {
    const groups = h.lib.timeline();
    expect(groups.reduce((a, g) => a + g.count, 0)).toBe(17);
    const page = h.lib.page({ offset: 0, limit: 100 });
    for (const g of groups) expect(page.items[g.firstIndex]!.takenAt.slice(0, 7)).toBe(g.key);
    expect(groups[0]!.key >= groups.at(-1)!.key).toBe(true);
  });

  it('pages with offset and by folder', async () => {
    const all = h.lib.page({ offset: 0, limit: 100 }).items.map((p) => p.id);
    const p2 = h.lib.page({ offset: 5, limit: 5 });
    expect(p2.items.map((p) => p.id)).toEqual(all.slice(5, 10));
    const folderId = h.lib.listFolders()[0]!.id;
    expect(h.lib.page({ offset: 0, limit: 100, folderId }).total).toBe(17);
    expect(h.lib.listFolders()[0]!.photoCount).toBe(17);
    // A second folder: the filter now matters (and the cached single-folder shortcut is dropped).
    const second = join(h.root, 'second');
    mkdirSync(second);
    await sharp(join(h.photosDir, 'coffee.png')).resize(100).jpeg().toFile(join(second, 'small coffee.jpg'));
    const f2 = await h.lib.addFolder(second);
    await h.lib.whenIdle();
    expect(h.lib.page({ offset: 0, limit: 100, folderId: f2.id }).items.map((p) => p.name)).toEqual(['small coffee.jpg']);
    expect(h.lib.page({ offset: 0, limit: 100, folderId }).total).toBe(17);
    expect(h.lib.page({ offset: 0, limit: 100 }).total).toBe(18);
    const smallThumb = h.lib.cachePath(h.lib.page({ offset: 0, limit: 100, folderId: f2.id }).items[0]!.thumb!)!;
    expect(existsSync(smallThumb)).toBe(true);
    expect(await h.lib.removeFolder(f2.id)).toBe(true);
    expect(h.lib.page({ offset: 0, limit: 100 }).total).toBe(17);
    // Its photo left the library, and so did its cached thumbnail.
    await waitFor(() => !existsSync(smallThumb));
  });
});
