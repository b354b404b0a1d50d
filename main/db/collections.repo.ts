/**
 * @file SQL for what the user says about photos (favourite, stars, hidden, display rotation, the trash
 * mark) and for albums. Everything is keyed by content ([Note: Collections follow content] in
 * migrations/0011-collections.ts).
 *
 * Runs in main (and the CLI, headless host and tests). Callers batch writes in one transaction.
 */
import type { Db } from './open';
import { AWAY_IDS } from './collections-views.repo';

/** The marks a photo can carry; `rating` null means "not set by the user". */
export interface MarksRow {
  photo_hash: string;
  favourite: 0 | 1;
  rating: number | null;
  hidden: 0 | 1;
  rotation: number;
  removed_at: number | null;
}

/** A field of `photo_marks` the user sets; the value as stored. */
export type MarkField = 'favourite' | 'rating' | 'hidden' | 'rotation' | 'removed_at';

export interface AlbumRow {
  id: number;
  name: string;
  created_at: number;
  updated_at: number;
  /** Photos of the album the album view shows (in the library, neither hidden nor removed). */
  count: number;
  cover: string | null;
  /** The cover photo's display rotation (quarter turns clockwise); null without a cover or marks. */
  cover_rotation: number | null;
}

export interface CollectionsRepo {
  marks(hash: string): MarksRow | null;
  /** Sets one field; drops the row when nothing is left set. Returns the previous value (the default when there was no row). */
  setMark(hash: string, field: MarkField, value: number | null, now: number): number | null;
  /** Sets one field on many photos in a few statements; returns the photos whose value changed, with their previous value. */
  setMarks(hashes: readonly string[], field: MarkField, value: number | null, now: number): { hash: string; previous: number | null }[];

  albums(): AlbumRow[];
  album(id: number): AlbumRow | null;
  albumByName(name: string): { id: number } | null;
  createAlbum(name: string, now: number): number;
  renameAlbum(id: number, name: string, now: number): boolean;
  deleteAlbum(id: number): boolean;
  /** Adds a photo; returns false when it was already in the album. */
  addToAlbum(albumId: number, hash: string, addedAt: number): boolean;
  /** Removes a photo; returns when it had been added, or null when it was not in the album. */
  removeFromAlbum(albumId: number, hash: string): number | null;
  touchAlbum(albumId: number, now: number): void;
  /** The albums a photo is in, by name. */
  albumsOf(hash: string): { id: number; name: string }[];
}

/** The marks of a grid row, decoded from photos.repo.ts's `MARKS_COLUMN`, and its effective rating. */
export function unpackMarks(
  packed: number | null | undefined,
  fileRating: number | null | undefined,
): { favourite: boolean; hidden: boolean; rotation: 0 | 1 | 2 | 3; rating: number; ratingSource: 'user' | 'file' | 'none' } {
  const m = packed ?? 7 << 4;
  const user = (m >> 4) & 7;
  // The file's -1 ("rejected" in Lightroom and digiKam) shows as no stars; Shoebox has no reject flag.
  const file = fileRating === null || fileRating === undefined ? null : Math.max(0, Math.min(5, fileRating));
  return {
    favourite: (m & 1) === 1,
    hidden: (m & 2) === 2,
    rotation: ((m >> 2) & 3) as 0 | 1 | 2 | 3,
    rating: user !== 7 ? user : (file ?? 0),
    ratingSource: user !== 7 ? 'user' : file !== null ? 'file' : 'none',
  };
}

const DEFAULTS: Record<MarkField, number | null> = { favourite: 0, rating: null, hidden: 0, rotation: 0, removed_at: null };

