/**
 * @file The collections domain of the one API: favourites, star ratings, hidden photos, display rotation,
 * albums, and the trash (the one path that removes a user's file, and only when asked). preload/contract.ts
 * merges these maps into the request, result and event maps; the same rules apply (JSON only, validated by
 * these schemas in main).
 *
 * [Note: Views and selections] A grid shows one {@link PhotoView}: 'all' (every photo that is neither
 * hidden nor removed), 'favourites', 'album' (one album's photos), 'hidden' (only there do hidden photos
 * show) and 'trash' (photos moved to the OS trash by Shoebox, until restored). `photos:page` and
 * `photos:timeline` take an optional `view` (default 'all') beside their `folderId`. An action names its
 * photos with a {@link PhotoSelection}: either the ids the user picked, or "everything the grid shows"
 * (`all: true` with the same `view` and `folderId` the grid was paged with, minus `except`), so
 * Ctrl+A on a 100k library never loads 100k ids into the renderer. Main resolves an `all` selection
 * when the action runs; what changed is counted in the result.
 *
 * [Note: Collections undo] Favourite, rating, hidden and album changes return an `undoToken`;
 * `collections:undo` puts back exactly the values those photos had before (kept in memory for the
 * last few actions, so an undo is possible until the app restarts). A trash move returns its own token
 * for `trash:undo`, kept in the database because the files sit in the OS trash: it works after a
 * restart, as long as the files are still in the trash.
 */
import { z } from 'zod';
import { bboxSchema } from './bbox';

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** The most ids one request may name (a selection larger than this uses `all: true`). */
export const MAX_SELECTED_IDS = 200_000;

/** Which photos a grid shows: see [Note: Views and selections]. */
export const photoViewSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }).strict(),
  z.object({ kind: z.literal('favourites') }).strict(),
  z.object({ kind: z.literal('hidden') }).strict(),
  z.object({ kind: z.literal('album'), albumId: Id }).strict(),
  z.object({ kind: z.literal('trash') }).strict(),
]);
export type PhotoView = z.infer<typeof photoViewSchema>;
export type PhotoViewKind = PhotoView['kind'];

/** The photos an action applies to: see [Note: Views and selections]. */
export const photoSelectionSchema = z.union([
  z
    .object({
      ids: z.array(Id).min(1, 'nothing is selected').max(MAX_SELECTED_IDS, `at most ${MAX_SELECTED_IDS} ids; use all: true`),
    })
    .strict(),
  z
    .object({
      all: z.literal(true),
      /** The grid's view; 'all' when omitted. */
      view: photoViewSchema.optional(),
      /** The grid's folder filter, as given to `photos:page`. */
      folderId: Id.optional(),
      /** The grid's map area, as given to `photos:page` ([Note: Map areas] in ./map.ts): only photos inside it. */
      bbox: bboxSchema.optional(),
      /** Photos of the view left out of the selection (unticked after Ctrl+A). */
      except: z.array(Id).max(MAX_SELECTED_IDS).default([]),
    })
    .strict(),
]);
export type PhotoSelection = z.input<typeof photoSelectionSchema>;

/** Quarter turns clockwise applied for display only (never written to the file). */
export type Rotation = 0 | 1 | 2 | 3;

const AlbumName = z
  .string()
  .trim()
  .min(1, 'the album needs a name')
  .max(200, 'album names are at most 200 characters')
  // Control characters (a pasted tab or newline) would break the sidebar's one-line names.
  .refine(
    (s) => ![...s].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f),
    'album names cannot contain control characters',
  );

