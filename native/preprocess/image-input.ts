/**
 * @file One image file → InternVL pixel values: decode (EXIF-oriented), dynamic tiling, normalise.
 *
 * Runs in the inference worker; the `preprocess` debug method and every pipeline call this.
 */
import type { Manifest } from '../bundle/manifest';
import { WorkerError } from '../protocol';
import { decodeImageFile, DecodeError } from './decode';
import { normalizeTiles, type PixelValues } from './normalize';
import type { RgbImage } from './pil-resize';
import { makeTiles, type Grid } from './tiling';

/** Hard cap on tiles per image, whatever the caller asks (64 tiles = 16k image tokens). */
export const MAX_TILES_PER_IMAGE = 64;

/** Image preprocessing settings (the manifest's `image` block). */
export type ImageSettings = Manifest['image'];

/** A preprocessed image. */
export interface PreparedImage {
  width: number;
  height: number;
  grid: Grid;
  tiles: RgbImage[];
  pixelValues: PixelValues;
}

/** Validates a requested tile limit against the settings. */
export function resolveMaxTiles(settings: ImageSettings, requested: number | undefined): number {
  const max = requested ?? settings.max_tiles;
  if (!Number.isInteger(max) || max < settings.min_tiles) {
    throw new WorkerError('bad_input', `maxTiles must be an integer ≥ ${settings.min_tiles} (got ${String(requested)})`);
  }
  if (max > MAX_TILES_PER_IMAGE) {
    throw new WorkerError('bad_input', `maxTiles ${max} is more than the ${MAX_TILES_PER_IMAGE} tiles one image may use`);
  }
  return max;
}

/** Tiles and normalises an already decoded image. */
export function prepareRgb(image: RgbImage, settings: ImageSettings, maxTiles?: number): PreparedImage {
  const max = resolveMaxTiles(settings, maxTiles);
  const { grid, tiles } = makeTiles(image, {
    imageSize: settings.size,
    minTiles: settings.min_tiles,
    maxTiles: max,
    useThumbnail: settings.use_thumbnail,
  });
  const pixelValues = normalizeTiles(tiles, settings.mean, settings.std);
  return { width: image.width, height: image.height, grid, tiles, pixelValues };
}

/** Decodes and prepares an image file; decode failures become `bad_input` errors. */
export async function prepareImageFile(file: string, settings: ImageSettings, maxTiles?: number): Promise<PreparedImage> {
  const max = resolveMaxTiles(settings, maxTiles);
  let rgb: RgbImage;
  try {
    rgb = await decodeImageFile(file);
  } catch (e) {
    if (e instanceof DecodeError) throw new WorkerError('bad_input', e.message);
    throw e;
  }
  return prepareRgb(rgb, settings, max);
}

/** Concatenates the pixel values of several images along the tile axis (prompt order). */
export function concatPixelValues(list: readonly PixelValues[]): PixelValues {
  const first = list[0];
  if (first === undefined) throw new RangeError('no images');
  const T = list.reduce((n, p) => n + p.dims[0], 0);
  const per = first.dims[1] * first.dims[2] * first.dims[3];
  const data = new Float32Array(T * per);
  let off = 0;
  for (const p of list) {
    data.set(p.data, off);
    off += p.data.length;
  }
  return { data, dims: [T, first.dims[1], first.dims[2], first.dims[3]] };
}

/** InternVL2.5/3 defaults, used by the debug command when no bundle is given. */
export const DEFAULT_IMAGE_SETTINGS: ImageSettings = {
  size: 448,
  patch_size: 14,
  downsample_ratio: 0.5,
  num_image_token: 256,
  min_tiles: 1,
  max_tiles: 12,
  use_thumbnail: true,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};
