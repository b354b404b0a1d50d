/**
 * @file Discovery of one file: the stat fast path, the content hash, and the rows it leads to (photo by
 * content, file by path, the pipeline's jobs), written in one transaction. See [Note: Photo identity] in
 * db/migrations/0001-initial.ts.
 *
 * Runs in main. Hashing streams on libuv's pool; the transaction is synchronous and short.
 */
import { stat } from 'node:fs/promises';
import type { Db } from '../db/open';
import type { FileStamp, FilesRepo } from '../db/files.repo';
import type { JobsRepo, StepKey } from '../db/jobs.repo';
import type { PhotosRepo } from '../db/photos.repo';
import { errText } from '../errors';
import { formatOf } from './formats';
import { hashFile, pathKey } from './hash';
import { outsideLinkMessage, outsideTarget } from './links';
import { notRegularMessage, specialKind } from './scanner';
import { localWallClock, sortSeconds } from './time';

export type IngestOutcome = 'unchanged' | 'added' | 'updated' | 'error' | 'gone' | 'changing';

export interface IngestDeps {
  db: Db;
  photos: PhotosRepo;
  files: FilesRepo;
  jobs: JobsRepo;
  /** Called with the cache keys of photos that were deleted (their content is gone from the library). */
  onCacheKeysFreed?: (keys: string[]) => void;
  /** The steps queued for each new photo (the runner's registry). */
  steps: () => readonly StepKey[];
  readStep: StepKey;
}

export interface Ingest {
  /**
   * Brings one path's rows up to date. `known` is the path's stamp from the database when the caller
   * already has it (a folder scan loads all stamps at once). Never throws for problems with the file.
   */
  file(
    folder: { id: number; path: string },
    relPath: string,
    known?: FileStamp | null,
    force?: boolean,
  ): Promise<{ outcome: IngestOutcome; photoId: number | null; error?: string }>;
  /** Lists a file that cannot be read, with the reason (a placeholder photo and a failed 'read' job). */
  recordError(folderId: number, relPath: string, error: string, size?: number, mtimeMs?: number): number;
}

/** Builds the ingest functions over the repositories. */
export function createIngest(deps: IngestDeps): Ingest {
  const { db, photos, files, jobs } = deps;
  const dropped = (keys: string[] | null) => {
    if (keys?.length) deps.onCacheKeysFreed?.(keys);
  };

  const linkTx = db.transaction((folderId: number, relPath: string, hash: string, size: number, mtimeMs: number, now: number) => {
    const format = formatOf(relPath)!;
    let photo = photos.findByHash(hash);
    let isNew = false;
    if (!photo) {
      const fileTime = localWallClock(mtimeMs);
      const id = photos.insert({ hash, kind: format.kind, mime: format.mime, fileTime, error: null, now });
      photo = photos.get(id)!;
      isNew = true;
    }
    const { previousPhotoId } = files.upsert({ folderId, relPath, photoId: photo.id, size, mtimeMs, status: 'ok', error: null, now });
    if (previousPhotoId !== null && previousPhotoId !== photo.id) dropped(photos.deleteIfOrphan(previousPhotoId));
    files.dropMissingOf(photo.id); // the same content under a new path: a move or rename
    jobs.ensure(photo.id, photo.kind, deps.steps(), sortSeconds(photo.sort_key), now);
    jobs.retryPhoto(photo.id, now);
    return { photoId: photo.id, isNew, wasKnown: previousPhotoId === photo.id };
  });

  const errorTx = db.transaction((folderId: number, relPath: string, error: string, size: number, mtimeMs: number, now: number) => {
    const format = formatOf(relPath) ?? { kind: 'image' as const, mime: null };
    const hash = `unreadable:${pathKey(folderId, relPath)}`;
    let photo = photos.findByHash(hash);
    if (!photo) {
      const id = photos.insert({ hash, kind: format.kind, mime: format.mime, fileTime: localWallClock(mtimeMs || now), error, now });
      photo = photos.get(id)!;
    } else photos.setError(photo.id, error);
    const { previousPhotoId } = files.upsert({ folderId, relPath, photoId: photo.id, size, mtimeMs, status: 'error', error, now });
    if (previousPhotoId !== null && previousPhotoId !== photo.id) dropped(photos.deleteIfOrphan(previousPhotoId));
    jobs.recordFailure(photo.id, deps.readStep, error, now);
    return photo.id;
  });

  const recordError: Ingest['recordError'] = (folderId, relPath, error, size = 0, mtimeMs = 0) =>
    errorTx(folderId, relPath, error, size, mtimeMs, Date.now());

  return {
    recordError,
    async file(folder, relPath, known, force = false) {
      const absPath = `${folder.path}/${relPath}`;
      let before;
      try {
        before = await stat(absPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
          files.markMissing(folder.id, relPath, Date.now());
          return { outcome: 'gone', photoId: null };
        }
        const error = errText(err);
        return { outcome: 'error', photoId: recordError(folder.id, relPath, error), error };
      }
      // Whatever told us about this path (scan, watcher, a retry), a link out of the folder is not read
      // ([Note: Symlinks stay inside their folder] in links.ts).
      const outside = await outsideTarget(folder.path, absPath);
      if (outside !== null) {
        const error = outsideLinkMessage(outside, before.isDirectory());
        return { outcome: 'error', photoId: recordError(folder.id, relPath, error), error };
      }
      if (before.isDirectory()) return { outcome: 'gone', photoId: null };
      if (!before.isFile()) {
        // Never open a FIFO (it blocks), a socket or a device: list it instead.
        const error = notRegularMessage(specialKind(before) ?? 'unknown type');
        return { outcome: 'error', photoId: recordError(folder.id, relPath, error), error };
      }
      const size = before.size;
      const mtimeMs = Math.trunc(before.mtimeMs);
      const stamp = known === undefined ? files.get(folder.id, relPath) : known;
      if (!force && stamp && stamp.status === 'ok' && stamp.photo_id !== null && stamp.size === size && stamp.mtime_ms === mtimeMs) {
        files.touch([stamp.id], Date.now());
        return { outcome: 'unchanged', photoId: stamp.photo_id };
      }
      if (size === 0) {
        const error = 'empty file (0 bytes): nothing to show';
        return { outcome: 'error', photoId: recordError(folder.id, relPath, error, 0, mtimeMs), error };
      }
      let hashed;
      try {
        hashed = await hashFile(absPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          files.markMissing(folder.id, relPath, Date.now());
          return { outcome: 'gone', photoId: null };
        }
        const error = `cannot read the file: ${errText(err)}`;
        return { outcome: 'error', photoId: recordError(folder.id, relPath, error, size, mtimeMs), error };
      }
      const after = await stat(absPath).catch(() => null);
      if (!after || after.size !== size || Math.trunc(after.mtimeMs) !== mtimeMs || hashed.bytes !== size) {
        // Rewritten while we read it: keep the old row alive (not 'unseen'); the caller tries again shortly,
        // and the watcher sees the file again once it settles.
        if (stamp) files.touch([stamp.id], Date.now());
        return { outcome: 'changing', photoId: null };
      }
      const r = linkTx(folder.id, relPath, hashed.hash, size, mtimeMs, Date.now());
      return { outcome: r.isNew ? 'added' : r.wasKnown ? 'unchanged' : 'updated', photoId: r.photoId };
    },
  };
}
