/**
 * @file Resolves media URLs to files, for both the Electron `shoebox://media/...` protocol and the
 * headless host's `/media/...` route, refusing anything that is not an indexed file of a library folder
 * or a cached thumbnail.
 *
 * [Note: Media path guard] Originals are addressed as `original/<folderId>/<relPath>`, relPath segments
 * URI-encoded. Each decoded segment must be a plain name (no '', '.', '..', separators, NUL or drive
 * prefixes). The decoded relPath must then be a file the library indexed in that folder with status
 * 'ok' (one lookup on the files table's (folder_id, rel_path) key, `MediaLookup.isIndexed`): a library
 * folder may hold files that are not photos (documents, key files, a `.git` folder), and the media route
 * must not read them; files the library saw go missing or failed to read (links out of the folder among
 * them) are not served either, as the renderer only asks for 'ok' files. A path that is not indexed gets
 * 404, like a missing one, and is refused before the disk is touched, so the answer says nothing about
 * what exists there. Last, the joined path is resolved with realpath and must still lie inside the
 * folder root's realpath, which also refuses indexed symlinks that point out of the folder (403), should
 * one ever be indexed. Thumbnails and previews are addressed by cache key, which the library validates and
 * maps to its cache folder; a preview key not in the cache yet is made there on this first request, from
 * an 'ok' file of the photo with that content, the file indexing read (`MediaLookup.ensurePreview`).
 * Electron's `shoebox://media/` (media-protocol.ts) and the headless host's `/media/` both go through
 * `resolveMedia`, so they refuse (and make) the same things.
 */
import { realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import type { PreviewResult } from './library/previews';

export type MediaResult =
  { ok: true; file: string; mime: string } | { ok: false; status: 400 | 403 | 404 | 422 | 500 | 503; reason: string };

export interface MediaLookup {
  cachePath(key: string): string | null;
  /**
   * The cached file of a preview key, made first when it is not there (see [Note: Previews on demand] in
   * main/library/steps.ts); a failure's status and reason are served as they are.
   */
  ensurePreview(key: string): Promise<PreviewResult>;
  folderRoot(folderId: number): string | null;
  /** Whether `relPath` ('/'-separated, decoded) is a file the library indexed in that folder and holds as 'ok'. */
  isIndexed(folderId: number, relPath: string): boolean;
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

/** A large preview's cache key (main/library/thumbnails.ts): the only cache entry made on request. */
const PREVIEW_KEY = /^[0-9a-f]{32}-p\d+\.jpg$/;

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

/** Decodes URL path segments with `safeSegment`; null when any is not a plain name or there are none. */
function safeSegments(relSegments: string[]): string[] | null {
  const parts: string[] = [];
  for (const raw of relSegments) {
    const seg = safeSegment(raw);
    if (seg === null) return null;
    parts.push(seg);
  }
  return parts.length > 0 ? parts : null;
}

/** Resolves decoded, checked `parts` below `root`; refuses escapes, including through symlinks. */
async function resolveInside(root: string, parts: string[]): Promise<MediaResult> {
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
    let file = key === null ? null : lookup.cachePath(key);
    if (key === null || !file) return { ok: false, status: 400, reason: 'bad thumbnail key' };
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) {
      // Previews are made on the first request for them; thumbnails only by indexing.
      if (!PREVIEW_KEY.test(key)) return { ok: false, status: 404, reason: 'thumbnail not found' };
      const made = await lookup.ensurePreview(key);
      if (!made.ok) return made;
      file = made.file;
    }
    return { ok: true, file, mime: mimeOf(file) === 'application/octet-stream' ? 'image/webp' : mimeOf(file) };
  }
  if (kind === 'original' && rest.length >= 2) {
    const [idRaw, ...rel] = rest;
    if (!idRaw || !/^[1-9][0-9]{0,15}$/.test(idRaw)) return { ok: false, status: 400, reason: 'bad folder id' };
    const folderId = Number(idRaw);
    const root = lookup.folderRoot(folderId);
    if (!root) return { ok: false, status: 404, reason: 'unknown folder' };
    const parts = safeSegments(rel);
    if (!parts) return { ok: false, status: 400, reason: 'bad path segment' };
    if (!lookup.isIndexed(folderId, parts.join('/'))) return { ok: false, status: 404, reason: 'not an indexed file' };
    return resolveInside(root, parts);
  }
  return { ok: false, status: 400, reason: 'unknown media path' };
}
