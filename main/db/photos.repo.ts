/**
 * @file SQL for the `photos` table: one row per distinct content, its metadata, derived artefacts, and
 * the grid's paging and timeline queries (ordered by `photos_sort`, newest first).
 *
 * Runs in main (and the CLI, headless host and tests).
 *
 * [Note: Paging at 100k] The grid pages with LIMIT/OFFSET over the `photos_sort` index
 * (sort_key DESC, id DESC): SQLite walks the index to the offset without touching the table, which
 * stays in the low milliseconds at 100k rows (3–5 ms a page, measured by the `--big` phase of test/bench/index.ts). Each page's name and
 * status come from correlated subqueries on `files_photo`, run only for the rows returned.
 */
import type { MediaKind } from '../../preload/contract';
import type { Db } from './open';

/** A whole `photos` row: the metadata columns plus identity and derived artefacts. */
export interface PhotoRow extends PhotoMetadata {
  id: number;
  hash: string;
  kind: MediaKind;
  file_time: string;
  sort_key: string;
  thumb: string | null;
  preview: string | null;
  /** ThumbHash of the thumbnail ([Note: Placeholders] in main/library/placeholders.ts), or null. */
  placeholder: Buffer | null;
  error: string | null;
  created_at: number;
}

/** A grid row: the photo's summary fields plus its best file's name and aggregated status. */
export interface PageRow {
  id: number;
  kind: MediaKind;
  thumb: string | null;
  placeholder: Buffer | null;
  width: number | null;
  height: number | null;
  sort_key: string;
  error: string | null;
  rel_path: string | null;
  /** 0: some file ok, 1: only error files, 2: only missing files (or none). */
  file_state: number;
  /** The file's own XMP/EXIF rating (-1 rejected … 5), read at index time. */
  xmp_rating?: number | null;
  /** The user's marks packed by {@link MARKS_COLUMN}, or null when there are none. */
  marks?: number | null;
}

/**
 * The photo's marks (migration 0011) in one integer, one lookup per row: bit 0 favourite, bit 1 hidden,
 * bits 2–3 rotation, bits 4–6 the user's rating (7: not set). Decoded by `unpackMarks` in collections.repo.ts.
 */
export const MARKS_COLUMN = `(SELECT m.favourite | (m.hidden << 1) | (m.rotation << 2) | (coalesce(m.rating, 7) << 4)
        FROM photo_marks m WHERE m.photo_hash = p.hash) AS marks`;

/** The columns of a `PageRow` over `photos p` (search results select the same: main/db/filtered-photos.repo.ts). */
export const PAGE_COLUMNS = `p.id, p.kind, p.thumb, p.placeholder, p.width, p.height, p.sort_key, p.error,
      (SELECT rel_path FROM files f WHERE f.photo_id = p.id ORDER BY f.status <> 'ok', f.id LIMIT 1) AS rel_path,
      coalesce((SELECT min(CASE f.status WHEN 'ok' THEN 0 WHEN 'error' THEN 1 ELSE 2 END) FROM files f WHERE f.photo_id = p.id), 2) AS file_state,
      p.xmp_rating, ${MARKS_COLUMN}`;

/** Metadata written by the metadata step. Absent fields are stored as null. */
export interface PhotoMetadata {
  mime: string | null;
  width: number | null;
  height: number | null;
  orientation: number | null;
  taken_at: string | null;
  taken_offset: string | null;
  camera_make: string | null;
  camera_model: string | null;
  lens: string | null;
  iso: number | null;
  f_number: number | null;
  exposure_time: number | null;
  focal_length: number | null;
  gps_lat: number | null;
  gps_lon: number | null;
  gps_alt: number | null;
  xmp_title: string | null;
  xmp_description: string | null;
  xmp_keywords: string | null;
  xmp_rating: number | null;
}

/** Reads and writes photo rows. */
export interface PhotosRepo {
  get(id: number): PhotoRow | null;
  findByHash(hash: string): PhotoRow | null;
  insert(p: { hash: string; kind: MediaKind; mime: string | null; fileTime: string; error: string | null; now: number }): number;
  setMetadata(id: number, m: PhotoMetadata): void;
  setDimensions(id: number, width: number, height: number): void;
  setThumb(id: number, key: string | null): void;
  setPlaceholder(id: number, hash: Uint8Array | null): void;
  setPreview(id: number, key: string | null): void;
  setError(id: number, error: string | null): void;
  /** Deletes the photo when no file row points at it any more (its jobs go with it); returns its cache keys, or null when kept. */
  deleteIfOrphan(id: number): string[] | null;
  /** Deletes every photo without a file row; returns the cache keys they held. */
  deleteOrphans(): { count: number; keys: string[] };
  page(offset: number, limit: number, folderId?: number): PageRow[];
  count(folderId?: number): number;
  months(folderId?: number): { key: string; count: number }[];
}

