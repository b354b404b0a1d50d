/**
 * @file Image decoding for the model: file → 8-bit RGB pixels, EXIF orientation applied.
 *
 * Runs in the inference worker. Decodes through sharp (libvips) like the rest of the library's
 * image path; HEIC/HEIF goes through `heic-decode` (wasm libheif) because sharp's prebuilt libvips
 * has no HEVC decoder here (design/environment.md). Originals are only read.
 *
 * [Note: EXIF orientation before tiling] The InternVL reference (`PIL.Image.open(f).convert('RGB')`)
 * ignores EXIF orientation. Shoebox applies it first (sharp `.rotate()` with no angle), because a
 * photo app must describe the photo the way the user sees it. For files without an orientation tag
 * (all golden fixtures) this is the identity, so goldens still compare exactly.
 *
 * [Note: No colour management for model input] Embedded ICC profiles are ignored (`ignoreIcc`), as
 * Pillow's `convert('RGB')` ignores them in the reference and in InternVL's training data; the raw
 * encoded values go to the model. (Thumbnails for people are a different path and may convert.)
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import type { RgbImage } from './pil-resize';

/** Raised when a file cannot be read or decoded as an image. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

/** Max pixels accepted (same order as sharp's default guard against decompression bombs). */
export const MAX_INPUT_PIXELS = 268_402_689;

/** True when the buffer is an ISO-BMFF file with a HEIF/HEIC brand. */
export function isHeif(buf: Uint8Array): boolean {
  if (buf.length < 12) return false;
  const box = Buffer.from(buf.buffer, buf.byteOffset, 12);
  if (box.toString('latin1', 4, 8) !== 'ftyp') return false;
  const brand = box.toString('latin1', 8, 12);
  return ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1'].includes(brand);
}

type HeicDecode = (opts: { buffer: Uint8Array }) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>;

async function decodeHeif(buf: Buffer, file: string): Promise<RgbImage> {
  const require = createRequire(import.meta.url);
  const decode = require('heic-decode') as HeicDecode;
  let img: Awaited<ReturnType<HeicDecode>>;
  try {
    img = await decode({ buffer: buf });
  } catch (e) {
    throw new DecodeError(`cannot decode HEIC image ${file}: ${(e as Error).message}`);
  }
  const { width, height } = img;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    rgb[i * 3] = img.data[j]!;
    rgb[i * 3 + 1] = img.data[j + 1]!;
    rgb[i * 3 + 2] = img.data[j + 2]!;
  }
  return { width, height, data: rgb };
}

/** Decodes an encoded image buffer to 8-bit RGB with EXIF orientation applied. */
export async function decodeImageBuffer(buf: Buffer, label = 'image'): Promise<RgbImage> {
  if (buf.length === 0) throw new DecodeError(`${label} is empty`);
  if (isHeif(buf)) return decodeHeif(buf, label);
  try {
    const { data, info } = await sharp(buf, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', ignoreIcc: true })
      .rotate()
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected channel count ${info.channels}`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (e) {
    throw new DecodeError(`cannot decode ${label}: ${(e as Error).message}`);
  }
}

/** Reads and decodes an image file (never writes it). */
export async function decodeImageFile(file: string): Promise<RgbImage> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    throw new DecodeError(`cannot read image ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return decodeImageBuffer(buf, file);
}
