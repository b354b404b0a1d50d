/**
 * @file A migrated library database in a fresh temporary folder for each test of the calling file (a
 * real SQLite file, not `:memory:`), with the repositories tests fill it through; removed after each test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createFilesRepo, type FilesRepo } from '../../../main/db/files.repo';
import { createFoldersRepo, type FoldersRepo } from '../../../main/db/folders.repo';
import { openDatabase, type Db } from '../../../main/db/open';
import { createPhotosRepo, type PhotosRepo } from '../../../main/db/photos.repo';

export interface TempDb {
  dir: string;
  db: Db;
  photos: PhotosRepo;
  files: FilesRepo;
  folders: FoldersRepo;
}

/** Registers the hooks; call the returned function inside a test for the current test's database. */
export function useTempDb(prefix: string): () => TempDb {
  let current: TempDb | null = null;
  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const db = openDatabase(join(dir, 'library.db'));
    current = { dir, db, photos: createPhotosRepo(db), files: createFilesRepo(db), folders: createFoldersRepo(db) };
  });
  afterEach(() => {
    current?.db.close();
    if (current) rmSync(current.dir, { recursive: true, force: true });
    current = null;
  });
  return () => {
    if (!current) throw new Error('useTempDb: no database outside a test');
    return current;
  };
}
