/**
 * @file SQL for the trash: the files of the photos about to be moved, each move and its files with
 * their original paths ([Note: Trash state] in main/library/trash.ts), and the file rows the move and
 * its undo change.
 *
 * Runs in main (and the CLI, headless host and tests).
 */
import type { Db } from './open';

/** An ok file of a selected photo, with its folder. */
export interface TrashCandidate {
  photo_id: number;
  photo_hash: string;
  file_id: number;
  folder_id: number;
  root: string;
  rel_path: string;
  size: number;
  mtime_ms: number;
}

export type TrashItemState = 'moving' | 'trashed' | 'restored' | 'failed';

export interface TrashItemRow {
  id: number;
  move_id: number;
  photo_hash: string;
  folder_id: number | null;
  rel_path: string;
  path: string;
  size: number;
  mtime_ms: number;
  state: TrashItemState;
  error: string | null;
  /** When the move happened (ms). */
  moved_at: number;
}

export interface TrashRepo {
  /** The ok files of these photos, by photo, then file id. */
  okFiles(photoIds: readonly number[]): TrashCandidate[];
  createMove(token: string, now: number): number;
  addItem(item: Omit<TrashItemRow, 'id' | 'state' | 'error' | 'moved_at'>, now: number): number;
  settle(itemId: number, state: TrashItemState, error: string | null, now: number): void;
  /** The files of one move still in the trash (state 'trashed'), or null for an unknown token. */
  trashedOfMove(token: string): TrashItemRow[] | null;
  /** The files of this content still in the trash, newest move first. */
  trashedOf(hash: string): TrashItemRow[];
  /** Items whose move was interrupted (a crash between writing the row and settling it). */
  interrupted(): TrashItemRow[];
  /** Whether any file of this content is still in the trash (by Shoebox's records). */
  anyTrashed(hash: string): boolean;
  /**
   * Clears the removed mark of contents that have an ok file again (put back by hand from the OS trash,
   * or a copy added), so that a later ordinary deletion is not shown as Shoebox's; returns how many.
   */
  clearStaleRemoved(): number;
  /** Marks a file row missing at once (the watcher would, a moment later). */
  markFileMissing(folderId: number, relPath: string, now: number): void;
  /** Points a file row back at its content, ok again (the file is back where it was); false when there is no row or photo. */
  relinkFile(folderId: number, relPath: string, hash: string, size: number, mtimeMs: number, now: number): boolean;
}

/** Builds the repository over an open, migrated database. */
export function createTrashRepo(db: Db): TrashRepo {
  const okFilesStmt = db.prepare<[string], TrashCandidate>(
    `SELECT p.id AS photo_id, p.hash AS photo_hash, f.id AS file_id, f.folder_id, fo.path AS root, f.rel_path, f.size, f.mtime_ms
       FROM photos p JOIN files f ON f.photo_id = p.id AND f.status = 'ok' JOIN folders fo ON fo.id = f.folder_id
      WHERE p.id IN (SELECT value FROM json_each(?))
      ORDER BY p.id, f.id`,
  );
  const createMoveStmt = db.prepare<[string, number]>('INSERT INTO trash_moves (token, moved_at) VALUES (?, ?)');
  const addItemStmt = db.prepare(
    `INSERT INTO trash_items (move_id, photo_hash, folder_id, rel_path, path, size, mtime_ms, updated_at)
     VALUES (@move_id, @photo_hash, @folder_id, @rel_path, @path, @size, @mtime_ms, @now)`,
  );
  const settleStmt = db.prepare<[TrashItemState, string | null, number, number]>(
    'UPDATE trash_items SET state = ?, error = ?, updated_at = ? WHERE id = ?',
  );
  const cols = 'i.id, i.move_id, i.photo_hash, i.folder_id, i.rel_path, i.path, i.size, i.mtime_ms, i.state, i.error, m.moved_at';
  const moveStmt = db.prepare<[string], { id: number }>('SELECT id FROM trash_moves WHERE token = ?');
  const itemsOfMoveStmt = db.prepare<[number], TrashItemRow>(
    `SELECT ${cols} FROM trash_items i JOIN trash_moves m ON m.id = i.move_id WHERE i.move_id = ? AND i.state = 'trashed' ORDER BY i.id`,
  );
  const trashedOfStmt = db.prepare<[string], TrashItemRow>(
    `SELECT ${cols} FROM trash_items i JOIN trash_moves m ON m.id = i.move_id
      WHERE i.photo_hash = ? AND i.state = 'trashed' ORDER BY m.moved_at DESC, i.id DESC`,
  );
  const interruptedStmt = db.prepare<[], TrashItemRow>(
    `SELECT ${cols} FROM trash_items i JOIN trash_moves m ON m.id = i.move_id WHERE i.state = 'moving' ORDER BY i.id`,
  );
  const anyTrashedStmt = db.prepare<[string], number>("SELECT 1 FROM trash_items WHERE photo_hash = ? AND state = 'trashed' LIMIT 1");
  const clearStaleStmt = db.prepare(
    `UPDATE photo_marks SET removed_at = NULL
      WHERE removed_at IS NOT NULL
        AND EXISTS (SELECT 1 FROM photos p JOIN files f ON f.photo_id = p.id AND f.status = 'ok' WHERE p.hash = photo_marks.photo_hash)`,
  );
  const pruneStmt = db.prepare(
    'DELETE FROM photo_marks WHERE favourite = 0 AND rating IS NULL AND hidden = 0 AND rotation = 0 AND removed_at IS NULL',
  );
  const missingStmt = db.prepare<[number, number, string]>(
    "UPDATE files SET status = 'missing', seen_at = ? WHERE folder_id = ? AND rel_path = ? AND status <> 'missing'",
  );
  const relinkStmt = db.prepare(
    `UPDATE files SET status = 'ok', error = NULL, size = @size, mtime_ms = @mtimeMs, seen_at = @now,
            photo_id = (SELECT id FROM photos WHERE hash = @hash)
      WHERE folder_id = @folderId AND rel_path = @relPath AND EXISTS (SELECT 1 FROM photos WHERE hash = @hash)`,
  );

  return {
    okFiles: (photoIds) => okFilesStmt.all(JSON.stringify(photoIds)),
    createMove: (token, now) => Number(createMoveStmt.run(token, now).lastInsertRowid),
    addItem: (item, now) => Number(addItemStmt.run({ ...item, now }).lastInsertRowid),
    settle: (itemId, state, error, now) => void settleStmt.run(state, error, now, itemId),
    trashedOfMove(token) {
      const move = moveStmt.get(token);
      return move ? itemsOfMoveStmt.all(move.id) : null;
    },
    trashedOf: (hash) => trashedOfStmt.all(hash),
    interrupted: () => interruptedStmt.all(),
    anyTrashed: (hash) => anyTrashedStmt.pluck().get(hash) !== undefined,
    clearStaleRemoved() {
      const n = clearStaleStmt.run().changes;
      if (n) pruneStmt.run();
      return n;
    },
    markFileMissing: (folderId, relPath, now) => void missingStmt.run(now, folderId, relPath),
    relinkFile: (folderId, relPath, hash, size, mtimeMs, now) =>
      relinkStmt.run({ folderId, relPath, hash, size, mtimeMs, now }).changes > 0,
  };
}
