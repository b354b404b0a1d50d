/**
 * @file Turns any indexed file into a sharp pipeline input: sharp directly for JPEG/PNG/WebP/AVIF/GIF/
 * TIFF/BMP, heic-decode (libheif as wasm, no native download) for HEIC/HEIF, the largest embedded JPEG
 * for RAW files, and a generated placeholder for videos (no video decoder ships with Shoebox).
 *
 * Which of those a file gets is decided by its first bytes, not its name (`formatOfContent`).
 *
 * Runs in main; sharp work happens on libvips' threads, heic-decode's wasm in a worker thread
 * (heic-worker.ts).
 */
import { readFile } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import { sniffFormat, type Format } from './formats';
import { openRegular } from './hash';
import { decodeHeicOffThread } from './heic-worker';
import { PermanentError } from './pipeline-step';

/*
 * [Note: No sharp cache] libvips caches recent operations and keeps up to 20 input files open. Shoebox
 * reads each original once, so the cache only costs memory, and the open files keep a user's drive
 * busy (it cannot be unmounted; test/integration/library-disk.test.ts). Off for the whole process.
 */
sharp.cache(false);

const HEAD_BYTES = 64;

/**
 * The format to decode `absPath` as: the one its name gave, corrected by its first bytes (see
 * `sniffFormat`). Refuses a file that is not a regular file without blocking on it (hash.ts `openRegular`).
 */
export async function formatOfContent(absPath: string, byName: Format): Promise<Format> {
  const fh = await openRegular(absPath).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOTREGULAR')
      throw new PermanentError('not a regular file (a FIFO, socket or device); not read');
    throw err;
  });
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(head, 0, HEAD_BYTES, 0);
    return sniffFormat(head.subarray(0, bytesRead), byName);
  } finally {
    await fh.close();
  }
}

export interface DecodeOptions {
  /** Refuse images with more pixels than this (decompression bombs). */
  limitPixels: number;
  /** The file's EXIF orientation, for RAW previews that do not carry their own. */
  orientation?: number | null;
}

/** An oriented sharp pipeline ready for resizing, or null for media without a decoder (video). */
export async function openImage(absPath: string, format: Format, opts: DecodeOptions): Promise<Sharp | null> {
  switch (format.decoder) {
    case 'sharp': {
      const img = sharp(absPath, { limitInputPixels: opts.limitPixels, failOn: 'warning', sequentialRead: true, animated: false });
      return img.autoOrient();
    }
    case 'heic':
      return decodeHeic(await readFile(absPath), opts);
    case 'bmp':
      return decodeBmp(await readFile(absPath), opts);
    case 'raw-preview':
      return rawPreview(await readFile(absPath), opts);
    case 'none':
      return null;
  }
}

async function decodeHeic(buffer: Buffer, opts: DecodeOptions): Promise<Sharp> {
  let r;
  try {
    r = await decodeHeicOffThread(buffer, opts.limitPixels);
  } catch (err) {
    throw new PermanentError(`cannot decode HEIC: ${(err as Error).message}`);
  }
  if ('tooBig' in r) throw new PermanentError(pixelLimitMessage(r.tooBig.width, r.tooBig.height, opts.limitPixels));
  // libheif applies the container's rotation (irot/imir) itself, so no EXIF orientation here.
  return sharp(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength), {
    raw: { width: r.width, height: r.height, channels: 4 },
  });
}

