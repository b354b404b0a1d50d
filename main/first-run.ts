/**
 * @file First run: a fresh install opens the bundled sample library, so the first window is never
 * empty. Offered once per library: a user who removes the sample folder does not get it back.
 */
import { existsSync } from 'node:fs';
import type { FolderDto } from '../preload/contract';
import { createSettingsRepo } from './db/settings.repo';
import type { Db } from './db/open';
import type { LibraryService } from './library/types';

const OFFERED = 'defaultLibraryOffered';

/** Adds `folder` when this library never had one offered and has no folders; returns it if added. */
export async function offerDefaultLibrary(db: Db, library: LibraryService, folder: string): Promise<FolderDto | null> {
  const settings = createSettingsRepo(db);
  if (settings.get(OFFERED) !== null || library.listFolders().length > 0 || !existsSync(folder)) return null;
  settings.set(OFFERED, new Date().toISOString());
  return library.addFolder(folder);
}
