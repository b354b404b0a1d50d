/**
 * @file Resolves media URLs to files, for both the Electron `shoebox://media/...` protocol and the
 * headless host's `/media/...` route, refusing anything outside the library's folders and the cache.
 *
 * [Note: Media path guard] Originals are addressed as `original/<folderId>/<relPath>`, relPath segments
 * URI-encoded. Each decoded segment must be a plain name (no '', '.', '..', separators, NUL or drive
 * prefixes); the joined path is then resolved with realpath and must still lie inside the folder root's
 * realpath, which also refuses symlinks that point out of the folder. Thumbnails are addressed by cache
 * key, which the library validates and maps to its cache folder.
 */
import { realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

export type MediaResult = { ok: true; file: string; mime: string } | { ok: false; status: 400 | 403 | 404; reason: string };

export interface MediaLookup {
  cachePath(key: string): string | null;
  folderRoot(folderId: number): string | null;
}

const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.gif': 'image/gif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.bmp': 'image/bmp',
  '.heic': 'image/heic',
  '.heif': 'image/heif',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
};

/** Content type by extension; unknown types are served as opaque bytes. */
export const mimeOf = (file: string): string => MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';

/** Decodes and checks one URL path segment; null when it is not a plain file or folder name. */
export function safeSegment(raw: string): string | null {
  let s: string;
  try {
    s = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (s === '' || s === '.' || s === '..') return null;
  if (s.includes('/') || s.includes('\\') || s.includes('\0')) return null;
  if (/^[a-zA-Z]:/.test(s)) return null; // a Windows drive prefix would make join() absolute
  return s;
}

/** Resolves `relSegments` (still URI-encoded) below `root`; refuses escapes, including through symlinks. */
export async function resolveInside(root: string, relSegments: string[]): Promise<MediaResult> {
  const parts: string[] = [];
  for (const raw of relSegments) {
    const seg = safeSegment(raw);
    if (seg === null) return { ok: false, status: 400, reason: 'bad path segment' };
    parts.push(seg);
  }
  if (parts.length === 0) return { ok: false, status: 400, reason: 'empty path' };
  let rootReal: string;
  let fileReal: string;
  try {
    rootReal = await realpath(root);
    fileReal = await realpath(join(root, ...parts));
  } catch {
    return { ok: false, status: 404, reason: 'not found' };
  }
  if (!fileReal.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep)) {
    return { ok: false, status: 403, reason: 'outside the library folder' };
  }
  const st = await stat(fileReal).catch(() => null);
  if (!st?.isFile()) return { ok: false, status: 404, reason: 'not a file' };
  return { ok: true, file: fileReal, mime: mimeOf(fileReal) };
}

/**
 * Resolves a media path (the part after `/media/` or `shoebox://media/`, still URI-encoded, without
 * query) to a file.
 */
export async function resolveMedia(path: string, lookup: MediaLookup): Promise<MediaResult> {
  const [kind, ...rest] = path.replace(/^\/+/, '').split('/');
  if (kind === 'thumb' && rest.length === 1 && rest[0]) {
    const key = safeSegment(rest[0]);
    const file = key === null ? null : lookup.cachePath(key);
    if (!file) return { ok: false, status: 400, reason: 'bad thumbnail key' };
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) return { ok: false, status: 404, reason: 'thumbnail not found' };
    return { ok: true, file, mime: mimeOf(file) === 'application/octet-stream' ? 'image/webp' : mimeOf(file) };
  }
  if (kind === 'original' && rest.length >= 2) {
    const [idRaw, ...rel] = rest;
    if (!idRaw || !/^[1-9][0-9]{0,15}$/.test(idRaw)) return { ok: false, status: 400, reason: 'bad folder id' };
    const root = lookup.folderRoot(Number(idRaw));
    if (!root) return { ok: false, status: 404, reason: 'unknown folder' };
    return resolveInside(root, rel);
  }
  return { ok: false, status: 400, reason: 'unknown media path' };
}
