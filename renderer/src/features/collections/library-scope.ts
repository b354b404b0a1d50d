/**
 * @file What the Library page shows: every photo (or one folder's), the Favourites, the Hidden photos,
 * the Albums list, one album, or Recently removed; its title, the `PhotoView` the host pages it by, and
 * which actions its selection bar offers. Runs in the renderer; React-free (unit-tested).
 *
 * [Note: Library scopes] The sidebar's collection entries (./collections-sidebar.tsx) and its folders
 * (renderer/src/features/folders/folders-sidebar.tsx) pick one scope at a time: a folder is a filter of
 * the "all" scope only; a collection shows the whole library's photos of that collection. The Albums
 * list is a scope without photos (no `PhotoView`), so the page shows the albums instead of a grid.
 */
import type { Bbox, PhotoView } from '../../../../preload/contract';

export type LibraryScope =
  | { kind: 'all' }
  | { kind: 'favourites' }
  | { kind: 'hidden' }
  | { kind: 'trash' }
  | { kind: 'albums' }
  | { kind: 'album'; albumId: number; name: string };

export const ALL_PHOTOS: LibraryScope = { kind: 'all' };

/** What `photos:page`, `photos:timeline` and an `all` selection are asked with: the view and folder filter. */
export interface ScopeQuery {
  view: PhotoView;
  folderId?: number;
  /** Only photos taken in this map area (renderer/src/features/map/map-area.ts), when the grid is filtered to one. */
  bbox?: Bbox;
}

/** The host's view of a scope (with the folder filter of "all"), or null for the Albums list. */
export function queryOf(scope: LibraryScope, folderId: number | null): ScopeQuery | null {
  switch (scope.kind) {
    case 'all':
      return folderId === null ? { view: { kind: 'all' } } : { view: { kind: 'all' }, folderId };
    case 'favourites':
    case 'hidden':
    case 'trash':
      return { view: { kind: scope.kind } };
    case 'album':
      return { view: { kind: 'album', albumId: scope.albumId } };
    case 'albums':
      return null;
  }
}

/** A stable key for a scope and folder: a new key means a new grid, a new selection, new pages. */
export function scopeKey(scope: LibraryScope, folderId: number | null): string {
  switch (scope.kind) {
    case 'all':
      return `all:${folderId ?? ''}`;
    case 'album':
      return `album:${scope.albumId}`;
    default:
      return scope.kind;
  }
}

/** The page title of a scope (the "all" scope's is the folder's name or "All photos", set by the caller). */
export function scopeTitle(scope: LibraryScope): string {
  switch (scope.kind) {
    case 'all':
      return 'All photos';
    case 'favourites':
      return 'Favourites';
    case 'hidden':
      return 'Hidden';
    case 'trash':
      return 'Recently removed';
    case 'albums':
      return 'Albums';
    case 'album':
      return scope.name;
  }
}

/** What an empty scope says (the "all" scope has its own empty states). */
export function emptyText(scope: LibraryScope): { title: string; body: string } {
  switch (scope.kind) {
    case 'favourites':
      return { title: 'No favourites yet', body: 'Select photos and choose Favourite, or press . on a photo.' };
    case 'hidden':
      return {
        title: 'No hidden photos',
        body: 'Photos you hide leave the library’s grid and wait here; select them and choose Unhide to bring them back.',
      };
    case 'trash':
      return {
        title: 'Nothing recently removed',
        body: 'Photos you move to the Trash are listed here while their files are still in the system Trash, so you can restore them.',
      };
    case 'album':
      return { title: 'This album is empty', body: 'Select photos in the library and choose Add to album.' };
    case 'all':
    case 'albums':
      return { title: 'No photos', body: '' };
  }
}

/** The actions a scope's selection bar offers. */
export interface ScopeActions {
  favourite: boolean;
  rating: boolean;
  /** 'hide' everywhere but the Hidden view, where it is 'unhide'. */
  hide: 'hide' | 'unhide' | null;
  addToAlbum: boolean;
  removeFromAlbum: boolean;
  trash: boolean;
  restore: boolean;
}

export function scopeActions(scope: LibraryScope): ScopeActions {
  if (scope.kind === 'trash')
    return { favourite: false, rating: false, hide: null, addToAlbum: false, removeFromAlbum: false, trash: false, restore: true };
  return {
    favourite: true,
    rating: true,
    hide: scope.kind === 'hidden' ? 'unhide' : 'hide',
    addToAlbum: true,
    removeFromAlbum: scope.kind === 'album',
    trash: true,
    restore: false,
  };
}
