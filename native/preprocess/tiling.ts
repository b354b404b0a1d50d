/**
 * @file InternVL dynamic tiling: grid choice (closest aspect ratio with the reference tie rule),
 * the resized canvas cut into 448 px tiles row-major, and the thumbnail appended last.
 *
 * Runs in the inference worker (and in the debug CLI through the worker). Mirrors
 * `find_closest_aspect_ratio` / `dynamic_preprocess` in OpenGVLab/InternVL
 * `internvl_chat/internvl/train/dataset.py` (see native/docs/internvl.md §2.2).
 */
import { cropRgb, pilResizeBicubic, type RgbImage } from './pil-resize';

/** Tile grid: columns × rows of the resized canvas. */
export interface Grid {
  cols: number;
  rows: number;
}

/** Tiling options. */
export interface TilingOptions {
  imageSize: number;
  minTiles: number;
  maxTiles: number;
  useThumbnail: boolean;
}

/** Candidate grids with min ≤ cols·rows ≤ max, stably sorted by tile count (the reference order). */
export function targetRatios(minTiles: number, maxTiles: number): Grid[] {
  const seen = new Set<string>();
  const out: Grid[] = [];
  for (let n = minTiles; n <= maxTiles; n++) {
    for (let i = 1; i <= n; i++) {
      for (let j = 1; j <= n; j++) {
        const p = i * j;
        if (p < minTiles || p > maxTiles) continue;
        const key = `${i}x${j}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ cols: i, rows: j });
      }
    }
  }
  // Array.prototype.sort is stable; any order sorted by tile count gives the reference's answer
  // (native/docs/internvl.md §2.2, "Tie-breaking order").
  return out.sort((a, b) => a.cols * a.rows - b.cols * b.rows);
}

/**
 * Picks the grid whose aspect ratio is closest to width/height. On an exact tie the later (larger)
 * grid wins while the image's area exceeds half of that grid's canvas — the reference rule.
 */
export function chooseGrid(width: number, height: number, opts: TilingOptions): Grid {
  if (!(width > 0 && height > 0)) throw new RangeError(`image has no pixels (${width}x${height})`);
  if (opts.minTiles < 1 || opts.maxTiles < opts.minTiles) {
    throw new RangeError(`invalid tile limits min=${opts.minTiles} max=${opts.maxTiles}`);
  }
  const ar = width / height;
  const area = width * height;
  let bestDiff = Infinity;
  let best: Grid = { cols: 1, rows: 1 };
  for (const g of targetRatios(opts.minTiles, opts.maxTiles)) {
    const d = Math.abs(ar - g.cols / g.rows);
    if (d < bestDiff) {
      bestDiff = d;
      best = g;
    } else if (d === bestDiff) {
      if (area > 0.5 * opts.imageSize * opts.imageSize * g.cols * g.rows) best = g;
    }
  }
  return best;
}

/** Number of tiles a grid produces, thumbnail included. */
export function tileCount(grid: Grid, useThumbnail: boolean): number {
  const n = grid.cols * grid.rows;
  return useThumbnail && n !== 1 ? n + 1 : n;
}

/** Tiles of one image, in model order. */
export interface Tiles {
  grid: Grid;
  tiles: RgbImage[];
}

/** Resizes to the grid's canvas, crops row-major tiles and appends the thumbnail when n > 1. */
export function makeTiles(image: RgbImage, opts: TilingOptions): Tiles {
  const grid = chooseGrid(image.width, image.height, opts);
  const s = opts.imageSize;
  const canvas = pilResizeBicubic(image, s * grid.cols, s * grid.rows);
  const tiles: RgbImage[] = [];
  for (let i = 0; i < grid.cols * grid.rows; i++) {
    const c = i % grid.cols;
    const r = Math.floor(i / grid.cols);
    tiles.push(cropRgb(canvas, c * s, r * s, s, s));
  }
  if (opts.useThumbnail && tiles.length !== 1) tiles.push(pilResizeBicubic(image, s, s));
  return { grid, tiles };
}
