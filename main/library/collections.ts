/**
 * @file Favourites, star ratings, hidden photos, display rotation and albums: the policy behind the
 * collections requests (preload/contract/collections.ts). Resolves selections, writes marks and album
 * membership by content, keeps what each action changed for `collections:undo`, and tells the grid and
 * the sidebar to redraw.
 *
 * Runs in main (and the CLI, headless host and tests). Plain Node: no Electron.
 *
 * Rules: a user's rating wins over the file's (0 is a rating: "no stars", set on purpose); a hidden
 * photo shows only in the Hidden view; deleting an album never touches its photos. Nothing here writes
 * a user's file: sidecars are `xmp:write`'s, files move only through the trash (./trash.ts).
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../preload/api-error';
import type { AlbumDto, CollectionChange, PhotoSelection, Rotation } from '../../preload/contract';
import { photoSelectionSchema } from '../../preload/contract/collections';
import { createCollectionsRepo, type AlbumRow, type MarkField } from '../db/collections.repo';
import { createViewsRepo, type SelectedPhoto } from '../db/collections-views.repo';
import type { Db } from '../db/open';
import type { Emit } from '../events';

export interface CollectionsDeps {
  db: Db;
  emit: Emit;
  /** Photos' marks or albums changed: clear cached counts and tell the grid (the library's notifier). */
  onChanged: (photos: number) => void;
  now?: () => number;
}

/** How many actions `collections:undo` can take back (older tokens are forgotten). */
export const UNDO_KEPT = 32;

export interface Collections {
  /** The photos a selection names (unknown ids left out), in no particular order. */
  resolve(selection: PhotoSelection): SelectedPhoto[];
  setFavourite(selection: PhotoSelection, favourite: boolean): CollectionChange;
  setRating(selection: PhotoSelection, rating: number): CollectionChange;
  setHidden(selection: PhotoSelection, hidden: boolean): CollectionChange;
  rotate(id: number, quarterTurns: number): { id: number; rotation: Rotation };
  undo(token: string): { changed: number };
  listAlbums(): AlbumDto[];
  createAlbum(name: string, selection?: PhotoSelection): AlbumDto & { added: number };
  renameAlbum(albumId: number, name: string): AlbumDto;
  deleteAlbum(albumId: number): boolean;
  addToAlbum(albumId: number, selection: PhotoSelection): CollectionChange;
  removeFromAlbum(albumId: number, selection: PhotoSelection): CollectionChange;
}

const iso = (ms: number) => new Date(ms).toISOString();
const albumDto = (a: AlbumRow): AlbumDto => ({
  id: a.id,
  name: a.name,
  count: a.count,
  cover: a.cover,
  ...(a.cover_rotation ? { coverRotation: a.cover_rotation as Rotation } : {}),
  createdAt: iso(a.created_at),
  updatedAt: iso(a.updated_at),
});

