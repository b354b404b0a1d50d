/**
 * @file SQL for the `files` table: one row per path under a folder root, pointing at the photo (content)
 * it last held. See [Note: Photo identity] in migrations/0001-initial.ts.
 *
 * Runs in main (and the CLI, headless host and tests).
 *
 * [Note: Folder passes in chunks] The passes of a full rescan over every row of a folder (reading its stamps,
 * marking the unseen files missing, dropping the rows of files moved while closed) walk the folder's rows in
 * `rel_path` order over the UNIQUE (folder_id, rel_path) index, `chunk` rows per statement, and await the
 * caller's `pause()` (a macrotask) between statements: on a 100k folder each pass held main's event loop for
 * 50–600 ms in one piece, and the UI's requests (thumbnails) waited behind it. The rescan's touch of its
 * unchanged rows goes in chunks the same way (main/library/sync.ts). Each chunk is one statement (the touch:
 * one transaction), so it commits whole or not at all. Why the result is the same as one statement's:
 * - Every write to a file row that can run between chunks (a watcher batch, ingest, a job's `markMissing`,
 *   the Trash's move, undo and restore, another scan of the same folder) sets `seen_at` to the time of the
 *   write, never earlier, and nothing lowers `seen_at`. So a row written after the scan started is never
 *   "unseen" for `markUnseenMissing` (seen_at < the scan's start): a file added, restored or found again
 *   between chunks keeps its state, in a chunk still to come as in one already passed. Concurrency can
 *   only spare a row from being marked, never mark one the walk saw. A row written between chunks in a
 *   chunk already passed is as if the write came after the statement; in one still to come, as if it came
 *   before: both orders were possible before (the watcher runs during the scan's walk and ingest).
 * - `dropMovedIn` checks "missing here, ok elsewhere" per row when its chunk runs, so a file found again
 *   meanwhile keeps its row, and a photo trashed meanwhile (no ok file left) keeps its missing rows.
 * - The touch only sets `seen_at`: a row marked missing (or changed) meanwhile keeps its status.
 * - A row inserted after its range of `stamps` was read is missing from the map: the file only goes through
 *   ingest (an upsert) instead of the fast path. Such a row was written after the scan started.
 * - A kill -9 between chunks: after part of the touch, some seen rows carry the new `seen_at`, the others the
 *   old one, and nothing was marked yet; after part of `markUnseenMissing`, some unseen rows are missing and
 *   the others still ok; after part of `dropMovedIn`, some moved rows are gone and the others still missing
 *   beside their photo's ok row. Each row's state is right on its own (a photo never loses its last row: a
 *   row is dropped only beside an ok one), and the next start's rescan runs every pass again with a new
 *   start time; each is idempotent. Nothing else waits on a pass being complete.
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
  /**
   * rel_path → stamp for every file of a folder (the rescan's fast path), read `chunk` rows at a time with
   * `pause()` awaited between chunks ([Note: Folder passes in chunks]).
   */
  stamps(folderId: number, pause: () => Promise<void>, chunk?: number): Promise<Map<string, FileStamp>>;
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
   * main/library/scanner.ts). In chunks of `chunk` rows, awaiting `pause()` between them ([Note: Folder passes in chunks]).
   */
  markUnseenMissing(
    folderId: number,
    since: number,
    keepUnder: readonly string[],
    pause: () => Promise<void>,
    chunk?: number,
  ): Promise<number>;
  markFolderMissing(folderId: number): number;
  /** Deletes a photo's missing file rows (the photo was found elsewhere: a move). */
  dropMissingOf(photoId: number): number;
  /**
   * Deletes a folder's missing file rows whose photo has an ok file anywhere (moves made while closed), in
   * chunks of `chunk` rows, awaiting `pause()` between them ([Note: Folder passes in chunks]).
   */
  dropMovedIn(folderId: number, pause: () => Promise<void>, chunk?: number): Promise<number>;
  forPhoto(photoId: number): (FileRow & { root: string })[];
  /** Deletes every missing file row (the user chose to forget them); returns how many. */
  dropAllMissing(): number;
  firstOkPath(photoId: number): { root: string; rel_path: string; folder_id: number } | null;
}

