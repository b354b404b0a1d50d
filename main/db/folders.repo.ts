/**
 * @file SQL for the `folders` table: the library's folder roots and their watch status.
 *
 * Runs in main (and the CLI, headless host and tests). Policy (what overlaps, when a folder is missing)
 * lives in main/library/library.ts.
 */
import { AWAY_IDS } from './collections-views.repo';
import type { Db } from './open';

export type FolderStatus = 'ok' | 'polling' | 'missing';

export interface FolderRow {
  id: number;
  path: string;
  added_at: number;
  status: FolderStatus;
  warning: string | null;
  /** JSON array of the last full scan's warnings, or null (migrations/0002-scan-warnings.ts). */
  scan_warnings: string | null;
  /** Photos of the folder its grid shows: hidden ones and those in the Trash are not counted. */
  photo_count: number;
}

/** Reads and writes folder roots. */
export interface FoldersRepo {
  list(): FolderRow[];
  count(): number;
  get(id: number): FolderRow | null;
  insert(path: string, now: number): number;
  remove(id: number): boolean;
  setStatus(id: number, status: FolderStatus, warning: string | null): void;
  /** Stores the last full scan's warnings; returns whether they differ from the stored ones. */
  setScanWarnings(id: number, warnings: readonly string[]): boolean;
}

/** Builds the repository over an open, migrated database. */
export function createFoldersRepo(db: Db): FoldersRepo {
  // The folder's photos less its away ones, as the grid counts a folder (collections-views.repo.ts
  // `count`): the away set is a few marked photos, each one probe of files_photo, where checking every
  // file of the folder against it would cost the count half as much again at 100k.
  const select = `SELECT f.id, f.path, f.added_at, f.status, f.warning, f.scan_warnings,
      (SELECT count(DISTINCT photo_id) FROM files WHERE folder_id = f.id AND photo_id IS NOT NULL)
      - (SELECT count(*) FROM photos p
          WHERE p.id IN (${AWAY_IDS}) AND EXISTS (SELECT 1 FROM files x WHERE x.photo_id = p.id AND x.folder_id = f.id)) AS photo_count
    FROM folders f`;
  const countStmt = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM folders');
  const listStmt = db.prepare<[], FolderRow>(`${select} ORDER BY f.path`);
  const getStmt = db.prepare<[number], FolderRow>(`${select} WHERE f.id = ?`);
  const insertStmt = db.prepare<[string, number]>('INSERT INTO folders (path, added_at) VALUES (?, ?)');
  const removeStmt = db.prepare<[number]>('DELETE FROM folders WHERE id = ?');
  const statusStmt = db.prepare<[string, string | null, number]>('UPDATE folders SET status = ?, warning = ? WHERE id = ?');
  const scanWarningsStmt = db.prepare<[string | null, number, string | null]>(
    'UPDATE folders SET scan_warnings = ? WHERE id = ? AND scan_warnings IS NOT ?',
  );
  return {
    list: () => listStmt.all(),
    count: () => countStmt.get()?.n ?? 0,
    get: (id) => getStmt.get(id) ?? null,
    insert: (path, now) => Number(insertStmt.run(path, now).lastInsertRowid),
    remove: (id) => removeStmt.run(id).changes > 0,
    setStatus: (id, status, warning) => void statusStmt.run(status, warning, id),
    setScanWarnings(id, warnings) {
      const json = warnings.length ? JSON.stringify(warnings) : null;
      return scanWarningsStmt.run(json, id, json).changes > 0;
    },
  };
}
