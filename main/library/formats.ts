/**
 * @file Which files Shoebox indexes, by extension, and what kind of media each is.
 *
 * Runs in main. Content sniffing happens later (a `.jpg` holding random bytes is listed with a decode
 * error by the thumbnail step, not skipped here).
 */
import type { MediaKind } from '../db/photos.repo';

export interface Format {
  kind: MediaKind;
  mime: string;
  /** How pixels are obtained: sharp directly, heic-decode (wasm), the RAW's embedded JPEG, or none. */
  decoder: 'sharp' | 'heic' | 'bmp' | 'raw-preview' | 'none';
}

const table: Record<string, Format> = {
  jpg: { kind: 'image', mime: 'image/jpeg', decoder: 'sharp' },
  jpeg: { kind: 'image', mime: 'image/jpeg', decoder: 'sharp' },
  jpe: { kind: 'image', mime: 'image/jpeg', decoder: 'sharp' },
  png: { kind: 'image', mime: 'image/png', decoder: 'sharp' },
  webp: { kind: 'image', mime: 'image/webp', decoder: 'sharp' },
  avif: { kind: 'image', mime: 'image/avif', decoder: 'sharp' },
  gif: { kind: 'image', mime: 'image/gif', decoder: 'sharp' },
  tif: { kind: 'image', mime: 'image/tiff', decoder: 'sharp' },
  tiff: { kind: 'image', mime: 'image/tiff', decoder: 'sharp' },
  bmp: { kind: 'image', mime: 'image/bmp', decoder: 'bmp' }, // sharp's prebuilt libvips has no BMP loader
  heic: { kind: 'image', mime: 'image/heic', decoder: 'heic' },
  heif: { kind: 'image', mime: 'image/heif', decoder: 'heic' },
  hif: { kind: 'image', mime: 'image/heif', decoder: 'heic' },
  cr2: { kind: 'raw', mime: 'image/x-canon-cr2', decoder: 'raw-preview' },
  cr3: { kind: 'raw', mime: 'image/x-canon-cr3', decoder: 'raw-preview' },
  nef: { kind: 'raw', mime: 'image/x-nikon-nef', decoder: 'raw-preview' },
  arw: { kind: 'raw', mime: 'image/x-sony-arw', decoder: 'raw-preview' },
  dng: { kind: 'raw', mime: 'image/x-adobe-dng', decoder: 'raw-preview' },
  raf: { kind: 'raw', mime: 'image/x-fuji-raf', decoder: 'raw-preview' },
  orf: { kind: 'raw', mime: 'image/x-olympus-orf', decoder: 'raw-preview' },
  rw2: { kind: 'raw', mime: 'image/x-panasonic-rw2', decoder: 'raw-preview' },
  mp4: { kind: 'video', mime: 'video/mp4', decoder: 'none' },
  m4v: { kind: 'video', mime: 'video/mp4', decoder: 'none' },
  mov: { kind: 'video', mime: 'video/quicktime', decoder: 'none' },
  avi: { kind: 'video', mime: 'video/x-msvideo', decoder: 'none' },
  mkv: { kind: 'video', mime: 'video/x-matroska', decoder: 'none' },
  webm: { kind: 'video', mime: 'video/webm', decoder: 'none' },
  '3gp': { kind: 'video', mime: 'video/3gpp', decoder: 'none' },
};

/** The format of a file by its name, or null when Shoebox does not index that extension. */
export function formatOf(name: string): Format | null {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return null;
  return table[name.slice(dot + 1).toLowerCase()] ?? null;
}

/** Names the scanner and watcher skip: hidden files and folders, and NAS/OS thumbnail caches. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name === '@eaDir' || name === '#recycle' || name === '$RECYCLE.BIN' || name === 'Thumbs.db';
}
