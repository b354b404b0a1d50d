/**
 * @file Migration 1: folders, photos (identified by content), files (paths per folder root), jobs.
 *
 * [Note: Photo identity] A photo row is one distinct content (`hash`, a fast content hash). A file row
 * is one path under one folder root that currently or last held that content. Moving or renaming a file
 * re-points its file row (or a new one) at the same photo, so everything attached to the photo survives.
 * Exact duplicates are several file rows on one photo. A vanished file is marked 'missing', not deleted.
 * A file that cannot be read at all (no permission, empty) still gets a photo row, with a placeholder
 * hash `unreadable:<key of its path>` and `error` set, so it is listed with its reason (main/library/ingest.ts).
 * `width`/`height` are the displayed size, after the EXIF orientation is applied.
 */
export const sql = /* sql */ `
CREATE TABLE folders (
  id          INTEGER PRIMARY KEY,
  path        TEXT    NOT NULL UNIQUE,
  added_at    INTEGER NOT NULL,
  status      TEXT    NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'polling', 'missing')),
  warning     TEXT
) STRICT;

CREATE TABLE photos (
  id              INTEGER PRIMARY KEY,
  hash            TEXT    NOT NULL UNIQUE,
  kind            TEXT    NOT NULL DEFAULT 'image' CHECK (kind IN ('image', 'raw', 'video')),
  mime            TEXT,
  width           INTEGER,
  height          INTEGER,
  orientation     INTEGER,
  taken_at        TEXT,              -- local wall-clock 'YYYY-MM-DDTHH:MM:SS(.sss)' from EXIF, no zone
  taken_offset    TEXT,              -- '+02:00' when the file records it
  file_time       TEXT    NOT NULL,  -- local wall-clock time of the file's mtime, the fallback
  sort_key        TEXT    GENERATED ALWAYS AS (coalesce(taken_at, file_time)) STORED,
  camera_make     TEXT,
  camera_model    TEXT,
  lens            TEXT,
  iso             REAL,
  f_number        REAL,
  exposure_time   REAL,
  focal_length    REAL,
  gps_lat         REAL,
  gps_lon         REAL,
  gps_alt         REAL,
  xmp_title       TEXT,
  xmp_description TEXT,
  xmp_keywords    TEXT,              -- JSON array
  xmp_rating      INTEGER,
  thumb           TEXT,              -- cache key of the grid thumbnail
  preview         TEXT,              -- cache key of the large preview
  error           TEXT,              -- why this content cannot be read, if it cannot
  created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX photos_sort ON photos (sort_key DESC, id DESC);

CREATE TABLE files (
  id          INTEGER PRIMARY KEY,
  folder_id   INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
  rel_path    TEXT    NOT NULL,      -- '/'-separated path below the folder root
  photo_id    INTEGER REFERENCES photos (id) ON DELETE SET NULL,
  size        INTEGER NOT NULL,
  mtime_ms    INTEGER NOT NULL,
  status      TEXT    NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'missing', 'error')),
  error       TEXT,
  seen_at     INTEGER NOT NULL,
  UNIQUE (folder_id, rel_path)
) STRICT;
CREATE INDEX files_photo ON files (photo_id, folder_id, status); -- covers the grid's per-row folder and status checks

CREATE TABLE jobs (
  id               INTEGER PRIMARY KEY,
  photo_id         INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
  step             TEXT    NOT NULL,
  rank             INTEGER NOT NULL DEFAULT 0,  -- the step's place in the pipeline: cheap steps first
  state            TEXT    NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'running', 'done', 'failed-retryable', 'failed-permanent')),
  priority         INTEGER NOT NULL DEFAULT 0,  -- newest photos first: unix seconds of the sort key
  attempts         INTEGER NOT NULL DEFAULT 0,
  last_error       TEXT,
  pipeline_version INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  UNIQUE (photo_id, step)
) STRICT;
CREATE INDEX jobs_queue ON jobs (state, rank, priority DESC, id);
CREATE INDEX jobs_step ON jobs (step, state);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
`;
