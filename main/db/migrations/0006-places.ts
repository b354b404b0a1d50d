/**
 * @file Migration 6: places. `places` holds one row per city the library's photos are in (names from the
 * bundled gazetteer, main/places/gazetteer.ts), `photo_places` the place of each geocoded photo (no row:
 * no GPS, a bad fix, or far from any town), and the FTS `places` column of [Note: Search index] is filled
 * from them. Written by the geocode step (main/places/geocode-step.ts) through main/db/places.repo.ts.
 *
 * [Note: Places in the search index] The `places` column holds the city, its region and country in
 * English, then the local and other names ("Lisboa", "Lissabon", "東京", "Deutschland"), ' ; '-separated;
 * the tokenizer folds case and diacritics, so "munchen" finds "München". Per [Note: Search index], a
 * migration that changes what a column holds recreates every search trigger from one new `docFor`; the
 * same SELECT refills the rows whose document changes, which are the photos that have a place: none when
 * this migration runs on a library (the table is new), so nothing is rebuilt in bulk (a delete-all and
 * full refill would cost minutes on 100k photos and change no row).
 * New triggers: photo_places insert/update/delete rebuilds the photo's row; a change of a place's names
 * (a newer gazetteer) rebuilds its photos' rows; a change of a photo's GPS drops its place and queues its
 * geocode job again (in the same transaction, so a place never outlives the fix it came from).
 * `photo_places` repeats the place's country and region codes so that a place filter is one index probe
 * (main/db/photo-filter.ts) without a join.
 */

/** The columns of `search_fts`, in order (as in 0005). */
const COLUMNS = ['caption', 'tags', 'text', 'files', 'folders', 'camera', 'places'] as const;

/** Everything up to the last '/' of a rel_path ('' at the root). */
const dirOf = (path: string) => `rtrim(${path}, replace(${path}, '/', ''))`;

/** The geocode step's name (main/places/geocode-step.ts): a GPS change queues its job again. */
const GEOCODE_STEP = 'geocode';

/**
 * The documents of the photos whose ids `ids` yields, as (rowid, ...columns): 0005's, with places.
 * Exported for the tests only: a later migration copies it, never imports it.
 */
export const docFor = (ids: string) => /* sql */ `
  SELECT p.id,
    coalesce((SELECT c.text FROM photo_captions c WHERE c.photo_id = p.id), ''),
    coalesce((SELECT group_concat(l.label, ' ; ') FROM photo_tags t JOIN tag_labels l ON l.id = t.label_id
              WHERE t.photo_id = p.id AND t.removed = 0), ''),
    coalesce((SELECT x.text FROM photo_texts x WHERE x.photo_id = p.id), ''),
    coalesce((SELECT group_concat(substr(f.rel_path, length(${dirOf('f.rel_path')}) + 1), ' ; ') FROM files f
              WHERE f.photo_id = p.id), ''),
    coalesce((SELECT group_concat(DISTINCT ${dirOf('f.rel_path')}) FROM files f WHERE f.photo_id = p.id), ''),
    trim(coalesce(p.camera_make, '') || ' ' || coalesce(p.camera_model, '')),
    coalesce((SELECT pl.city || ' ; ' || coalesce(pl.region, '') || ' ; ' || pl.country || ' ; ' || pl.other_names
              FROM photo_places pp JOIN places pl ON pl.id = pp.place_id WHERE pp.photo_id = p.id), '')
  FROM photos p WHERE p.id IN (${ids})`;

const rebuild = (ids: string) => /* sql */ `
  DELETE FROM search_fts WHERE rowid IN (${ids});
  INSERT INTO search_fts (rowid, ${COLUMNS.join(', ')}) ${docFor(ids)};`;

const rebuildTrigram = (ids: string) => /* sql */ `
  DELETE FROM search_text_trigram WHERE rowid IN (${ids});
  INSERT INTO search_text_trigram (rowid, text) SELECT photo_id, text FROM photo_texts WHERE photo_id IN (${ids});`;

function perPhotoTriggers(table: string, changed: string, trigram: boolean): string {
  const body = (ids: string) => rebuild(ids) + (trigram ? rebuildTrigram(ids) : '');
  return /* sql */ `
CREATE TRIGGER search_${table}_ai AFTER INSERT ON ${table} BEGIN ${body('new.photo_id')} END;
CREATE TRIGGER search_${table}_au AFTER UPDATE ON ${table} WHEN ${changed} BEGIN ${body('old.photo_id, new.photo_id')} END;
CREATE TRIGGER search_${table}_ad AFTER DELETE ON ${table} BEGIN ${body('old.photo_id')} END;`;
}

