/**
 * @file The trash: the one path in Shoebox that removes a user's file, and only when the user asks.
 * `plan` (what the confirmation names), `move` (files to the OS trash), `undo` and `restore` (files
 * back where they were), `recover` (settles a move a crash interrupted).
 *
 * Runs in main (and the headless host and tests). Plain Node: the move itself is an injected
 * `trashItem` (Electron's `shell.trashItem` in main/index.ts, the `trash` package elsewhere:
 * ./trash-host.ts); finding and putting back is ./trash-locate.ts.
 *
 * [Note: Trash state] Before a file moves, its row in `trash_items` is written ('moving') and its photo
 * is marked removed (`photo_marks.removed_at`, by content), in one transaction; after the move the row
 * says 'trashed' (or 'failed' with the reason) and the file row is marked missing at once. A photo is
 * shown as removed while it is marked so and no file of it is ok ([Note: Views as id sets] in
 * main/db/collections-views.repo.ts), so:
 * - the watcher seeing the file go is an ordinary 'missing' file of a photo the views already leave
 *   out; its favourite, stars and albums are kept (they are by content, 0011), nothing is forgotten;
 * - a file put back (by undo, or by hand from the OS trash) makes the photo ok again, and it comes back
 *   with all of that; undo also clears the mark;
 * - a crash between the row and the move leaves 'moving': `recover` (at start) looks whether the file
 *   is still there ('failed', the photo stays) or not ('trashed'), and clears the removed mark of any
 *   content none of whose files reached the trash. It also clears the mark of contents that have an
 *   ok file again (put back by hand), so a later ordinary deletion is not shown in the Trash view.
 * - a file that changed since it was indexed is not moved (the user did not see that version).
 * - moves and restores run one at a time, so two never pick the same file.
 * Never a permanent delete: there is no code path here that unlinks a user's file. A folder Shoebox
 * cannot write to is refused before anything moves (its files could not be moved back either).
 */
import { randomUUID } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { access, lstat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ApiError } from '../../preload/api-error';
import type { CollectionProblem, PhotoSelection, TrashMoveResult, TrashPlan, TrashRestoreResult } from '../../preload/contract';
import { PROBLEMS_LISTED } from '../../preload/contract/collections';
import { createCollectionsRepo } from '../db/collections.repo';
import { createTrashRepo, type TrashCandidate, type TrashItemRow } from '../db/collections-trash.repo';
import type { SelectedPhoto } from '../db/collections-views.repo';
import type { Db } from '../db/open';
import { errText } from '../errors';
import type { Log } from '../log';
import type { TrashItem } from './trash-host';
import { putBack, PutBackError, type TrashLocator } from './trash-locate';

export interface TrashDeps {
  db: Db;
  log: Log;
  /** Moves one file to the OS trash. */
  trashItem: TrashItem;
  locator: TrashLocator;
  /** The photos a selection names (the collections service's resolver). */
  resolve: (selection: PhotoSelection) => SelectedPhoto[];
  /** Photos left or came back: clear cached counts, tell the grid and the sidebar. */
  onChanged: (photos: number) => void;
  /** A file came back whose row could not simply be re-pointed (the row or photo was forgotten): index it again. */
  reindex: (folderId: number) => void;
  now?: () => number;
}

export interface Trash {
  plan(selection: PhotoSelection): Promise<TrashPlan>;
  move(selection: PhotoSelection): Promise<TrashMoveResult>;
  undo(token: string): Promise<TrashRestoreResult>;
  restore(selection: PhotoSelection): Promise<TrashRestoreResult>;
  /** Settles moves a crash interrupted; call once at start. */
  recover(): Promise<void>;
}

/** Why a folder cannot give up files, or null when it can. */
async function readOnlyReason(dir: string): Promise<string | null> {
  try {
    await access(dir, fsc.W_OK | fsc.X_OK);
    return null;
  } catch {
    return `the folder ${dir} is read-only for Shoebox, so its files cannot be moved to the trash`;
  }
}

const exists = async (path: string) => (await lstat(path).catch(() => null)) !== null;

/** Problems as the result lists them: the first PROBLEMS_LISTED, and the count of all. */
const listed = (all: CollectionProblem[]) => ({ list: all.slice(0, PROBLEMS_LISTED), count: all.length });

