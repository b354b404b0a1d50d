/**
 * @file Which photo a user means on the command line: a photo id, or the path of a file in the
 * library (any spelling of it: relative, through a symlink). Used by `shoebox ask`.
 *
 * Runs in main (the CLI). Reads the library's folders and files; never touches the file itself.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ApiError } from '../../preload/api-error';
import { createFilesRepo } from '../db/files.repo';
import { createFoldersRepo } from '../db/folders.repo';
import type { Db } from '../db/open';

/** The photo id of `ref`: digits name a photo id unless a file of that name exists; anything else is a path. */
export async function resolvePhotoRef(db: Db, ref: string): Promise<number> {
  const wanted = resolve(ref);
  const real = await realpath(wanted).catch(() => null);
  if (real === null) {
    if (/^\d+$/.test(ref)) return Number(ref);
    throw new ApiError('not-found', `No file at ${wanted}`);
  }
  // Folders are stored by their real path; the innermost folder that holds the file is its folder.
  const inside = createFoldersRepo(db)
    .list()
    .map((f) => ({ f, rel: relative(f.path, real) }))
    .filter(({ rel }) => rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
    .sort((a, b) => a.rel.length - b.rel.length)[0];
  if (!inside) throw new ApiError('not-found', `${wanted} is not in the library: add its folder first (shoebox add-folder)`);
  const file = createFilesRepo(db).get(inside.f.id, inside.rel.split(sep).join('/'));
  if (file === null || file.photo_id === null) {
    throw new ApiError('not-found', `${wanted} is not a photo of the library (not indexed yet, or not a photo)`);
  }
  return file.photo_id;
}
