/**
 * @file The folder browser's part of the one API: listing the sub-folders of a folder on the machine
 * that runs Shoebox, and the places a browse starts from (home, drives and mount points, the folders
 * recently added to the library). preload/contract.ts merges these maps into the request and result
 * maps; the same rules apply (JSON only, validated by these schemas in main).
 *
 * [Note: Folder browser] In a browser the page cannot open the machine's own folder picker, and a bare
 * path field made people guess paths (and a relative one used to resolve against wherever the program
 * was started). The headless host therefore serves a folder browser: the renderer shows it where
 * `client.pickFolder` is absent; Electron keeps its native dialog. Paths given to main are absolute or
 * start with `~` (home); a relative path is refused with a message saying so
 * (main/library/user-path.ts), never resolved against the program's folder.
 */
import { z } from 'zod';

/** Argument schemas of the folder browser's requests. */
export const foldersRequestSchemas = {
  /** The sub-folders of `path` (home when omitted); `~` and `~/…` mean the home folder. */
  'folders:browse': z
    .object({
      path: z.string().trim().min(1, 'path is empty').max(4096, 'path is too long').optional(),
      /** Include folders whose name starts with a dot. */
      showHidden: z.boolean().default(false),
    })
    .strict(),
  /** Where a browse can start: home, drives and mount points, recent folders. */
  'folders:places': z.object({}).strict(),
} as const;

/** One sub-folder in a listing. */
export interface FolderEntryDto {
  name: string;
  /** Absolute path (through any symlink, as listed). */
  path: string;
  /** False when Shoebox may not list it (permission denied): it can be seen but not opened or added. */
  readable: boolean;
  /** Its name starts with a dot. */
  hidden: boolean;
}

/** Result of `folders:browse`. */
export interface FolderListing {
  /** The absolute path listed, `~` expanded. */
  path: string;
  /** The folder above, or null at a file-system root. */
  parent: string | null;
  /** Sub-folders only (no files), sorted by name. */
  entries: FolderEntryDto[];
  /** Hidden sub-folders left out (0 when `showHidden`). */
  hiddenCount: number;
  /** More sub-folders than a listing carries: the first ones by name are shown. */
  truncated: boolean;
}

/** A place a browse can start from. */
export interface FolderPlace {
  label: string;
  path: string;
}

/** Result of `folders:places`. */
export interface FolderPlaces {
  home: string;
  /** The file-system root, drives (Windows) and mounted volumes (removable disks, network shares). */
  drives: FolderPlace[];
  /** The folders that hold the folders added to the library, newest first. */
  recent: FolderPlace[];
}

/** Results of the folder browser's requests. */
export interface FoldersResults {
  'folders:browse': FolderListing;
  'folders:places': FolderPlaces;
}