/** Builds the collections service. */
export function createCollections(deps: CollectionsDeps): Collections {
  const { db, emit } = deps;
  const now = deps.now ?? Date.now;
  const repo = createCollectionsRepo(db);
  const views = createViewsRepo(db);
  // [Note: Collections undo] in preload/contract/collections.ts: what an action changed, newest last.
  const undos = new Map<string, () => number>();
  const keepUndo = (undo: () => number): string => {
    const token = randomUUID();
    undos.set(token, undo);
    while (undos.size > UNDO_KEPT) undos.delete(undos.keys().next().value!);
    return token;
  };

  const resolve = (selection: PhotoSelection): SelectedPhoto[] => {
    const s = photoSelectionSchema.parse(selection);
    return 'ids' in s ? views.byIds(s.ids) : views.inView(s.view, s.folderId, s.except, s.bbox);
  };
  const albumsChanged = () => emit('albums:changed', repo.albums().map(albumDto));
  const changed = (n: number, albums = false) => {
    if (n === 0) return;
    deps.onChanged(n);
    if (albums) albumsChanged();
  };

  /** Sets one mark on every selected photo, in one transaction; undo puts each photo's previous value back. */
  const setMarks = (selection: PhotoSelection, field: MarkField, value: number | null): CollectionChange => {
    const photos = resolve(selection);
    const previous = db.transaction(() =>
      repo.setMarks(
        photos.map((p) => p.hash),
        field,
        value,
        now(),
      ),
    )();
    // Hidden photos leave album counts and covers; favourites and stars do not change them.
    const albums = field === 'hidden';
    changed(previous.length, albums);
    if (previous.length === 0) return { changed: 0, undoToken: null };
    const undoToken = keepUndo(() => {
      // One statement per previous value (a rating undo has at most six).
      const byValue = new Map<number | null, string[]>();
      for (const b of previous) {
        const list = byValue.get(b.previous);
        if (list) list.push(b.hash);
        else byValue.set(b.previous, [b.hash]);
      }
      const n = db.transaction(() => {
        const t = now();
        let count = 0;
        for (const [was, hashes] of byValue) count += repo.setMarks(hashes, field, was, t).length;
        return count;
      })();
      changed(n, albums);
      return n;
    });
    return { changed: previous.length, undoToken };
  };

  const album = (albumId: number): AlbumRow => {
    const a = repo.album(albumId);
    if (!a) throw new ApiError('not-found', `No album with id ${albumId}`);
    return a;
  };
  const nameFree = (name: string, self?: number) => {
    const other = repo.albumByName(name);
    if (other && other.id !== self) throw new ApiError('conflict', `There is already an album called "${name}"`);
  };
  const addAll = (albumId: number, photos: readonly SelectedPhoto[]): string[] => {
    const t = now();
    const added = photos.filter((p) => repo.addToAlbum(albumId, p.hash, t)).map((p) => p.hash);
    if (added.length) repo.touchAlbum(albumId, t);
    return added;
  };

  return {
    resolve,
    setFavourite: (selection, favourite) => setMarks(selection, 'favourite', favourite ? 1 : 0),
    setRating: (selection, rating) => setMarks(selection, 'rating', rating),
    setHidden: (selection, hidden) => setMarks(selection, 'hidden', hidden ? 1 : 0),
    rotate(id, quarterTurns) {
      const [photo] = views.byIds([id]);
      if (!photo) throw new ApiError('not-found', `No photo with id ${id}`);
      const rotation = ((((repo.marks(photo.hash)?.rotation ?? 0) + quarterTurns) % 4) + 4) % 4;
      const was = db.transaction(() => repo.setMark(photo.hash, 'rotation', rotation, now()))();
      // An album's cover shows the photo turned too ([Note: Turned photos in the grid] in main/db/layout.repo.ts).
      if (was !== rotation) changed(1, repo.albumsOf(photo.hash).length > 0);
      return { id, rotation: rotation as Rotation };
    },
    undo(token) {
      const undo = undos.get(token);
      if (!undo) throw new ApiError('not-found', 'That action can no longer be undone (Shoebox restarted, or it is too far back)');
      undos.delete(token);
      return { changed: undo() };
    },

    listAlbums: () => repo.albums().map(albumDto),
    createAlbum(name, selection) {
      nameFree(name);
      const photos = selection ? resolve(selection) : [];
      const { id, added } = db.transaction(() => {
        const id = repo.createAlbum(name, now());
        return { id, added: addAll(id, photos).length };
      })();
      changed(added);
      albumsChanged();
      return { ...albumDto(album(id)), added };
    },
    renameAlbum(albumId, name) {
      album(albumId);
      nameFree(name, albumId);
      repo.renameAlbum(albumId, name, now());
      albumsChanged();
      return albumDto(album(albumId));
    },
    deleteAlbum(albumId) {
      const deleted = repo.deleteAlbum(albumId);
      if (deleted) {
        deps.onChanged(0);
        albumsChanged();
      }
      return deleted;
    },
    addToAlbum(albumId, selection) {
      album(albumId);
      const photos = resolve(selection);
      const added = db.transaction(() => addAll(albumId, photos))();
      changed(added.length, true);
      if (added.length === 0) return { changed: 0, undoToken: null };
      const undoToken = keepUndo(() => {
        const n = db.transaction(() => added.filter((h) => repo.removeFromAlbum(albumId, h) !== null).length)();
        changed(n, true);
        return n;
      });
      return { changed: added.length, undoToken };
    },
    removeFromAlbum(albumId, selection) {
      album(albumId);
      const photos = resolve(selection);
      const removed = db.transaction(() => {
        const out: { hash: string; addedAt: number }[] = [];
        for (const p of photos) {
          const addedAt = repo.removeFromAlbum(albumId, p.hash);
          if (addedAt !== null) out.push({ hash: p.hash, addedAt });
        }
        if (out.length) repo.touchAlbum(albumId, now());
        return out;
      })();
      changed(removed.length, true);
      if (removed.length === 0) return { changed: 0, undoToken: null };
      const undoToken = keepUndo(() => {
        // The album may have been deleted since: nothing to put back then.
        if (!repo.album(albumId)) return 0;
        const n = db.transaction(() => removed.filter((r) => repo.addToAlbum(albumId, r.hash, r.addedAt)).length)();
        changed(n, true);
        return n;
      });
      return { changed: removed.length, undoToken };
    },
  };
}
