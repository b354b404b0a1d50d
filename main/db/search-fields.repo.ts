/**
 * @file SQL for the stored text behind a photo's search index row ([Note: Search index] in
 * migrations/0005-search-fts.ts, places per [Note: Places in the search index] in 0006-places.ts): its
 * caption, tags, text in the image, file names, folders, camera and place, from which
 * main/search/snippets.ts cuts why the photo matched. The FTS tables are contentless, so the text comes
 * from the source rows, as the index's triggers read it.
 *
 * Runs in main (and the CLI and tests).
 */
import type { Db } from './open';

/** What a photo's index row was made of, for showing why it matched. */
export interface PhotoFields {
  photoId: number;
  caption: string;
  /** Labels of the tags present (not taken off by the user). */
  tags: string[];
  text: string;
  /** File names (basenames) of every file of the photo. */
  files: string[];
  /** Each file's directory below its folder root (the root itself left out). */
  folders: string[];
  camera: string;
  /** City ; region ; country ; other names ([Note: Places in the search index]); '' when unknown. */
  place: string;
}

export interface SearchFieldsRepo {
  /** The stored text behind these photos' index rows (photos that do not exist are left out). */
  fields(photoIds: readonly number[]): PhotoFields[];
}

const fieldsSql = /* sql */ `
  SELECT p.id AS photoId,
    coalesce((SELECT c.text FROM photo_captions c WHERE c.photo_id = p.id), '') AS caption,
    (SELECT json_group_array(l.label) FROM photo_tags t JOIN tag_labels l ON l.id = t.label_id
      WHERE t.photo_id = p.id AND t.removed = 0) AS tags,
    coalesce((SELECT x.text FROM photo_texts x WHERE x.photo_id = p.id), '') AS text,
    (SELECT json_group_array(f.rel_path) FROM files f WHERE f.photo_id = p.id) AS paths,
    trim(coalesce(p.camera_make, '') || ' ' || coalesce(p.camera_model, '')) AS camera,
    coalesce((SELECT pl.city || ' ; ' || coalesce(pl.region, '') || ' ; ' || pl.country || ' ; ' || pl.other_names
      FROM photo_places pp JOIN places pl ON pl.id = pp.place_id WHERE pp.photo_id = p.id), '') AS place
  FROM json_each(?) j CROSS JOIN photos p ON p.id = j.value`;

type FieldsRow = Omit<PhotoFields, 'tags' | 'files' | 'folders'> & { tags: string; paths: string };

/** Builds the repository over an open, migrated database. */
export function createSearchFieldsRepo(db: Db): SearchFieldsRepo {
  const fieldsStmt = db.prepare<[string], FieldsRow>(fieldsSql);
  return {
    fields(photoIds) {
      if (photoIds.length === 0) return [];
      return fieldsStmt.all(JSON.stringify(photoIds)).map(({ paths, tags, ...r }) => {
        const rels = JSON.parse(paths) as string[];
        return {
          ...r,
          tags: JSON.parse(tags) as string[],
          files: rels.map((p) => p.slice(p.lastIndexOf('/') + 1)),
          folders: [...new Set(rels.map((p) => p.slice(0, Math.max(0, p.lastIndexOf('/')))).filter(Boolean))],
        };
      });
    },
  };
}