interface Planned {
  /** Photos to move, each with all of its ok files. */
  movable: { photo: SelectedPhoto; files: TrashCandidate[] }[];
  refused: CollectionProblem[];
}

/** Builds the trash service. */
export function createTrash(deps: TrashDeps): Trash {
  const { db, log, locator } = deps;
  const now = deps.now ?? Date.now;
  const repo = createTrashRepo(db);
  const marks = createCollectionsRepo(db);
  const photoIdStmt = db.prepare<[string], number>('SELECT id FROM photos WHERE hash = ?').pluck();
  const photoIdOf = (hash: string) => photoIdStmt.get(hash) ?? null;

  async function planned(selection: PhotoSelection): Promise<Planned> {
    const photos = deps.resolve(selection);
    const files = new Map<number, TrashCandidate[]>();
    for (let i = 0; i < photos.length; i += 10_000) {
      for (const f of repo.okFiles(photos.slice(i, i + 10_000).map((p) => p.id))) {
        const list = files.get(f.photo_id);
        if (list) list.push(f);
        else files.set(f.photo_id, [f]);
      }
    }
    const dirs = new Map<string, Promise<string | null>>();
    const dirReason = (dir: string) => {
      let r = dirs.get(dir);
      if (!r) dirs.set(dir, (r = readOnlyReason(dir)));
      return r;
    };
    const out: Planned = { movable: [], refused: [] };
    for (const photo of photos) {
      const own = files.get(photo.id) ?? [];
      if (own.length === 0) {
        out.refused.push({ photoId: photo.id, path: null, reason: 'no file of this photo is on disk: there is nothing to move' });
        continue;
      }
      let refusal: CollectionProblem | null = null;
      for (const f of own) {
        const path = join(f.root, f.rel_path);
        const reason = await dirReason(dirname(path));
        if (reason) {
          refusal = { photoId: photo.id, path, reason };
          break;
        }
      }
      if (refusal) out.refused.push(refusal);
      else out.movable.push({ photo, files: own });
    }
    return out;
  }

  /** Puts one trashed file back; a problem when it cannot. */
  async function putItemBack(item: TrashItemRow): Promise<CollectionProblem | null> {
    const problem = (reason: string): CollectionProblem => ({ photoId: photoIdOf(item.photo_hash) ?? 0, path: item.path, reason });
    if (!locator.supported) return problem(locator.note ?? 'undo is not available on this system');
    try {
      const found = await locator.find(item.path, item.photo_hash, item.size);
      if (!found) {
        return problem(
          (await exists(item.path))
            ? `a different file is now at ${item.path}`
            : 'the file is no longer in the trash (the trash was emptied, or it was restored elsewhere)',
        );
      }
      await putBack(found, item.path, item.mtime_ms);
    } catch (err) {
      return problem(err instanceof PutBackError ? err.message : `could not put the file back: ${errText(err)}`);
    }
    const t = now();
    db.transaction(() => {
      repo.settle(item.id, 'restored', null, t);
      marks.setMark(item.photo_hash, 'removed_at', null, t);
    })();
    const relinked =
      item.folder_id !== null && repo.relinkFile(item.folder_id, item.rel_path, item.photo_hash, item.size, item.mtime_ms, t);
    if (!relinked && item.folder_id !== null) deps.reindex(item.folder_id);
    return null;
  }

  async function putBackAll(items: readonly TrashItemRow[]): Promise<TrashRestoreResult> {
    const problems: CollectionProblem[] = [];
    const restored = new Set<string>();
    for (const item of items) {
      const p = await putItemBack(item);
      if (p) problems.push(p);
      else restored.add(item.photo_hash);
    }
    if (restored.size) deps.onChanged(restored.size);
    const { list, count } = listed(problems);
    return { restored: restored.size, missing: list, missingCount: count };
  }

  // One move or restore at a time: two at once could both pick the same file.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    async plan(selection) {
      const p = await planned(selection);
      const folders = new Map<number, { folderId: number; path: string; files: number }>();
      let fileCount = 0;
      for (const m of p.movable) {
        for (const f of m.files) {
          fileCount++;
          const entry = folders.get(f.folder_id);
          if (entry) entry.files++;
          else folders.set(f.folder_id, { folderId: f.folder_id, path: f.root, files: 1 });
        }
      }
      const { list, count } = listed(p.refused);
      return {
        photos: p.movable.length,
        files: fileCount,
        folders: [...folders.values()],
        refused: list,
        refusedCount: count,
        undoAvailable: locator.supported,
        undoNote: locator.note,
      };
    },

    move: (selection) => serial(() => moveNow(selection)),
    undo: (token) => serial(() => undoNow(token)),
    restore: (selection) => serial(() => putBackAll(deps.resolve(selection).flatMap((p) => repo.trashedOf(p.hash)))),
    recover: () => serial(recoverNow),
  };

  async function moveNow(selection: PhotoSelection): Promise<TrashMoveResult> {
    const p = await planned(selection);
    const failed = [...p.refused];
    if (p.movable.length === 0) {
      const { list, count } = listed(failed);
      return { moved: 0, files: 0, failed: list, failedCount: count, undoToken: null };
    }
    const token = randomUUID();
    // [Note: Trash state]: the rows and the removed mark first, so a crash mid-move is settled at start.
    const items = db.transaction(() => {
      const t = now();
      const moveId = repo.createMove(token, t);
      return p.movable.map(({ photo, files }) => {
        marks.setMark(photo.hash, 'removed_at', t, t);
        return {
          photo,
          files: files.map((f) => ({
            f,
            itemId: repo.addItem(
              {
                move_id: moveId,
                photo_hash: photo.hash,
                folder_id: f.folder_id,
                rel_path: f.rel_path,
                path: join(f.root, f.rel_path),
                size: f.size,
                mtime_ms: f.mtime_ms,
              },
              t,
            ),
          })),
        };
      });
    })();
    let moved = 0;
    let movedFiles = 0;
    for (const { photo, files } of items) {
      let any = false;
      for (const { f, itemId } of files) {
        const path = join(f.root, f.rel_path);
        let error: string | null = null;
        try {
          // Only the file the user saw: one rewritten since it was indexed is left for a rescan to look at.
          const current = await lstat(path).catch(() => null);
          if (!current) throw new Error('the file is not there any more');
          if (current.size !== f.size || Math.trunc(current.mtimeMs) !== f.mtime_ms) {
            throw new Error('the file changed since Shoebox last read it; it was left where it is');
          }
          await deps.trashItem(path);
          // `trash` ignores a path that is not there; Electron may report success late: look.
          if (await exists(path)) error = 'the file is still there after moving it to the trash';
        } catch (err) {
          error = `could not move it to the trash: ${errText(err)}`;
        }
        const t = now();
        db.transaction(() => {
          repo.settle(itemId, error ? 'failed' : 'trashed', error, t);
          if (!error) repo.markFileMissing(f.folder_id, f.rel_path, t);
        })();
        if (error) {
          log.warn('could not move a file to the trash', { path, error });
          failed.push({ photoId: photo.id, path, reason: error });
        } else {
          any = true;
          movedFiles++;
        }
      }
      if (any) moved++;
      else db.transaction(() => marks.setMark(photo.hash, 'removed_at', null, now()))();
    }
    if (moved) deps.onChanged(moved);
    const { list, count } = listed(failed);
    return { moved, files: movedFiles, failed: list, failedCount: count, undoToken: movedFiles ? token : null };
  }

  async function undoNow(token: string): Promise<TrashRestoreResult> {
    const items = repo.trashedOfMove(token);
    if (items === null) throw new ApiError('not-found', 'Nothing to undo: this trash action is unknown');
    return putBackAll(items);
  }

  async function recoverNow(): Promise<void> {
    const stuck = repo.interrupted();
    if (stuck.length === 0) {
      repo.clearStaleRemoved();
      return;
    }
    const hashes = new Set<string>();
    for (const item of stuck) {
      const there = await exists(item.path);
      const t = now();
      db.transaction(() => {
        repo.settle(item.id, there ? 'failed' : 'trashed', there ? 'interrupted before the file was moved' : null, t);
        if (!there && item.folder_id !== null) repo.markFileMissing(item.folder_id, item.rel_path, t);
      })();
      hashes.add(item.photo_hash);
    }
    db.transaction(() => {
      for (const h of hashes) if (!repo.anyTrashed(h)) marks.setMark(h, 'removed_at', null, now());
    })();
    repo.clearStaleRemoved();
    log.info('settled an interrupted move to the trash', { files: stuck.length });
    deps.onChanged(hashes.size);
  }
}