/** Builds the repository over an open, migrated database. */
export function createPhotosRepo(db: Db): PhotosRepo {
  const getStmt = db.prepare<[number], PhotoRow>('SELECT * FROM photos WHERE id = ?');
  const byHashStmt = db.prepare<[string], PhotoRow>('SELECT * FROM photos WHERE hash = ?');
  const insertStmt = db.prepare(
    'INSERT INTO photos (hash, kind, mime, file_time, error, created_at) VALUES (@hash, @kind, @mime, @fileTime, @error, @now)',
  );
  const metaStmt = db.prepare(
    `UPDATE photos SET mime = coalesce(@mime, mime), width = coalesce(@width, width), height = coalesce(@height, height),
       orientation = @orientation,
       taken_at = @taken_at, taken_offset = @taken_offset, camera_make = @camera_make, camera_model = @camera_model,
       lens = @lens, iso = @iso, f_number = @f_number, exposure_time = @exposure_time, focal_length = @focal_length,
       gps_lat = @gps_lat, gps_lon = @gps_lon, gps_alt = @gps_alt, xmp_title = @xmp_title,
       xmp_description = @xmp_description, xmp_keywords = @xmp_keywords, xmp_rating = @xmp_rating
     WHERE id = @id`,
  );
  const dimsStmt = db.prepare<[number, number, number]>('UPDATE photos SET width = ?, height = ? WHERE id = ?');
  const thumbStmt = db.prepare<[string | null, number]>('UPDATE photos SET thumb = ? WHERE id = ?');
  const previewStmt = db.prepare<[string | null, number]>('UPDATE photos SET preview = ? WHERE id = ?');
  const placeholderStmt = db.prepare<[Buffer | null, number]>('UPDATE photos SET placeholder = ? WHERE id = ?');
  const errorStmt = db.prepare<[string | null, number]>('UPDATE photos SET error = ? WHERE id = ?');
  const orphanStmt = db.prepare<[number], { thumb: string | null; preview: string | null }>(
    'DELETE FROM photos WHERE id = ? AND NOT EXISTS (SELECT 1 FROM files WHERE photo_id = photos.id) RETURNING thumb, preview',
  );
  const orphansStmt = db.prepare<[], { thumb: string | null; preview: string | null }>(
    'DELETE FROM photos WHERE NOT EXISTS (SELECT 1 FROM files WHERE photo_id = photos.id) RETURNING thumb, preview',
  );
  const keysOf = (rows: { thumb: string | null; preview: string | null }[]) =>
    rows.flatMap((r) => [r.thumb, r.preview]).filter((k): k is string => k !== null && !k.startsWith('placeholder-'));
  const cols = PAGE_COLUMNS;
  const inFolder = 'EXISTS (SELECT 1 FROM files f WHERE f.photo_id = p.id AND f.folder_id = ?)';
  const pageAll = db.prepare<[number, number], PageRow>(
    `SELECT ${cols} FROM photos p ORDER BY p.sort_key DESC, p.id DESC LIMIT ? OFFSET ?`,
  );
  const pageFolder = db.prepare<[number, number, number], PageRow>(
    `SELECT ${cols} FROM photos p WHERE ${inFolder} ORDER BY p.sort_key DESC, p.id DESC LIMIT ? OFFSET ?`,
  );
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM photos');
  const countFolder = db.prepare<[number], { n: number }>(`SELECT count(*) AS n FROM photos p WHERE ${inFolder}`);
  const monthsAll = db.prepare<[], { key: string; count: number }>(
    'SELECT substr(sort_key, 1, 7) AS key, count(*) AS count FROM photos GROUP BY key ORDER BY key DESC',
  );
  const monthsFolder = db.prepare<[number], { key: string; count: number }>(
    `SELECT substr(p.sort_key, 1, 7) AS key, count(*) AS count FROM photos p WHERE ${inFolder} GROUP BY key ORDER BY key DESC`,
  );
  return {
    get: (id) => getStmt.get(id) ?? null,
    findByHash: (hash) => byHashStmt.get(hash) ?? null,
    insert: (p) => Number(insertStmt.run(p).lastInsertRowid),
    setMetadata: (id, m) => void metaStmt.run({ ...m, id }),
    setDimensions: (id, w, h) => void dimsStmt.run(w, h, id),
    setThumb: (id, key) => void thumbStmt.run(key, id),
    setPreview: (id, key) => void previewStmt.run(key, id),
    setPlaceholder: (id, hash) => void placeholderStmt.run(hash && Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength), id),
    setError: (id, error) => void errorStmt.run(error, id),
    deleteIfOrphan(id) {
      const rows = orphanStmt.all(id);
      return rows.length ? keysOf(rows) : null;
    },
    deleteOrphans() {
      const rows = orphansStmt.all();
      return { count: rows.length, keys: keysOf(rows) };
    },
    page: (offset, limit, folderId) => (folderId === undefined ? pageAll.all(limit, offset) : pageFolder.all(folderId, limit, offset)),
    count: (folderId) => (folderId === undefined ? countAll.get() : countFolder.get(folderId))?.n ?? 0,
    months: (folderId) => (folderId === undefined ? monthsAll.all() : monthsFolder.all(folderId)),
  };
}
