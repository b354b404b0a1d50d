/**
 * @file Unit tests of the Pillow-exact bicubic resampler and the tiling rules (no model needed).
 * The expected pixels in `native-pil-resize.golden.ts` were produced by Pillow 9.4 itself.
 */
import { describe, expect, it } from 'vitest';
import { cropRgb, pilResizeBicubic, type RgbImage } from '../../native/preprocess/pil-resize';
import { chooseGrid, makeTiles, targetRatios, tileCount } from '../../native/preprocess/tiling';
import { PIL_RESIZE_7X5 } from './native-pil-resize.golden';

function pattern(): RgbImage {
  const w = 7;
  const h = 5;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      data[o] = (x * 37 + y * 91) % 256;
      data[o + 1] = (x * x * 13 + y * 7) % 256;
      data[o + 2] = (((255 - x * 29 - y * 17) % 256) + 256) % 256;
    }
  }
  return { width: w, height: h, data };
}

describe('pilResizeBicubic', () => {
  for (const [size, expected] of Object.entries(PIL_RESIZE_7X5)) {
    it(`matches Pillow exactly for 7x5 → ${size}`, () => {
      const [w, h] = size.split('x').map(Number) as [number, number];
      const out = pilResizeBicubic(pattern(), w, h);
      expect(out.width).toBe(w);
      expect(out.height).toBe(h);
      expect(Array.from(out.data)).toEqual(expected);
    });
  }

  it('returns a copy for the same size and rejects bad sizes', () => {
    const src = pattern();
    const out = pilResizeBicubic(src, 7, 5);
    expect(out.data).toEqual(src.data);
    expect(out.data).not.toBe(src.data);
    expect(() => pilResizeBicubic(src, 0, 3)).toThrow(RangeError);
    expect(() => pilResizeBicubic({ width: 2, height: 2, data: new Uint8Array(5) }, 1, 1)).toThrow(RangeError);
  });

  it('crops inside bounds only', () => {
    const c = cropRgb(pattern(), 1, 1, 2, 3);
    expect(c.width).toBe(2);
    expect(Array.from(c.data.subarray(0, 3))).toEqual(Array.from(pattern().data.subarray(24, 27)));
    expect(() => cropRgb(pattern(), 6, 0, 2, 1)).toThrow(RangeError);
  });
});

describe('tiling', () => {
  const opts = (max: number) => ({ imageSize: 448, minTiles: 1, maxTiles: max, useThumbnail: true });

  it('orders candidate grids by tile count', () => {
    const r = targetRatios(1, 6);
    const counts = r.map((g) => g.cols * g.rows);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(r).toHaveLength(14);
    expect(r[0]).toEqual({ cols: 1, rows: 1 });
  });

  // Expected grids from native/docs/internvl.md §2.4 (computed with the reference algorithm).
  const table: [number, number, [number, number], [number, number]][] = [
    [4032, 3024, [3, 2], [4, 3]],
    [6000, 4000, [3, 2], [3, 2]],
    [1920, 1080, [2, 1], [4, 2]],
    [1000, 1000, [2, 2], [3, 3]],
    [448, 448, [1, 1], [1, 1]],
    [640, 480, [3, 2], [4, 3]],
  ];
  for (const [w, h, six, twelve] of table) {
    it(`${w}x${h}: ${six.join('x')} at max 6, ${twelve.join('x')} at max 12`, () => {
      expect(chooseGrid(w, h, opts(6))).toEqual({ cols: six[0], rows: six[1] });
      expect(chooseGrid(w, h, opts(12))).toEqual({ cols: twelve[0], rows: twelve[1] });
    });
  }

  it('applies the tie rule: small squares stay one tile', () => {
    expect(chooseGrid(512, 512, opts(12))).toEqual({ cols: 1, rows: 1 });
    expect(chooseGrid(700, 700, opts(12))).toEqual({ cols: 2, rows: 2 });
  });

  it('appends the thumbnail only when there is more than one tile', () => {
    expect(tileCount({ cols: 1, rows: 1 }, true)).toBe(1);
    expect(tileCount({ cols: 3, rows: 2 }, true)).toBe(7);
    expect(tileCount({ cols: 3, rows: 2 }, false)).toBe(6);
    const img = pilResizeBicubic(pattern(), 14, 5);
    const t = makeTiles(img, { imageSize: 4, minTiles: 1, maxTiles: 2, useThumbnail: true });
    expect(t.grid).toEqual({ cols: 2, rows: 1 });
    expect(t.tiles).toHaveLength(3);
    expect(Array.from(t.tiles[2]!.data)).toEqual(Array.from(pilResizeBicubic(img, 4, 4).data));
  });

  it('rejects empty images and bad limits', () => {
    expect(() => chooseGrid(0, 10, opts(6))).toThrow(RangeError);
    expect(() => chooseGrid(10, 10, { ...opts(6), minTiles: 7 })).toThrow(RangeError);
  });
});
