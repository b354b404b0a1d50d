/**
 * @file The folder browser's requests ([Note: Folder browser] in preload/contract/folders.ts), spread
 * into the handler map by main/api/handlers.ts. Thin: the file-system work is main/library/folder-browser.ts.
 */
import { homedir } from 'node:os';
import type { FoldersResults } from '../../preload/contract/folders';
import type { Handlers } from '../../preload/contract';
import { browseFolder, listDrives, recentPlaces } from '../library/folder-browser';
import type { LibraryService } from '../library/types';

type FolderHandlers = Pick<Handlers, keyof FoldersResults>;

/** Handlers of `folders:browse` and `folders:places`. */
export function createFolderHandlers({ library }: { library: Pick<LibraryService, 'listFolders'> }): FolderHandlers {
  return {
    'folders:browse': ({ path, showHidden }) => browseFolder(path, { showHidden }),
    'folders:places': async () => ({
      home: homedir(),
      drives: await listDrives(),
      recent: await recentPlaces(library.listFolders()),
    }),
  };
}
