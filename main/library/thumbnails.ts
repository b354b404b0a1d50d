/**
 * @file Grid thumbnails (~256 px) and large previews (~1600 px, made on demand: previews.ts) in a
 * content-addressed cache: `<thumbsDir>/<first two hex of hash>/<hash>-<variant><version>.jpg`. Any entry can be rebuilt from the
 * original; a changed pipeline version makes new keys, so stale browser caches never show old pixels.
 *
 * Runs in main; the resize runs on libvips' threads. Writes are atomic (temp file + rename), so a crash
 * never leaves a half-written thumbnail under a real key.
 *
 * [Note: Cache temp files] A temp file is `<key>.<pid>.<random>.tmp` beside its key. A kill between the
 * write and the rename leaves it behind; `sweepTempFiles` removes those at start. It touches only names
 * of that exact form under the cache folder, and never one a live writer may still rename: not one this
 * process is writing (they are tracked in `writing`), and not another live process's (a CLI run sharing
 * the data folder) unless it is old enough that no write could still be going on. One with this
 * process's pid that it is not writing is an earlier process's that had the same pid.
 */
import { lstat, mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';

export type Variant = 't' | 'p';

export const THUMB_SIZE = 256;
export const PREVIEW_SIZE = 1600;
/** Pipeline version of previews (part of their key). Bump it to remake every preview on its next request. */
export const PREVIEW_VERSION = 1;
const keyRe = /^(?:[0-9a-f]{32}-[tp]\d+|placeholder-[a-z]+-\d+)\.jpg$/;
const tempRe = /^(?:[0-9a-f]{32}-[tp]\d+|placeholder-[a-z]+-\d+)\.jpg\.(\d+)\.[0-9a-z]+\.tmp$/;
const subdirRe = /^(?:[0-9a-f]{2}|placeholder)$/;
/** A temp file of a live process older than this is a leftover too (a write takes milliseconds). */
const STALE_TEMP_MS = 60 * 60 * 1000;
/** Temp files this process is writing right now. */
const writing = new Set<string>();

/** The cache key of a variant of a content hash. */
export function cacheKey(hash: string, variant: Variant, version: number): string {
  return `${hash}-${variant}${version}.jpg`;
}

/** The key a photo's preview has, made or not yet (see [Note: Previews on demand] in previews.ts). */
export function previewKey(hash: string): string {
  return cacheKey(hash, 'p', PREVIEW_VERSION);
}

/** The content hash of a current-version preview key, or null for any other key. */
export function previewHashOf(key: string): string | null {
  const m = /^([0-9a-f]{32})-p(\d+)\.jpg$/.exec(key);
  return m && Number(m[2]) === PREVIEW_VERSION ? m[1]! : null;
}

/** Absolute path of a cache key, or null when the key is malformed (a guard against path tricks). */
export function cacheFile(thumbsDir: string, key: string): string | null {
  if (!keyRe.test(key)) return null;
  return join(thumbsDir, key.startsWith('placeholder-') ? 'placeholder' : key.slice(0, 2), key);
}

/** Whether `file` is there as a regular file (a cache entry already made). */
export const isFile = async (file: string): Promise<boolean> => (await stat(file).catch(() => null))?.isFile() === true;

/** Resizes an oriented image to fit `size` and writes it under `key`. Returns the output's size and bytes. */
export async function writeVariant(
  img: Sharp,
  size: number,
  quality: number,
  thumbsDir: string,
  key: string,
): Promise<{ width: number; height: number; data: Buffer }> {
  const file = cacheFile(thumbsDir, key);
  if (!file) throw new Error(`bad cache key ${key}`);
  const { data, info } = await img
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality, mozjpeg: false })
    .toBuffer({ resolveWithObject: true });
  await writeAtomic(file, data);
  return { width: info.width, height: info.height, data };
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

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
};

/**
 * Deletes temp files left in the cache by a write that was killed before its rename (see
 * [Note: Cache temp files]). Best effort; returns how many went.
 */
export async function sweepTempFiles(thumbsDir: string, now = Date.now()): Promise<number> {
  let removed = 0;
  const dirs = await readdir(thumbsDir).catch(() => [] as string[]);
  for (const sub of dirs) {
    if (!subdirRe.test(sub)) continue;
    const names = await readdir(join(thumbsDir, sub)).catch(() => [] as string[]);
    for (const name of names) {
      const pid = Number(tempRe.exec(name)?.[1] ?? NaN);
      if (!Number.isSafeInteger(pid)) continue;
      const file = join(thumbsDir, sub, name);
      if (writing.has(file)) continue;
      const s = await lstat(file).catch(() => null);
      if (!s?.isFile()) continue;
      const stale = pid === process.pid || !isAlive(pid) || now - s.mtimeMs > STALE_TEMP_MS;
      if (
        stale &&
        (await unlink(file).then(
          () => true,
          () => false,
        ))
      )
        removed++;
    }
  }
  return removed;
}

async function writeAtomic(file: string, data: Buffer): Promise<void> {
  const dir = file.slice(0, file.lastIndexOf('/') > 0 ? file.lastIndexOf('/') : file.lastIndexOf('\\'));
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writing.add(tmp);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  } finally {
    writing.delete(tmp);
  }
}
