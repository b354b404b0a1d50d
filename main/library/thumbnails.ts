/**
 * @file Grid thumbnails (~256 px) and large previews (~1600 px) in a content-addressed cache:
 * `<thumbsDir>/<first two hex of hash>/<hash>-<variant><version>.jpg`. Any entry can be rebuilt from the
 * original; a changed pipeline version makes new keys, so stale browser caches never show old pixels.
 *
 * Runs in main; the resize runs on libvips' threads. Writes are atomic (temp file + rename), so a crash
 * never leaves a half-written thumbnail under a real key.
 */
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';

export type Variant = 't' | 'p';

export const THUMB_SIZE = 256;
export const PREVIEW_SIZE = 1600;
const keyRe = /^(?:[0-9a-f]{32}-[tp]\d+|placeholder-[a-z]+-\d+)\.jpg$/;

/** The cache key of a variant of a content hash. */
export function cacheKey(hash: string, variant: Variant, version: number): string {
  return `${hash}-${variant}${version}.jpg`;
}

/** Absolute path of a cache key, or null when the key is malformed (a guard against path tricks). */
export function cacheFile(thumbsDir: string, key: string): string | null {
  if (!keyRe.test(key)) return null;
  return join(thumbsDir, key.startsWith('placeholder-') ? 'placeholder' : key.slice(0, 2), key);
}

/** Resizes an oriented image to fit `size` and writes it under `key`. Returns the output's size. */
export async function writeVariant(
  img: Sharp,
  size: number,
  quality: number,
  thumbsDir: string,
  key: string,
): Promise<{ width: number; height: number }> {
  const file = cacheFile(thumbsDir, key);
  if (!file) throw new Error(`bad cache key ${key}`);
  const { data, info } = await img
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality, mozjpeg: false })
    .toBuffer({ resolveWithObject: true });
  await writeAtomic(file, data);
  return { width: info.width, height: info.height };
}

/** Writes the shared placeholder for media without a decoder (videos); returns its key. */
export async function ensurePlaceholder(thumbsDir: string, kind: 'video'): Promise<string> {
  const key = `placeholder-${kind}-1.jpg`;
  const file = cacheFile(thumbsDir, key)!;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="192"><rect width="256" height="192" fill="#2b2f36"/>
    <circle cx="128" cy="96" r="40" fill="#454b55"/><polygon points="114,74 114,118 150,96" fill="#d7dbe0"/></svg>`;
  const data = await sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
  await writeAtomic(file, data);
  return key;
}

async function writeAtomic(file: string, data: Buffer): Promise<void> {
  const dir = file.slice(0, file.lastIndexOf('/') > 0 ? file.lastIndexOf('/') : file.lastIndexOf('\\'));
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}