/** Every search trigger of 0005, by name: dropped and made again from the new `docFor`. */
const OLD_TRIGGERS = [
  'search_photos_ai',
  'search_photos_au',
  'search_photos_ad',
  ...['photo_captions', 'photo_texts', 'photo_tags', 'files'].flatMap((t) => [`search_${t}_ai`, `search_${t}_au`, `search_${t}_ad`]),
  'search_tag_labels_au',
];

export const sql = /* sql */ `
CREATE TABLE places (
  id           INTEGER PRIMARY KEY,            -- the GeoNames id of the city
  country_code TEXT    NOT NULL,               -- ISO 3166-1 alpha-2
  region_code  TEXT,                           -- 'PT.14': country and GeoNames admin-1 code
  city         TEXT    NOT NULL,
  region       TEXT,
  country      TEXT    NOT NULL,
  other_names  TEXT    NOT NULL DEFAULT ''     -- ' ; '-separated local names and exonyms of city and country
) STRICT;

CREATE TABLE photo_places (
  photo_id     INTEGER PRIMARY KEY REFERENCES photos (id) ON DELETE CASCADE,
  place_id     INTEGER NOT NULL REFERENCES places (id),
  country_code TEXT    NOT NULL,
  region_code  TEXT,
  made_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX photo_places_place ON photo_places (place_id);
CREATE INDEX photo_places_region ON photo_places (country_code, region_code);

${OLD_TRIGGERS.map((t) => `DROP TRIGGER IF EXISTS ${t};`).join('\n')}

CREATE TRIGGER search_photos_ai AFTER INSERT ON photos BEGIN ${rebuild('new.id')} END;
CREATE TRIGGER search_photos_au AFTER UPDATE OF camera_make, camera_model ON photos
  WHEN old.camera_make IS NOT new.camera_make OR old.camera_model IS NOT new.camera_model BEGIN ${rebuild('new.id')} END;
CREATE TRIGGER search_photos_ad AFTER DELETE ON photos BEGIN
  DELETE FROM search_fts WHERE rowid = old.id;
  DELETE FROM search_text_trigram WHERE rowid = old.id;
END;
${perPhotoTriggers('photo_captions', 'old.photo_id IS NOT new.photo_id OR old.text IS NOT new.text', false)}
${perPhotoTriggers('photo_texts', 'old.photo_id IS NOT new.photo_id OR old.text IS NOT new.text', true)}
${perPhotoTriggers('photo_tags', 'old.photo_id IS NOT new.photo_id OR old.label_id IS NOT new.label_id OR old.removed IS NOT new.removed', false)}
CREATE TRIGGER search_files_ai AFTER INSERT ON files WHEN new.photo_id IS NOT NULL BEGIN ${rebuild('new.photo_id')} END;
CREATE TRIGGER search_files_au AFTER UPDATE OF rel_path, photo_id ON files
  WHEN old.rel_path IS NOT new.rel_path OR old.photo_id IS NOT new.photo_id BEGIN ${rebuild('old.photo_id, new.photo_id')} END;
CREATE TRIGGER search_files_ad AFTER DELETE ON files WHEN old.photo_id IS NOT NULL BEGIN ${rebuild('old.photo_id')} END;
CREATE TRIGGER search_tag_labels_au AFTER UPDATE OF label ON tag_labels WHEN old.label IS NOT new.label BEGIN
  ${rebuild('SELECT photo_id FROM photo_tags WHERE label_id = new.id AND removed = 0')}
END;
${perPhotoTriggers('photo_places', 'old.photo_id IS NOT new.photo_id OR old.place_id IS NOT new.place_id', false)}
CREATE TRIGGER search_places_au AFTER UPDATE ON places
  WHEN old.city IS NOT new.city OR old.region IS NOT new.region OR old.country IS NOT new.country OR old.other_names IS NOT new.other_names
BEGIN ${rebuild('SELECT photo_id FROM photo_places WHERE place_id = new.id')} END;

CREATE TRIGGER places_photos_gps_au AFTER UPDATE OF gps_lat, gps_lon ON photos
  WHEN old.gps_lat IS NOT new.gps_lat OR old.gps_lon IS NOT new.gps_lon
BEGIN
  DELETE FROM photo_places WHERE photo_id = new.id;
  UPDATE jobs SET state = 'pending', attempts = 0, last_error = NULL, updated_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
    WHERE photo_id = new.id AND step = '${GEOCODE_STEP}' AND state <> 'running';
END;

${rebuild('SELECT photo_id FROM photo_places')}
`;
