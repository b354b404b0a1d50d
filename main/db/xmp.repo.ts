/**
 * @file SQL for choosing where XMP sidecars go: the files of some photos, or the photos' files below a
 * path of a library folder. What is written into them comes from main/db/understanding.repo.ts.
 *
 * Runs in main (and the CLI, host and tests). Policy — which files get a sidecar, what is skipped — is
 * in main/xmp/xmp.service.ts.
 */
import type { Db } from './open';
import type { FileStatus } from './files.repo';

/** One file of a photo (or, for a photo without files, the photo alone: the file fields are null). */
export interface SidecarTargetRow {
  photo_id: number;
  kind: 'image' | 'raw' | 'video';
  folder_id: number | null;
  root: string | null;
  rel_path: string | null;
  status: FileStatus | null;
}

export interface XmpRepo {
  /** Every file of these photos (any status), in the given order then by file id; unknown ids are absent. */
  filesOfPhotos(photoIds: readonly number[]): SidecarTargetRow[];
  /** The ok files of a folder at `under` (a file) or below it (a sub-folder; '' = the whole folder), by path. */
  filesUnder(folderId: number, under: string): SidecarTargetRow[];
}

const COLUMNS = 'p.id AS photo_id, p.kind, f.folder_id, fo.path AS root, f.rel_path, f.status';

/** Builds the repository over an open, migrated database. */
export function createXmpRepo(db: Db): XmpRepo {
  const ofPhotos = db.prepare<[string], SidecarTargetRow>(
    `SELECT ${COLUMNS} FROM json_each(?) j JOIN photos p ON p.id = j.value
       LEFT JOIN files f ON f.photo_id = p.id LEFT JOIN folders fo ON fo.id = f.folder_id
     ORDER BY j.key, f.id`,
  );
  const under = db.prepare<{ folderId: number; under: string }, SidecarTargetRow>(
    `SELECT ${COLUMNS} FROM files f JOIN photos p ON p.id = f.photo_id JOIN folders fo ON fo.id = f.folder_id
     WHERE f.folder_id = @folderId AND f.status = 'ok'
       AND (@under = '' OR f.rel_path = @under OR substr(f.rel_path, 1, length(@under) + 1) = @under || '/')
     ORDER BY f.rel_path`,
  );
  return {
    filesOfPhotos: (ids) => ofPhotos.all(JSON.stringify(ids)),
    filesUnder: (folderId, u) => under.all({ folderId, under: u }),
  };
}
