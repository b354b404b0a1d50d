/**
 * @file Large previews made on demand (see [Note: Previews on demand] in steps.ts): the first request
 * for a preview key makes it from the photo's file, later ones find it in the cache. Requests for the
 * same key share one job; at most a few previews are made at once, newest request first, so the photo
 * on screen does not wait behind the ones the viewer skipped past.
 *
 * Runs in main; decoding runs on libvips' threads. The outcome is an HTTP-like status with a reason the
 * media route (main/media.ts) passes on as is.
 */
import type { FilesRepo } from '../db/files.repo';
import { isDecodeError } from './decoders';
import { makePreview, type VariantDeps } from './steps';
import { cacheFile, isFile, previewHashOf } from './thumbnails';

export type PreviewResult = { ok: true; file: string } | { ok: false; status: 403 | 404 | 422 | 500 | 503; reason: string };

export interface PreviewDeps extends VariantDeps {
  files: FilesRepo;
  /** Called after a photo's file turned out to be gone (it was marked missing). */
  onFileGone: () => void;
  /** Previews made at once (default 2: sharp runs one thread per image here, and indexing shares them). */
  concurrency?: number;
}

export interface Previews {
  /** The cached file of a preview key, made first if need be. Never throws. */
  ensure(key: string): Promise<PreviewResult>;
}

const gone = (err: unknown) =>
  (err as NodeJS.ErrnoException)?.code === 'ENOENT' ||
  /Input file is missing|no such file or directory/i.test((err as Error)?.message ?? '');
const errno = (err: unknown) => (err as NodeJS.ErrnoException)?.code;

export function createPreviews(deps: PreviewDeps): Previews {
  const { photos, files } = deps;
  const limit = deps.concurrency ?? 2;
  /** One job per key while it runs: concurrent requests share it. */
  const jobs = new Map<string, Promise<PreviewResult>>();
  /** Jobs waiting for a slot; the newest starts first. */
  const waiting: (() => void)[] = [];
  let running = 0;

  const slot = () =>
    new Promise<void>((resolve) => {
      if (running < limit) {
        running++;
        resolve();
      } else waiting.push(resolve);
    });
  const release = () => {
    const next = waiting.pop();
    if (next) next();
    else running--;
  };

  async function make(hash: string, file: string): Promise<PreviewResult> {
    await slot();
    let at: ReturnType<FilesRepo['firstOkPath']> = null;
    try {
      if (await isFile(file)) return { ok: true, file }; // made while this request waited
      const photo = photos.findByHash(hash);
      if (!photo) return { ok: false, status: 404, reason: 'no photo in the library has this content (any more)' };
      if (photo.kind !== 'image' && photo.kind !== 'raw') return { ok: false, status: 404, reason: `no preview for a ${photo.kind}` };
      if (photo.error) return { ok: false, status: 422, reason: `this photo cannot be read: ${photo.error}` };
      at = files.firstOkPath(photo.id);
      if (!at) return { ok: false, status: 404, reason: 'the file of this photo is missing (moved or deleted?)' };
      await makePreview(deps, photo, `${at.root}/${at.rel_path}`);
      return { ok: true, file };
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      if (at && gone(err)) {
        // Tell the library now rather than at the next rescan, as the job runner does.
        files.markMissing(at.folder_id, at.rel_path, Date.now());
        deps.onFileGone();
        return { ok: false, status: 404, reason: 'the file of this photo is gone (moved or deleted?)' };
      }
      if (errno(err) === 'EACCES' || errno(err) === 'EPERM')
        return { ok: false, status: 403, reason: `cannot read the file of this photo (${errno(err)}: permission denied)` };
      if (errno(err) === 'ENOSPC' || errno(err) === 'EDQUOT')
        return { ok: false, status: 503, reason: `the disk holding the cache is full (${message})` };
      if (isDecodeError(err)) return { ok: false, status: 422, reason: message };
      return { ok: false, status: 500, reason: `could not make the preview: ${message}` };
    } finally {
      release();
    }
  }

  return {
    async ensure(key) {
      const hash = previewHashOf(key);
      const file = hash === null ? null : cacheFile(deps.thumbsDir, key);
      if (hash === null || file === null) return { ok: false, status: 404, reason: 'not a current preview key' };
      if (await isFile(file)) return { ok: true, file };
      let job = jobs.get(key);
      if (!job) {
        job = make(hash, file).finally(() => jobs.delete(key));
        jobs.set(key, job);
      }
      return job;
    },
  };
}
