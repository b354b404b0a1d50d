/**
 * @file Migration 11: collections. What the user says about a photo (favourite, stars, hidden, display
 * rotation), albums, and the photos Shoebox moved to the operating system's trash.
 *
 * [Note: Collections follow content] Everything here names a photo by its content (`photos.hash`,
 * [Note: Photo identity] in 0001), as chat does (0008, 0010): a moved or renamed file keeps its photo
 * row anyway, but a folder removed and added again, a file deleted and put back, or a file trashed and
 * restored makes (or finds) a row with the same hash, and its favourite, stars and albums come back with it.
 *
 * - `photo_marks`: one row per content the user marked. `rating` is the user's (null: not set, the
 *   file's own XMP/EXIF rating in `photos.xmp_rating` shows); `rotation` is quarter turns clockwise
 *   for display only (never written to the file); `removed_at` is set when Shoebox moved its files to
 *   the OS trash ([Note: Trash state] in main/library/trash.ts). A row with nothing set is deleted.
 * - `albums` and `album_photos`: a photo is in any number of albums; deleting an album deletes only
 *   its membership rows. Names are unique regardless of case, so the sidebar never shows two alike.
 * - `trash_moves` / `trash_items`: one `trash:move` (its token is the undo token) and the files it
 *   moved, with their original paths, so undo works after a restart while the files are in the trash.
 *   `state` 'moving' is written before the move and settled at the next start if a crash came between.
 */
export const sql = /* sql */ `
CREATE TABLE photo_marks (
  photo_hash  TEXT    PRIMARY KEY,
  favourite   INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
  rating      INTEGER CHECK (rating BETWEEN 0 AND 5),
  hidden      INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
  rotation    INTEGER NOT NULL DEFAULT 0 CHECK (rotation BETWEEN 0 AND 3),
  removed_at  INTEGER,
  updated_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX photo_marks_favourite ON photo_marks (photo_hash) WHERE favourite = 1;
CREATE INDEX photo_marks_away ON photo_marks (photo_hash) WHERE hidden = 1 OR removed_at IS NOT NULL;

CREATE TABLE albums (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX albums_name ON albums (name COLLATE NOCASE);

CREATE TABLE album_photos (
  album_id    INTEGER NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
  photo_hash  TEXT    NOT NULL,
  added_at    INTEGER NOT NULL,
  PRIMARY KEY (album_id, photo_hash)
) STRICT, WITHOUT ROWID;
CREATE INDEX album_photos_hash ON album_photos (photo_hash);

CREATE TABLE trash_moves (
  id          INTEGER PRIMARY KEY,
  token       TEXT    NOT NULL UNIQUE,
  moved_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE trash_items (
  id            INTEGER PRIMARY KEY,
  move_id       INTEGER NOT NULL REFERENCES trash_moves (id) ON DELETE CASCADE,
  photo_hash    TEXT    NOT NULL,
  folder_id     INTEGER,
  rel_path      TEXT    NOT NULL,
  path          TEXT    NOT NULL,   -- absolute path the file had
  size          INTEGER NOT NULL,
  mtime_ms      INTEGER NOT NULL,
  state         TEXT    NOT NULL DEFAULT 'moving' CHECK (state IN ('moving', 'trashed', 'restored', 'failed')),
  error         TEXT,
  updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX trash_items_move ON trash_items (move_id);
CREATE INDEX trash_items_hash ON trash_items (photo_hash, state);
CREATE INDEX trash_items_state ON trash_items (state) WHERE state = 'moving';
`;