/** Builds the repository over an open, migrated database. */
export function createFilesRepo(db: Db): FilesRepo {
  const getStmt = db.prepare<[number, string], FileRow>('SELECT * FROM files WHERE folder_id = ? AND rel_path = ?');
  type Stamp = FileStamp & { rel_path: string };
  const stampsSql = 'SELECT id, rel_path, size, mtime_ms, status, photo_id FROM files WHERE folder_id = ?';
  const stampsFirstStmt = db.prepare<[number, number], Stamp>(`${stampsSql} ORDER BY rel_path LIMIT ?`);
  const stampsNextStmt = db.prepare<[number, string, number], Stamp>(`${stampsSql} AND rel_path > ? ORDER BY rel_path LIMIT ?`);
  // The first rel_path of the chunk after the one starting at `lo` (undefined: that chunk is the last).
  const chunkEndStmt = db
    .prepare<[number, string, number], string>(
      'SELECT rel_path FROM files WHERE folder_id = ? AND rel_path >= ? ORDER BY rel_path LIMIT 1 OFFSET ?',
    )
    .pluck();
  /**
   * Runs a statement over a folder's rows `chunk` rows at a time ([Note: Folder passes in chunks]): `sql`
   * gets the range condition to add, over `rel_path` between `@lo` (included) and `@hi` (excluded).
   */
  const chunked = (sql: (range: string) => string) => {
    const bounded = db.prepare(sql('files.rel_path >= @lo AND files.rel_path < @hi'));
    const last = db.prepare(sql('files.rel_path >= @lo'));
    return async (params: { folderId: number } & Record<string, unknown>, pause: () => Promise<void>, chunk: number) => {
      let changes = 0;
      for (let lo = ''; ;) {
        const hi = chunkEndStmt.get(params.folderId, lo, chunk);
        if (hi === undefined) return changes + last.run({ ...params, lo }).changes;
        changes += bounded.run({ ...params, lo, hi }).changes;
        lo = hi;
        await pause();
      }
    };
  };
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
  const unseenChunked = chunked(
    (range) => `UPDATE files SET status = 'missing' WHERE folder_id = @folderId AND ${range} AND seen_at < @since AND status <> 'missing'
       AND NOT EXISTS (SELECT 1 FROM json_each(@keepUnder) k
                       WHERE files.rel_path = k.value OR substr(files.rel_path, 1, length(k.value) + 1) = k.value || '/')`,
  );
  const folderMissingStmt = db.prepare<[number]>("UPDATE files SET status = 'missing' WHERE folder_id = ? AND status <> 'missing'");
  const dropMissingStmt = db.prepare<[number]>("DELETE FROM files WHERE photo_id = ? AND status = 'missing'");
  const dropMovedChunked = chunked(
    (range) => `DELETE FROM files WHERE folder_id = @folderId AND ${range} AND status = 'missing' AND photo_id IS NOT NULL
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
    async stamps(folderId, pause, chunk = 10_000) {
      const map = new Map<string, FileStamp>();
      for (let rows = stampsFirstStmt.all(folderId, chunk); ;) {
        for (const r of rows) map.set(r.rel_path, r);
        if (rows.length < chunk) return map;
        await pause();
        rows = stampsNextStmt.all(folderId, rows[rows.length - 1]!.rel_path, chunk);
      }
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
    markUnseenMissing: (folderId, since, keepUnder, pause, chunk = 10_000) =>
      unseenChunked({ folderId, since, keepUnder: JSON.stringify(keepUnder) }, pause, chunk),
    markFolderMissing: (folderId) => folderMissingStmt.run(folderId).changes,
    dropMissingOf: (photoId) => dropMissingStmt.run(photoId).changes,
    dropMovedIn: (folderId, pause, chunk = 10_000) => dropMovedChunked({ folderId }, pause, chunk),
    forPhoto: (photoId) => forPhotoStmt.all(photoId),
    dropAllMissing: () => dropAllMissingStmt.run().changes,
    firstOkPath: (photoId) => firstOkStmt.get(photoId) ?? null,
  };
}
