/**
 * @file SQL for the `files` table: one row per path under a folder root, pointing at the photo (content)
 * it last held. See [Note: Photo identity] in migrations/0001-initial.ts.
 *
 * Runs in main (and the CLI, headless host and tests).
 */
import type { Db } from './open';

export type FileStatus = 'ok' | 'missing' | 'error';

export interface FileRow {
  id: number;
  folder_id: number;
  rel_path: string;
  photo_id: number | null;
  size: number;
  mtime_ms: number;
  status: FileStatus;
  error: string | null;
  seen_at: number;
}

/** What the stat fast path needs to know about a known file. */
export interface FileStamp {
  id: number;
  size: number;
  mtime_ms: number;
  status: FileStatus;
  photo_id: number | null;
}

export interface FileUpsert {
  folderId: number;
  relPath: string;
  photoId: number | null;
  size: number;
  mtimeMs: number;
  status: FileStatus;
  error: string | null;
  now: number;
}

/** Reads and writes file rows. */
export interface FilesRepo {
  get(folderId: number, relPath: string): FileRow | null;
  /** rel_path → stamp for every file of a folder (the rescan's fast path). */
  stamps(folderId: number): Map<string, FileStamp>;
  /** Inserts or updates by (folder, rel_path); returns the previous photo id (or null) and the row id. */
  upsert(f: FileUpsert): { id: number; previousPhotoId: number | null };
  /** Marks files as seen now (unchanged on rescan). */
  touch(ids: readonly number[], now: number): void;
  /** Marks one path (or every path below a folder prefix) missing; returns how many changed. */
  markMissing(folderId: number, relPath: string, now: number): number;
  markMissingUnder(folderId: number, relPrefix: string, now: number): number;
  /**
   * Marks every ok/error file of a folder not seen since `since` missing (after a full scan), except the
   * files below `keepUnder` (sub-trees the scan could not read: see [Note: Unread sub-trees] in
   * main/library/scanner.ts).
   */
  markUnseenMissing(folderId: number, since: number, keepUnder?: readonly string[]): number;
  markFolderMissing(folderId: number): number;
  /** Deletes a photo's missing file rows (the photo was found elsewhere: a move). */
  dropMissingOf(photoId: number): number;
  /** Deletes a folder's missing file rows whose photo has an ok file anywhere (moves made while closed). */
  dropMovedIn(folderId: number): number;
  forPhoto(photoId: number): (FileRow & { root: string })[];
  /** Deletes every missing file row (the user chose to forget them); returns how many. */
  dropAllMissing(): number;
  firstOkPath(photoId: number): { root: string; rel_path: string; folder_id: number } | null;
}

/** Builds the repository over an open, migrated database. */
export function createFilesRepo(db: Db): FilesRepo {
  const getStmt = db.prepare<[number, string], FileRow>('SELECT * FROM files WHERE folder_id = ? AND rel_path = ?');
  const stampsStmt = db.prepare<[number], FileStamp & { rel_path: string }>(
    'SELECT id, rel_path, size, mtime_ms, status, photo_id FROM files WHERE folder_id = ?',
  );
  const insertStmt = db.prepare(
    `INSERT INTO files (folder_id, rel_path, photo_id, size, mtime_ms, status, error, seen_at)
     VALUES (@folderId, @relPath, @photoId, @size, @mtimeMs, @status, @error, @now)`,
  );
  const updateStmt = db.prepare(
    `UPDATE files SET photo_id = @photoId, size = @size, mtime_ms = @mtimeMs, status = @status, error = @error,
       seen_at = @now WHERE id = @id`,
  );
  const touchStmt = db.prepare<[number, number]>('UPDATE files SET seen_at = ? WHERE id = ?');
  const missingStmt = db.prepare<[number, number, string]>(
    "UPDATE files SET status = 'missing', seen_at = ? WHERE folder_id = ? AND rel_path = ? AND status <> 'missing'",
  );
  const missingUnderStmt = db.prepare<[number, number, string, string, string]>(
    `UPDATE files SET status = 'missing', seen_at = ?
     WHERE folder_id = ? AND status <> 'missing' AND (rel_path = ? OR substr(rel_path, 1, length(?)) = ?)`,
  );
  const unseenStmt = db.prepare<[number, number, string]>(
    `UPDATE files SET status = 'missing' WHERE folder_id = ? AND seen_at < ? AND status <> 'missing'
       AND NOT EXISTS (SELECT 1 FROM json_each(?) k
                       WHERE files.rel_path = k.value OR substr(files.rel_path, 1, length(k.value) + 1) = k.value || '/')`,
  );
  const folderMissingStmt = db.prepare<[number]>("UPDATE files SET status = 'missing' WHERE folder_id = ? AND status <> 'missing'");
  const dropMissingStmt = db.prepare<[number]>("DELETE FROM files WHERE photo_id = ? AND status = 'missing'");
  const dropMovedStmt = db.prepare<[number]>(
    `DELETE FROM files WHERE folder_id = ? AND status = 'missing' AND photo_id IS NOT NULL
       AND EXISTS (SELECT 1 FROM files o WHERE o.photo_id = files.photo_id AND o.status = 'ok')`,
  );
  const dropAllMissingStmt = db.prepare("DELETE FROM files WHERE status = 'missing'");
  const forPhotoStmt = db.prepare<[number], FileRow & { root: string }>(
    'SELECT files.*, folders.path AS root FROM files JOIN folders ON folders.id = files.folder_id WHERE photo_id = ? ORDER BY files.id',
  );
  const firstOkStmt = db.prepare<[number], { root: string; rel_path: string; folder_id: number }>(
    `SELECT folders.path AS root, files.rel_path, files.folder_id FROM files JOIN folders ON folders.id = files.folder_id
     WHERE files.photo_id = ? AND files.status = 'ok' ORDER BY files.id LIMIT 1`,
  );
  const touchMany = db.transaction((ids: readonly number[], now: number) => {
    for (const id of ids) touchStmt.run(now, id);
  });
  return {
    get: (folderId, relPath) => getStmt.get(folderId, relPath) ?? null,
    stamps(folderId) {
      const map = new Map<string, FileStamp>();
      for (const r of stampsStmt.iterate(folderId)) map.set(r.rel_path, r);
      return map;
    },
    upsert(f) {
      const prev = getStmt.get(f.folderId, f.relPath);
      if (!prev) return { id: Number(insertStmt.run(f).lastInsertRowid), previousPhotoId: null };
      updateStmt.run({ ...f, id: prev.id });
      return { id: prev.id, previousPhotoId: prev.photo_id };
    },
    touch: (ids, now) => touchMany(ids, now),
    markMissing: (folderId, relPath, now) => missingStmt.run(now, folderId, relPath).changes,
    markMissingUnder: (folderId, relPrefix, now) => {
      const prefix = relPrefix === '' ? '' : relPrefix + '/';
      return missingUnderStmt.run(now, folderId, relPrefix, prefix, prefix).changes;
    },
    markUnseenMissing: (folderId, since, keepUnder = []) => unseenStmt.run(folderId, since, JSON.stringify(keepUnder)).changes,
    markFolderMissing: (folderId) => folderMissingStmt.run(folderId).changes,
    dropMissingOf: (photoId) => dropMissingStmt.run(photoId).changes,
    dropMovedIn: (folderId) => dropMovedStmt.run(folderId).changes,
    forPhoto: (photoId) => forPhotoStmt.all(photoId),
    dropAllMissing: () => dropAllMissingStmt.run().changes,
    firstOkPath: (photoId) => firstOkStmt.get(photoId) ?? null,
  };
}
