/**
 * @file SQL for the `folders` table: the library's folder roots and their watch status.
 *
 * Runs in main (and the CLI, headless host and tests). Policy (what overlaps, when a folder is missing)
 * lives in main/library/library.ts.
 */
import type { Db } from './open';

export type FolderStatus = 'ok' | 'polling' | 'missing';

export interface FolderRow {
  id: number;
  path: string;
  added_at: number;
  status: FolderStatus;
  warning: string | null;
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
}

/** Builds the repository over an open, migrated database. */
export function createFoldersRepo(db: Db): FoldersRepo {
  const select = `SELECT f.id, f.path, f.added_at, f.status, f.warning,
      (SELECT count(DISTINCT photo_id) FROM files WHERE folder_id = f.id AND photo_id IS NOT NULL) AS photo_count
    FROM folders f`;
  const countStmt = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM folders');
  const listStmt = db.prepare<[], FolderRow>(`${select} ORDER BY f.path`);
  const getStmt = db.prepare<[number], FolderRow>(`${select} WHERE f.id = ?`);
  const insertStmt = db.prepare<[string, number]>('INSERT INTO folders (path, added_at) VALUES (?, ?)');
  const removeStmt = db.prepare<[number]>('DELETE FROM folders WHERE id = ?');
  const statusStmt = db.prepare<[string, string | null, number]>('UPDATE folders SET status = ?, warning = ? WHERE id = ?');
  return {
    list: () => listStmt.all(),
    count: () => countStmt.get()?.n ?? 0,
    get: (id) => getStmt.get(id) ?? null,
    insert: (path, now) => Number(insertStmt.run(path, now).lastInsertRowid),
    remove: (id) => removeStmt.run(id).changes > 0,
    setStatus: (id, status, warning) => void statusStmt.run(status, warning, id),
  };
}
