/**
 * @file Migration 0005-search-fts: applies on a version-4 library, fills the index from the rows already
 * there (caption, tags not removed, text in the image, file and folder names, camera), folds diacritics,
 * and lookups go through the FTS index and the per-photo indexes (an EXPLAIN QUERY PLAN per hot path).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../main/db/open';
import { migrations } from '../../main/db/migrations';
import { docFor } from '../../main/db/migrations/0005-search-fts';

const at = migrations.findIndex((m) => m.name === 'search-fts');

/** A version-4 library: two photos, one with files in sub-folders, understanding rows and camera. */
function atVersion4() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  expect(at).toBeGreaterThan(0);
  expect(migrate(db, migrations.slice(0, at))).toBe(at);
  db.prepare("INSERT INTO folders (id, path, added_at) VALUES (1, '/pics', 0)").run();
  const photo = db.prepare(
    "INSERT INTO photos (id, hash, file_time, camera_make, camera_model, created_at) VALUES (?, ?, '2020-01-01T00:00:00', ?, ?, 0)",
  );
  photo.run(7, 'h7', 'FUJIFILM', 'X-T30');
  photo.run(8, 'h8', null, null);
  const file = db.prepare('INSERT INTO files (folder_id, rel_path, photo_id, size, mtime_ms, seen_at) VALUES (1, ?, ?, 1, 1, 1)');
  file.run('Trips/São Paulo/DSCF0042.JPG', 7);
  file.run('backup/copy-of-DSCF0042.JPG', 7);
  file.run('lonely.png', 8);
  db.prepare("INSERT INTO photo_captions (photo_id, text, made_at) VALUES (7, 'A yellow tram on a cobbled street.', 1)").run();
  db.prepare("INSERT INTO photo_texts (photo_id, text, made_at) VALUES (7, 'PRÓXIMA PARADA: Liberdade', 1)").run();
  const label = db.prepare<[string], number>('SELECT id FROM tag_labels WHERE label = ?').pluck();
  const tag = db.prepare('INSERT INTO photo_tags (photo_id, label_id, source, removed, made_at) VALUES (7, ?, ?, ?, 1)');
  tag.run(label.get('street'), 'model', 0);
  tag.run(label.get('train'), 'user', 1); // taken off by the user: not searchable
  return db;
}

const ids = (db: Database.Database, table: string, match: string) =>
  db.prepare(`SELECT rowid FROM ${table} WHERE ${table} MATCH ? ORDER BY rowid`).pluck().all(match);

const plan = (db: Database.Database, sql: string) =>
  db
    .prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all()
    .map((r) => r.detail)
    .join('\n');

describe('migration 0005-search-fts', () => {
  it('backfills one row per photo from the rows already stored, each column from its source', () => {
    const db = atVersion4();
    expect(migrate(db, migrations.slice(0, at + 1))).toBe(at + 1);
    expect(ids(db, 'search_fts', '"tram"')).toEqual([7]);
    expect(ids(db, 'search_fts', '{caption} : "cobbled"')).toEqual([7]);
    expect(ids(db, 'search_fts', '{tags} : "street"')).toEqual([7]);
    expect(ids(db, 'search_fts', '{tags} : "train"')).toEqual([]);
    expect(ids(db, 'search_fts', '{text} : "liberdade"')).toEqual([7]);
    expect(ids(db, 'search_fts', '{files} : "dscf0042"')).toEqual([7]);
    expect(ids(db, 'search_fts', '{files} : "copy"')).toEqual([7]);
    expect(ids(db, 'search_fts', '{files} : "trips"')).toEqual([]); // a folder is not a file name
    expect(ids(db, 'search_fts', '{folders} : ("trips" AND "backup")')).toEqual([7]);
    expect(ids(db, 'search_fts', '{folders} : "dscf0042"')).toEqual([]);
    expect(ids(db, 'search_fts', '{camera} : ("fujifilm" AND "x t30")')).toEqual([7]);
    expect(ids(db, 'search_fts', '{files} : "lonely"')).toEqual([8]);
    // Diacritics and case folded in both tables; the trigram table finds a part of a word.
    expect(ids(db, 'search_fts', '"sao paulo"')).toEqual([7]);
    expect(ids(db, 'search_fts', '"proxima"')).toEqual([7]);
    expect(ids(db, 'search_text_trigram', '"berda"')).toEqual([7]);
    expect(ids(db, 'search_text_trigram', '"próx"')).toEqual([7]);
    // One index row per photo: photo 8 is there with only its file name.
    expect(db.prepare('SELECT count(*) FROM search_fts').pluck().get()).toBe(2);
  });

  it('keeps the index current through the triggers from the first write after the migration', () => {
    const db = atVersion4();
    migrate(db, migrations.slice(0, at + 1));
    db.prepare("UPDATE photo_captions SET text = 'A red bus.' WHERE photo_id = 7").run();
    expect(ids(db, 'search_fts', '"tram"')).toEqual([]);
    expect(ids(db, 'search_fts', '"bus"')).toEqual([7]);
    db.prepare("UPDATE photos SET camera_make = 'Leica', camera_model = 'Q2' WHERE id = 8").run();
    expect(ids(db, 'search_fts', '{camera} : "leica"')).toEqual([8]);
    db.prepare('DELETE FROM photos WHERE id = 7').run();
    expect(ids(db, 'search_fts', '"bus" OR "street" OR "dscf0042" OR "liberdade"')).toEqual([]);
    expect(ids(db, 'search_text_trigram', '"berda"')).toEqual([]);
  });

  it('matches through the FTS index, and the triggers read one photo through the per-photo indexes', () => {
    const db = atVersion4();
    migrate(db, migrations.slice(0, at + 1));
    expect(plan(db, `SELECT rowid FROM search_fts WHERE search_fts MATCH '"tram"'`)).toMatch(/VIRTUAL TABLE INDEX \d+:M/);
    expect(plan(db, `SELECT rowid FROM search_text_trigram WHERE search_text_trigram MATCH '"tram"'`)).toMatch(/VIRTUAL TABLE INDEX \d+:M/);
    // A trigger's document query for one photo: the primary keys and files_photo, never a scan of a source table.
    const doc = plan(db, docFor('7'));
    expect(doc).toMatch(/SEARCH f USING INDEX files_photo \(photo_id=\?\)/);
    expect(doc).toMatch(/SEARCH t USING PRIMARY KEY \(photo_id=\?\)/);
    expect(doc).toMatch(/SEARCH c USING INTEGER PRIMARY KEY/);
    expect(doc).not.toMatch(/SCAN (c|t|f|l|x)\b/);
  });
});
