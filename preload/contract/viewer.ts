/**
 * @file The viewer domain of the one API: what the photo viewer asks of the operating system.
 * preload/contract.ts merges these maps into the request and result maps; the same rules apply (JSON
 * only, validated by these schemas in main).
 *
 * [Note: Show in folder or Copy path] Revealing a file in the system's file manager is something only the
 * Electron app can do (`shell.showItemInFolder`, injected into the services as `showItemInFolder` by
 * main/index.ts). The headless host serves a browser that may sit on another computer, so there it is
 * refused with 'unavailable' and the viewer offers "Copy path" instead (it already has the path from
 * `photos:get`); `AppInfo.shell` tells the renderer which of the two to show.
 */
import { z } from 'zod';

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Argument schemas of the viewer requests. */
export const viewerRequestSchemas = {
  /** Opens the system's file manager on the photo's file (its first one that is on disk). Electron only. */
  'photos:showInFolder': z.object({ id: Id }).strict(),
} as const;

/** Results of the viewer requests. */
export interface ViewerResults {
  /** The file that was shown. */
  'photos:showInFolder': { path: string };
}