/** Builds the repository over an open, migrated database. */
export function createCollectionsRepo(db: Db): CollectionsRepo {
  const marksStmt = db.prepare<[string], MarksRow>(
    'SELECT photo_hash, favourite, rating, hidden, rotation, removed_at FROM photo_marks WHERE photo_hash = ?',
  );
  // One upsert per field: the column name is never built from input.
  const upserts = Object.fromEntries(
    (Object.keys(DEFAULTS) as MarkField[]).map((field) => [
      field,
      db.prepare<[string, number | null, number]>(
        `INSERT INTO photo_marks (photo_hash, ${field}, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (photo_hash) DO UPDATE SET ${field} = excluded.${field}, updated_at = excluded.updated_at`,
      ),
    ]),
  ) as Record<MarkField, ReturnType<typeof db.prepare<[string, number | null, number]>>>;
  const listed = 'SELECT value FROM json_each(?)';
  const previousStmts = Object.fromEntries(
    (Object.keys(DEFAULTS) as MarkField[]).map((field) => [
      field,
      db.prepare<[string], { hash: string; previous: number | null }>(
        `SELECT j.value AS hash, CASE WHEN m.photo_hash IS NULL THEN ${DEFAULTS[field] ?? 'NULL'} ELSE m.${field} END AS previous
           FROM json_each(?) j LEFT JOIN photo_marks m ON m.photo_hash = j.value`,
      ),
    ]),
  ) as Record<MarkField, ReturnType<typeof db.prepare<[string], { hash: string; previous: number | null }>>>;
  const upsertManyStmts = Object.fromEntries(
    (Object.keys(DEFAULTS) as MarkField[]).map((field) => [
      field,
      db.prepare<[number | null, number, string]>(
        // `WHERE true` tells SQLite's parser the ON CONFLICT belongs to the INSERT, not to a join.
        `INSERT INTO photo_marks (photo_hash, ${field}, updated_at) SELECT value, ?, ? FROM json_each(?) WHERE true
         ON CONFLICT (photo_hash) DO UPDATE SET ${field} = excluded.${field}, updated_at = excluded.updated_at`,
      ),
    ]),
  ) as Record<MarkField, ReturnType<typeof db.prepare<[number | null, number, string]>>>;
  const pruneManyStmt = db.prepare<[string]>(
    `DELETE FROM photo_marks WHERE photo_hash IN (${listed})
       AND favourite = 0 AND rating IS NULL AND hidden = 0 AND rotation = 0 AND removed_at IS NULL`,
  );
  const pruneStmt = db.prepare<[string]>(
    `DELETE FROM photo_marks WHERE photo_hash = ? AND favourite = 0 AND rating IS NULL AND hidden = 0 AND rotation = 0 AND removed_at IS NULL`,
  );

  /** `column` of the album's cover: its newest shown photo. */
  const coverOf = (column: string) => `(SELECT ${column} FROM album_photos ap CROSS JOIN photos p ON p.hash = ap.photo_hash
        WHERE ap.album_id = a.id AND p.id NOT IN (${AWAY_IDS}) ORDER BY p.sort_key DESC, p.id DESC LIMIT 1)`;
  const albumCols = `a.id, a.name, a.created_at, a.updated_at,
      (SELECT count(*) FROM album_photos ap CROSS JOIN photos p ON p.hash = ap.photo_hash
        WHERE ap.album_id = a.id AND p.id NOT IN (${AWAY_IDS})) AS count,
      ${coverOf('p.thumb')} AS cover,
      ${coverOf('(SELECT m.rotation FROM photo_marks m WHERE m.photo_hash = p.hash)')} AS cover_rotation`;
  const albumsStmt = db.prepare<[], AlbumRow>(`SELECT ${albumCols} FROM albums a ORDER BY a.name COLLATE NOCASE, a.id`);
  const albumStmt = db.prepare<[number], AlbumRow>(`SELECT ${albumCols} FROM albums a WHERE a.id = ?`);
  const byNameStmt = db.prepare<[string], { id: number }>('SELECT id FROM albums WHERE name = ? COLLATE NOCASE');
  const createStmt = db.prepare<[string, number, number]>('INSERT INTO albums (name, created_at, updated_at) VALUES (?, ?, ?)');
  const renameStmt = db.prepare<[string, number, number]>('UPDATE albums SET name = ?, updated_at = ? WHERE id = ?');
  const deleteStmt = db.prepare<[number]>('DELETE FROM albums WHERE id = ?');
  const addStmt = db.prepare<[number, string, number]>(
    'INSERT OR IGNORE INTO album_photos (album_id, photo_hash, added_at) VALUES (?, ?, ?)',
  );
  const removeStmt = db.prepare<[number, string], { added_at: number }>(
    'DELETE FROM album_photos WHERE album_id = ? AND photo_hash = ? RETURNING added_at',
  );
  const touchStmt = db.prepare<[number, number]>('UPDATE albums SET updated_at = ? WHERE id = ?');
  const albumsOfStmt = db.prepare<[string], { id: number; name: string }>(
    'SELECT a.id, a.name FROM album_photos ap JOIN albums a ON a.id = ap.album_id WHERE ap.photo_hash = ? ORDER BY a.name COLLATE NOCASE',
  );

  return {
    marks: (hash) => marksStmt.get(hash) ?? null,
    setMark(hash, field, value, now) {
      const before = marksStmt.get(hash);
      const previous = before ? before[field] : DEFAULTS[field];
      if (previous === value) return previous;
      upserts[field].run(hash, value, now);
      pruneStmt.run(hash);
      return previous;
    },
    setMarks(hashes, field, value, now) {
      const changed = previousStmts[field].all(JSON.stringify([...new Set(hashes)])).filter((r) => r.previous !== value);
      if (changed.length === 0) return changed;
      const list = JSON.stringify(changed.map((c) => c.hash));
      upsertManyStmts[field].run(value, now, list);
      pruneManyStmt.run(list);
      return changed;
    },
    albums: () => albumsStmt.all(),
    album: (id) => albumStmt.get(id) ?? null,
    albumByName: (name) => byNameStmt.get(name) ?? null,
    createAlbum: (name, now) => Number(createStmt.run(name, now, now).lastInsertRowid),
    renameAlbum: (id, name, now) => renameStmt.run(name, now, id).changes > 0,
    deleteAlbum: (id) => deleteStmt.run(id).changes > 0,
    addToAlbum: (albumId, hash, addedAt) => addStmt.run(albumId, hash, addedAt).changes > 0,
    removeFromAlbum: (albumId, hash) => removeStmt.get(albumId, hash)?.added_at ?? null,
    touchAlbum: (albumId, now) => void touchStmt.run(now, albumId),
    albumsOf: (hash) => albumsOfStmt.all(hash),
  };
}
