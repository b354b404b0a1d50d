/**
 * @file The viewer requests (preload/contract/viewer.ts): "Show in folder" for the photo on screen.
 * Runs in main, under Electron or the headless host; what only Electron can do arrives as an injected
 * function ([Note: Show in folder or Copy path] in preload/contract/viewer.ts).
 */
import { stat } from 'node:fs/promises';
import { ApiError } from '../../preload/api-error';
import type { Handlers } from '../../preload/contract';
import type { viewerRequestSchemas } from '../../preload/contract/viewer';
import type { LibraryService } from '../library/types';

type ViewerHandlers = Pick<Handlers, keyof typeof viewerRequestSchemas>;

export interface ViewerHandlerDeps {
  library: Pick<LibraryService, 'getPhoto'>;
  /** Reveals a file in the system's file manager; absent where there is none to open (the headless host). */
  showItemInFolder?: ((absPath: string) => void) | undefined;
}

export function createViewerHandlers({ library, showItemInFolder }: ViewerHandlerDeps): ViewerHandlers {
  return {
    'photos:showInFolder': async ({ id }) => {
      if (!showItemInFolder) {
        throw new ApiError('unavailable', 'Show in folder works in the Shoebox app only. In the browser, use Copy path.');
      }
      const photo = library.getPhoto(id);
      if (!photo) throw new ApiError('not-found', `No photo with id ${id}`);
      // The library's file status may lag a move by a moment: ask the disk, so the user is told rather
      // than shown a folder without the file.
      for (const file of photo.files) {
        if (file.status !== 'ok') continue;
        const isFile = await stat(file.absPath).then(
          (s) => s.isFile(),
          () => false,
        );
        if (!isFile) continue;
        showItemInFolder(file.absPath);
        return { path: file.absPath };
      }
      throw new ApiError('not-found', `The file of ${photo.name} is not where the library last saw it (moved or deleted?).`);
    },
  };
}
