/**
 * @file Model-input decoding: formats through sharp, HEIC through heic-decode, EXIF orientation
 * applied, ICC profiles ignored (as Pillow does), clear errors for undecodable files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImageBuffer, decodeImageFile, DecodeError, isHeif } from '../../native/preprocess/decode';
import { readFileSync } from 'node:fs';

const FORMATS = 'test/fixtures/library/formats';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'shoebox-decode-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

describe('decode for the model', () => {
  it('decodes PNG, JPEG, WebP, AVIF and HEIC to the same picture', async () => {
    const png = await decodeImageFile(path.join(FORMATS, 'fruits.png'));
    for (const f of ['fruits.jpg', 'fruits.webp', 'fruits.avif', 'fruits.heic']) {
      const img = await decodeImageFile(path.join(FORMATS, f));
      expect(img.data.length).toBe(img.width * img.height * 3);
      if (img.width === png.width && img.height === png.height) {
        expect(meanAbsDiff(img.data, png.data)).toBeLessThan(12);
      }
    }
    expect(isHeif(readFileSync(path.join(FORMATS, 'fruits.heic')))).toBe(true);
    expect(isHeif(readFileSync(path.join(FORMATS, 'fruits.png')))).toBe(false);
  }, 30_000);

  it('applies EXIF orientation', async () => {
    const raw = Buffer.alloc(4 * 2 * 3, 0);
    raw.fill(255, 0, 3); // top-left pixel white
    const jpg = await sharp(raw, { raw: { width: 4, height: 2, channels: 3 } })
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const img = await decodeImageBuffer(jpg);
    expect([img.width, img.height]).toEqual([2, 4]);
  });

  it('ignores embedded ICC profiles (as Pillow does; the 16:9 golden checks the values)', async () => {
    const file = 'test/fixtures/images/ml/ratio-16x9.png';
    expect((await sharp(file).metadata()).icc).toBeDefined();
    const managed = await sharp(file).toColourspace('srgb').removeAlpha().raw().toBuffer();
    const img = await decodeImageFile(file);
    expect(meanAbsDiff(img.data, managed)).toBeGreaterThan(1);
  });

  it('fails clearly on files that are not images', async () => {
    const bad = path.join(tmp, 'bad.jpg');
    writeFileSync(bad, 'not a jpeg');
    await expect(decodeImageFile(bad)).rejects.toThrow(DecodeError);
    await expect(decodeImageFile(bad)).rejects.toThrow(/cannot decode/);
    await expect(decodeImageFile(path.join(tmp, 'absent.png'))).rejects.toThrow(/cannot read image .*ENOENT/);
    await expect(decodeImageBuffer(Buffer.alloc(0))).rejects.toThrow(/empty/);
  });
});
