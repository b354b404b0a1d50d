/**
 * @file URLs of thumbnails, previews and originals, built from `AppInfo.mediaBase` (`/media` on the
 * headless host, `shoebox://media` in Electron). Runs in the renderer.
 */
import type { PhotoDetail, PhotoFileDto } from '../../preload/contract';

/** URL of a cached thumbnail or preview by its content-addressed key. */
export function thumbUrl(mediaBase: string, key: string): string {
  return `${mediaBase}/thumb/${encodeURIComponent(key)}`;
}

/** URL of an original file: each path segment is encoded on its own so `/` keeps separating them. */
export function originalUrl(mediaBase: string, file: Pick<PhotoFileDto, 'folderId' | 'relPath'>): string {
  const rel = file.relPath
    .split(/[\\/]/)
    .filter((s) => s.length > 0)
    .map(encodeURIComponent)
    .join('/');
  return `${mediaBase}/original/${file.folderId}/${rel}`;
}

/** Mime types Chromium shows in an <img> without help. */
const BROWSER_IMAGE_MIMES = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'image/svg+xml',
  'image/x-icon',
]);
const BROWSER_IMAGE_EXT = /\.(jpe?g|png|gif|webp|avif|bmp|ico)$/i;

/** Whether the browser can show this original directly. */
export function browserCanShow(mime: string | null, relPath: string): boolean {
  return mime ? BROWSER_IMAGE_MIMES.has(mime.toLowerCase()) : BROWSER_IMAGE_EXT.test(relPath);
}

/** Where a source of the viewer's image comes from. */
export type ViewerSourceKind = 'preview' | 'original' | 'thumb';

export interface ViewerSource {
  kind: ViewerSourceKind;
  url: string;
}

/**
 * What the viewer shows for a photo, best first: the large preview (made by its first request, see
 * [Note: Previews on demand] in main/library/steps.ts), else the original when the browser can decode
 * it, else the thumbnail. Empty when there is nothing to show.
 */
export function viewerSources(mediaBase: string, photo: Pick<PhotoDetail, 'preview' | 'thumb' | 'mime' | 'files'>): ViewerSource[] {
  const out: ViewerSource[] = [];
  if (photo.preview) out.push({ kind: 'preview', url: thumbUrl(mediaBase, photo.preview) });
  const file = photo.files.find((f) => f.status === 'ok');
  if (file && browserCanShow(photo.mime, file.relPath)) out.push({ kind: 'original', url: originalUrl(mediaBase, file) });
  if (photo.thumb) out.push({ kind: 'thumb', url: thumbUrl(mediaBase, photo.thumb) });
  return out;
}

/** The source to show: the best one that has not failed to load; undefined when all have. */
export function pickSource(sources: readonly ViewerSource[], failed: ReadonlySet<string>): ViewerSource | undefined {
  return sources.find((s) => !failed.has(s.url));
}

/**
 * The note the viewer shows after the large preview failed to load: why (from `photo` as read again after
 * the failure: its file went missing, or its error), and what is shown instead.
 */
export function previewFailedNote(shown: ViewerSourceKind | null, photo: Pick<PhotoDetail, 'status' | 'error'>): string {
  const why = photo.status === 'missing' ? 'the file is missing (moved or deleted?)' : photo.error ? photo.error : 'it could not be made';
  const instead = shown === 'original' ? '; showing the original' : shown === 'thumb' ? '; showing the thumbnail' : '';
  return `No large preview: ${why}${instead}.`;
}