/** Argument schemas of the collections requests. */
export const collectionsRequestSchemas = {
  'photos:setFavourite': z.object({ selection: photoSelectionSchema, favourite: z.boolean() }).strict(),
  'photos:setRating': z.object({ selection: photoSelectionSchema, rating: z.number().int().min(0).max(5) }).strict(),
  'photos:setHidden': z.object({ selection: photoSelectionSchema, hidden: z.boolean() }).strict(),
  /** Turns the photo's display by `quarterTurns` × 90° clockwise (negative: anticlockwise), relative to now. */
  'photos:rotate': z.object({ id: Id, quarterTurns: z.number().int().min(-3).max(3) }).strict(),
  /** Puts back what an action with this token changed ([Note: Collections undo]). */
  'collections:undo': z.object({ undoToken: z.string().min(1).max(64) }).strict(),
  'albums:list': z.object({}).strict(),
  /** Creates an album, with the selection in it when given. */
  'albums:create': z.object({ name: AlbumName, selection: photoSelectionSchema.optional() }).strict(),
  'albums:rename': z.object({ albumId: Id, name: AlbumName }).strict(),
  /** Deletes the album only: its photos stay in the library and in other albums. */
  'albums:delete': z.object({ albumId: Id }).strict(),
  'albums:add': z.object({ albumId: Id, selection: photoSelectionSchema }).strict(),
  'albums:remove': z.object({ albumId: Id, selection: photoSelectionSchema }).strict(),
  /** What `trash:move` would do, for its confirmation: counts, folders, and what would be refused. */
  'trash:plan': z.object({ selection: photoSelectionSchema }).strict(),
  /** Moves the selected photos' files to the operating system's trash. Never a permanent delete. */
  'trash:move': z.object({ selection: photoSelectionSchema }).strict(),
  /** Puts back the files of one `trash:move`, while they are still in the OS trash. */
  'trash:undo': z.object({ undoToken: z.string().min(1).max(64) }).strict(),
  /** Puts back the selected photos of the Trash view (any move), while their files are still in the OS trash. */
  'trash:restore': z.object({ selection: photoSelectionSchema }).strict(),
} as const;

/** What a favourite, rating, hidden or album change did. */
export interface CollectionChange {
  /** Photos whose value actually changed (already-set photos are not counted). */
  changed: number;
  /** For `collections:undo`; null when nothing changed. */
  undoToken: string | null;
}

export interface AlbumDto {
  id: number;
  name: string;
  /** Photos of the album that are in the library and neither hidden nor removed (what the album view shows). */
  count: number;
  /** Thumbnail key of the newest such photo, for the sidebar; null when none or not made yet. */
  cover: string | null;
  /** The cover photo's display rotation, as `PhotoSummary.rotation`; absent when 0. */
  coverRotation?: Rotation;
  createdAt: string;
  updatedAt: string;
}

/** A photo or file an action could not handle, and why in plain words. */
export interface CollectionProblem {
  photoId: number;
  /** The file concerned; null when the photo has no file on disk. */
  path: string | null;
  reason: string;
}

/** How many problems a result lists; its count covers them all. */
export const PROBLEMS_LISTED = 200;

export interface TrashPlan {
  /** Photos that would be moved (all their files writable). */
  photos: number;
  /** Files those photos have on disk (exact duplicates are several files). */
  files: number;
  /** The folders the files are in, for the confirmation ("12 photos from Trips and Phone"). */
  folders: { folderId: number; path: string; files: number }[];
  /** Photos that would be refused (read-only folder, no file on disk), first {@link PROBLEMS_LISTED}. */
  refused: CollectionProblem[];
  refusedCount: number;
  /** Whether `trash:undo` can bring the files back on this system (false on Windows: see `undoNote`). */
  undoAvailable: boolean;
  /** A sentence for the confirmation when undo is limited; null when it is not. */
  undoNote: string | null;
}

export interface TrashMoveResult {
  /** Photos whose files are now in the OS trash (they show only in the Trash view). */
  moved: number;
  /** Files moved. */
  files: number;
  /** Photos refused or whose files could not be moved (they stay in the library), first {@link PROBLEMS_LISTED}. */
  failed: CollectionProblem[];
  failedCount: number;
  /** For `trash:undo`; null when nothing moved. */
  undoToken: string | null;
}

export interface TrashRestoreResult {
  /** Photos whose files are back where they were (and back in the library). */
  restored: number;
  /** Files that could not be put back (emptied from the trash, the place taken, undo unsupported), first {@link PROBLEMS_LISTED}. */
  missing: CollectionProblem[];
  missingCount: number;
}

/** Results of the collections requests. */
export interface CollectionsResults {
  'photos:setFavourite': CollectionChange;
  'photos:setRating': CollectionChange;
  'photos:setHidden': CollectionChange;
  'photos:rotate': { id: number; rotation: Rotation };
  'collections:undo': { changed: number };
  'albums:list': AlbumDto[];
  'albums:create': AlbumDto & { added: number };
  'albums:rename': AlbumDto;
  'albums:delete': { deleted: boolean };
  'albums:add': CollectionChange;
  'albums:remove': CollectionChange;
  'trash:plan': TrashPlan;
  'trash:move': TrashMoveResult;
  'trash:undo': TrashRestoreResult;
  'trash:restore': TrashRestoreResult;
}

/** Events of the collections domain. */
export interface CollectionsEvents {
  /** The albums (names, counts, covers) changed; the sidebar redraws from this list. */
  'albums:changed': AlbumDto[];
}
