/**
 * @file Migration 5: the lexical search index. `search_fts` (FTS5, one row per photo, rowid = photo id)
 * over what a person would type to find a photo, and `search_text_trigram` (FTS5 trigram) over the text
 * in the image alone, so that a part of a word read off a sign or a receipt finds it. Both are kept
 * current by triggers on every table that feeds them, and filled here from the rows already stored.
 * Queried by main/db/search.repo.ts.
 *
 * [Note: Search index] One document per photo, columns in this order (bm25 weights in search.repo.ts
 * follow it): caption, tags (labels not removed by the user), text (in the image), files (the basename
 * of every file of the photo, missing ones too), folders (each file's directory below its folder root;
 * the tokenizer splits it into segments), camera (make and model), places (empty until the places issue
 * fills it). Tokenizer `unicode61 remove_diacritics 2`: case and diacritics folded, so "sao paulo" finds
 * "São Paulo". The trigram table folds them too (`remove_diacritics 1`, SQLite ≥ 3.45; better-sqlite3
 * bundles 3.53).
 *
 * Why contentless (`content=''`) with `contentless_delete=1` (SQLite ≥ 3.43), not external content:
 * the document is assembled from six tables, so there is no content table to point at, and an external
 * content index must be told a row's *old* values to delete it; a trigger that ever passed values other
 * than those indexed would corrupt the index silently. A contentless-delete table deletes by rowid, so
 * every trigger does the same thing: delete the photo's row and insert it again from the current source
 * rows (one photo per change, a few index seeks). The price: no `highlight()`/`snippet()`; which column
 * matched is asked with column filters (search.repo.ts), and snippets can be cut from the source rows.
 *
 * What each trigger keeps in sync (all AFTER, each inside the writing statement's transaction, so the
 * index survives kill -9 with its source rows):
 * - photos: insert adds the (nearly empty) row; an update of camera_make/camera_model rebuilds it;
 *   delete removes it from both tables (the cascades that follow rebuild nothing: the photo is gone).
 * - photo_captions, photo_tags: insert, update, delete (model runs, user edits, a user's removal of a tag,
 *   and the cascades from photos and tag_labels) rebuild the photo's row.
 * - photo_texts: the same, and the photo's trigram row.
 * - files: insert, delete, and an update of rel_path or photo_id rebuild the old and the new photo's row
 *   (a folder removal cascades here; a photo deletion sets photo_id null here).
 * - tag_labels: renaming a label rebuilds the row of every photo that carries it.
 * A migration that changes what a column holds must drop and recreate every trigger from one new copy of
 * `docFor` and refill the tables (`INSERT INTO search_fts(search_fts) VALUES ('delete-all')`, then the
 * backfill): Signal's rule, the triggers and the backfill come from the same SELECT.
 */

/** The columns of `search_fts`, in order. */
const COLUMNS = ['caption', 'tags', 'text', 'files', 'folders', 'camera', 'places'] as const;

/** Everything up to the last '/' of a rel_path ('' at the root): rtrim strips every trailing non-'/' character. */
const dirOf = (path: string) => `rtrim(${path}, replace(${path}, '/', ''))`;

/**
 * The documents of the photos whose ids `ids` (an SQL list or subquery) yields, as (rowid, ...columns).
 * Exported for the plan test only: a later migration copies it, never imports it.
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
    ''
  FROM photos p WHERE p.id IN (${ids})`;

/** Rebuilds the `search_fts` rows of the photos `ids`. */
const rebuild = (ids: string) => /* sql */ `
  DELETE FROM search_fts WHERE rowid IN (${ids});
  INSERT INTO search_fts (rowid, ${COLUMNS.join(', ')}) ${docFor(ids)};`;

/** Rebuilds the `search_text_trigram` rows of the photos `ids`. */
const rebuildTrigram = (ids: string) => /* sql */ `
  DELETE FROM search_text_trigram WHERE rowid IN (${ids});
  INSERT INTO search_text_trigram (rowid, text) SELECT photo_id, text FROM photo_texts WHERE photo_id IN (${ids});`;

/** AFTER INSERT / UPDATE / DELETE triggers on a per-photo table: the photo's row (and trigram row) rebuilt. */
function perPhotoTriggers(table: string, changed: string, trigram: boolean): string {
  const body = (ids: string) => rebuild(ids) + (trigram ? rebuildTrigram(ids) : '');
  return /* sql */ `
CREATE TRIGGER search_${table}_ai AFTER INSERT ON ${table} BEGIN ${body('new.photo_id')} END;
CREATE TRIGGER search_${table}_au AFTER UPDATE ON ${table} WHEN ${changed} BEGIN ${body('old.photo_id, new.photo_id')} END;
CREATE TRIGGER search_${table}_ad AFTER DELETE ON ${table} BEGIN ${body('old.photo_id')} END;`;
}

export const sql = /* sql */ `
CREATE VIRTUAL TABLE search_fts USING fts5(
  ${COLUMNS.join(', ')},
  content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE search_text_trigram USING fts5(
  text,
  content = '', contentless_delete = 1, tokenize = 'trigram remove_diacritics 1'
);

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

INSERT INTO search_fts (rowid, ${COLUMNS.join(', ')}) ${docFor('SELECT id FROM photos')};
INSERT INTO search_text_trigram (rowid, text) SELECT photo_id, text FROM photo_texts;
`;