/** Uncompressed BMP (1/4/8-bit palette, 24/32-bit), the variants cameras, scanners and Windows write. */
export function decodeBmp(b: Buffer, opts: DecodeOptions): Sharp {
  if (b.length < 54 || b.toString('latin1', 0, 2) !== 'BM') throw new PermanentError('not a BMP file (no BM signature)');
  const dataOffset = b.readUInt32LE(10);
  const headerSize = b.readUInt32LE(14);
  const width = b.readInt32LE(18);
  const rawHeight = b.readInt32LE(22);
  const bpp = b.readUInt16LE(28);
  const compression = b.readUInt32LE(30);
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) throw new PermanentError(`BMP has an invalid size ${width}×${rawHeight}`);
  if (width * height > opts.limitPixels) throw new PermanentError(pixelLimitMessage(width, height, opts.limitPixels));
  if (!(compression === 0 || (compression === 3 && bpp === 32)) || ![1, 4, 8, 24, 32].includes(bpp)) {
    throw new PermanentError(`unsupported BMP variant (${bpp} bits per pixel, compression ${compression})`);
  }
  const rowSize = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + rowSize * height > b.length) throw new PermanentError('truncated BMP file');
  const colors = b.readUInt32LE(46) || (bpp <= 8 ? 1 << bpp : 0);
  const palette = 14 + headerSize;
  const out = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (rawHeight > 0 ? height - 1 - y : y) * rowSize;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      let i: number;
      if (bpp >= 24) {
        i = row + x * (bpp / 8);
        out[o] = b[i + 2]!;
        out[o + 1] = b[i + 1]!;
        out[o + 2] = b[i]!;
        continue;
      }
      const bit = x * bpp;
      const byte = b[row + (bit >> 3)]!;
      const idx = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
      if (idx >= colors) throw new PermanentError('BMP palette index out of range');
      i = palette + idx * 4;
      out[o] = b[i + 2]!;
      out[o + 1] = b[i + 1]!;
      out[o + 2] = b[i]!;
    }
  }
  return sharp(out, { raw: { width, height, channels: 3 } });
}

/**
 * [Note: RAW previews] Every common RAW format (CR2, CR3, NEF, ARW, DNG, RAF, ORF, RW2) embeds one or
 * more JPEG previews, the largest usually full-size. Rather than parse each container, we look for JPEG
 * start markers (FF D8 FF), let sharp read each candidate's header, and keep the one with most pixels.
 */
async function rawPreview(buffer: Buffer, opts: DecodeOptions): Promise<Sharp> {
  let best: { start: number; pixels: number; oriented: boolean } | null = null;
  let candidates = 0;
  for (let i = buffer.indexOf(0xff); i >= 0 && i < buffer.length - 3 && candidates < 64; i = buffer.indexOf(0xff, i + 1)) {
    if (buffer[i + 1] !== 0xd8 || buffer[i + 2] !== 0xff) continue;
    candidates++;
    try {
      const m = await sharp(buffer.subarray(i), { failOn: 'none', limitInputPixels: opts.limitPixels }).metadata();
      if (m.format !== 'jpeg' || !m.width || !m.height) continue;
      const pixels = m.width * m.height;
      if (!best || pixels > best.pixels) best = { start: i, pixels, oriented: (m.orientation ?? 1) > 1 };
    } catch {
      // not a decodable JPEG at this offset
    }
  }
  if (!best) throw new PermanentError('no embedded JPEG preview found in this RAW file (RAW decoding itself is not supported)');
  const img = sharp(buffer.subarray(best.start), { failOn: 'none', limitInputPixels: opts.limitPixels });
  if (best.oriented) return img.autoOrient();
  return applyOrientation(img, opts.orientation ?? 1);
}

/** Applies an EXIF orientation (1–8) by hand, for pixels whose own metadata does not carry it. */
function applyOrientation(img: Sharp, o: number): Sharp {
  switch (o) {
    case 2:
      return img.flop();
    case 3:
      return img.rotate(180);
    case 4:
      return img.flip();
    case 5:
      return img.rotate(90).flop();
    case 6:
      return img.rotate(90);
    case 7:
      return img.rotate(270).flop();
    case 8:
      return img.rotate(270);
    default:
      return img;
  }
}

export function pixelLimitMessage(w: number, h: number, limit: number): string {
  return `image is ${w}×${h} = ${((w * h) / 1e6).toFixed(0)} MP, above the ${(limit / 1e6).toFixed(0)} MP limit (a decompression bomb or a huge scan); not decoded`;
}

/**
 * Whether an error means the file itself is bad (so retrying cannot help). libvips errors carry no errno
 * `code` and are about the bytes (corrupt, truncated, unsupported, a warning under failOn); system errors
 * (EMFILE, EIO, ENOENT, ...) carry a code and may pass. "Input file is missing" is the one libvips error
 * about the file system.
 */
export function isDecodeError(err: unknown): boolean {
  if (err instanceof PermanentError) return true;
  if (!(err instanceof Error)) return false;
  if ((err as NodeJS.ErrnoException).code !== undefined) return false;
  return !/Input file is missing|no such file|EMFILE|ENFILE|EIO|EACCES|ENOSPC/i.test(err.message);
}
