/**
 * @file Formats and bad input (issue 3, items 4 and 7) on real files: every supported format gets a
 * thumbnail; every bad file is listed with a clear error while the rest indexes; originals are never
 * written (every fixture is hashed before and after a full index-and-watch run).
 */
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localWallClock } from '../../main/library/time';
import { FIXTURES, makeHarness, type Harness } from './helpers/library-harness';

function fingerprintTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(p, `${createHash('sha256').update(readFileSync(p)).digest('hex')} ${statSync(p).mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

describe('formats and bad input', () => {
  let h: Harness;
  const isRoot = process.getuid?.() === 0;

  beforeAll(async () => {
    h = makeHarness({ limitPixels: 200_000_000 });
    cpSync(FIXTURES, h.photosDir, { recursive: true, preserveTimestamps: true });
    const rt = join(h.photosDir, 'runtime');
    mkdirSync(rt, { recursive: true });
    // A symlink loop, a very deep tree, a non-UTF-8 name, an unreadable file.
    symlinkSync('..', join(rt, 'loop'));
    let deep = join(rt, 'deep');
    for (let i = 0; i < 70; i++) deep = join(deep, `d${i}`);
    mkdirSync(deep, { recursive: true });
    cpSync(join(FIXTURES, 'formats/fruits.png'), join(deep, 'too-deep.png'));
    // 'latin1-café.jpg' with é as the single byte 0xE9: not valid UTF-8 (the temp path itself is ASCII).
    writeFileSync(Buffer.from(join(rt, 'latin1-caf\xe9.jpg'), 'latin1'), readFileSync(join(FIXTURES, 'bad/names/name with spaces.jpg')));
    writeFileSync(join(rt, 'locked.jpg'), readFileSync(join(FIXTURES, 'bad/names/name with spaces.jpg')).subarray(0, 900));
    chmodSync(join(rt, 'locked.jpg'), 0o000);
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
  }, 60_000);

  afterAll(async () => {
    chmodSync(join(h.photosDir, 'runtime', 'locked.jpg'), 0o644);
    await h?.dispose();
  });

  const byName = () => {
    const items = h.lib.page({ offset: 0, limit: 500 }).items;
    return new Map(items.map((p) => [p.name, p]));
  };

  it('makes a thumbnail for every supported format', async () => {
    const photos = byName();
    for (const name of [
      'fruits.jpg',
      'fruits.png',
      'fruits.webp',
      'fruits.avif',
      'fruits.gif',
      'fruits.tiff',
      'fruits.bmp',
      'fruits.heic',
      'fruits.dng',
    ]) {
      const p = photos.get(name);
      expect(p, name).toBeDefined();
      expect(p!.status, name).toBe('ok');
      expect(p!.thumb, name).toMatch(/-t1\.jpg$/);
      const m = await sharp(h.lib.cachePath(p!.thumb!)!).metadata();
      expect(m.width, name).toBeGreaterThan(100);
      expect(m.width / m.height, name).toBeCloseTo(240 / 160, 0);
    }
    expect(photos.get('fruits.dng')!.kind).toBe('raw');
    expect(h.lib.getPhoto(photos.get('fruits.dng')!.id)!.camera.make).toBe('Canon');
    expect(photos.get('fruits.heic')!.width).toBe(200);
    // A RAW whose header says Orientation 6: the preview is turned upright.
    const upright = photos.get('upright.nef')!;
    const um = await sharp(h.lib.cachePath(upright.thumb!)!).metadata();
    expect(um.height).toBeGreaterThan(um.width);
    expect(h.lib.getPhoto(upright.id)!.orientation).toBe(6);
    expect([upright.width, upright.height]).toEqual([450, 480]); // the 480×450 preview, turned
    expect([photos.get('fruits.dng')!.width, photos.get('fruits.bmp')!.width]).toEqual([480, 240]);
  });

  it('lists videos with a placeholder poster and their container metadata', () => {
    const clip = byName().get('clip.avi')!;
    expect(clip.kind).toBe('video');
    expect(clip.thumb).toBe('placeholder-video-1.jpg');
    expect(h.lib.getPhoto(clip.id)!.mime).toBe('video/x-msvideo');
    const phone = h.lib.getPhoto(byName().get('phone clip.mp4')!.id)!;
    expect(phone).toMatchObject({ kind: 'video', mime: 'video/mp4', width: 1080, height: 1920, takenAtSource: 'exif' });
    // mvhd's UTC creation time, shown in this machine's zone.
    expect(phone.takenAt).toBe(localWallClock(Date.UTC(2022, 6, 14, 16, 30, 5)).slice(0, 19));
    expect(phone.gps).toEqual({ lat: 48.8584, lon: 2.2945, alt: null });
  });

  it('groups exact duplicates into one photo with two files', () => {
    const photos = h.lib.page({ offset: 0, limit: 500 }).items;
    const dup = photos.filter((p) => p.name === 'fruits copy.jpg' || p.name === 'fruits again.jpg');
    expect(dup).toHaveLength(1);
    expect(
      h.lib
        .getPhoto(dup[0]!.id)!
        .files.map((f) => f.relPath)
        .sort(),
    ).toEqual(['dups/a/fruits copy.jpg', 'dups/b/fruits again.jpg']);
  });

  it('lists every bad file with a clear reason and indexes the rest', () => {
    const photos = byName();
    const reason = (name: string) => {
      const p = photos.get(name);
      expect(p, name).toBeDefined();
      expect(p!.status, name).toBe('error');
      return h.lib.getPhoto(p!.id)!.error ?? '';
    };
    expect(reason('empty.jpg')).toMatch(/empty file/);
    expect(reason('truncated.jpg')).toMatch(/cannot decode/);
    expect(reason('random bytes.jpg')).toMatch(/cannot decode/);
    expect(reason('bomb.png')).toMatch(/16000×16000 = 256 MP, above the 200 MP limit/);
    expect(photos.get('name with spaces.jpg')!.status).toBe('ok');
    expect(photos.get('émoji 📷 café.jpg')!.status).toBe('ok');
    expect(photos.has('not-a-photo.txt')).toBe(false);
    // Non-UTF-8 name: listed with the reason.
    const latin = [...photos.keys()].find((n) => n.startsWith('latin1-caf'));
    expect(latin && reason(latin)).toMatch(/not valid UTF-8/);
    if (!isRoot) expect(reason('locked.jpg')).toMatch(/permission denied/);
    // Failures say why, with the path, for the progress panel.
    const failures = h.lib.failures(0, 100);
    expect(failures.items.find((f) => f.path?.endsWith('bad/bomb.png') && f.step === 'thumbnail')).toMatchObject({
      state: 'failed-permanent',
    });
    expect(failures.items.find((f) => f.path?.endsWith('bad/empty.jpg'))).toMatchObject({ step: 'read', state: 'failed-permanent' });
  });

  it('survives a symlink loop and a very deep tree with warnings', () => {
    const warnings = h.events.filter((e) => e.event === 'app:warning').map((e) => (e.payload as { message: string }).message);
    expect(warnings.some((w) => /symlink loop/.test(w))).toBe(true);
    expect(warnings.some((w) => /more than 64 folders deep/.test(w))).toBe(true);
    expect(byName().has('too-deep.png')).toBe(false);
  });
});

describe('originals are never written', () => {
  it('leaves every fixture byte and mtime unchanged after a full index-and-watch run', async () => {
    const before = fingerprintTree(FIXTURES);
    const h = makeHarness({ watch: true, settleMs: 100 });
    try {
      await h.lib.addFolder(FIXTURES);
      await h.lib.whenIdle();
      await h.lib.rescan();
      await h.lib.whenIdle();
      expect(h.lib.page({ offset: 0, limit: 500 }).total).toBeGreaterThan(10);
    } finally {
      await h.dispose();
    }
    expect(fingerprintTree(FIXTURES)).toEqual(before);
  }, 60_000);
});
