/**
 * @file Migration 0006-places: applies on a version-5 library without touching its index rows, the
 * search triggers made again from the new document keep every column of 0005 current, a photo's place
 * enters its `places` column (English and local names, diacritics folded) and leaves with it, a renamed
 * place rebuilds its photos, a changed GPS fix drops the place and queues the geocode job again, and the
 * place lookups and filters use indexes ([Note: Places in the search index]).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../main/db/open';
import { migrations } from '../../main/db/migrations';
import { docFor } from '../../main/db/migrations/0006-places';

const at = migrations.findIndex((m) => m.name === 'places');

/** A version-5 library: a photo with a caption, a file and a camera; another with a file only. */
function atVersion5() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  expect(at).toBeGreaterThan(0);
  expect(migrate(db, migrations.slice(0, at))).toBe(at);
  db.prepare("INSERT INTO folders (id, path, added_at) VALUES (1, '/pics', 0)").run();
  const photo = db.prepare("INSERT INTO photos (id, hash, file_time, camera_make, created_at) VALUES (?, ?, '2020-01-01T00:00:00', ?, 0)");
  photo.run(7, 'h7', 'FUJIFILM');
  photo.run(8, 'h8', null);
  const file = db.prepare('INSERT INTO files (folder_id, rel_path, photo_id, size, mtime_ms, seen_at) VALUES (1, ?, ?, 1, 1, 1)');
  file.run('Trips/tram.jpg', 7);
  file.run('cat.png', 8);
  db.prepare("INSERT INTO photo_captions (photo_id, text, made_at) VALUES (7, 'A yellow tram.', 1)").run();
  db.prepare("INSERT INTO jobs (photo_id, step, state, pipeline_version, updated_at) VALUES (7, 'geocode', 'done', 'g', 0)").run();
  return db;
}

const ids = (db: Database.Database, match: string) =>
  db.prepare('SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid').pluck().all(match);

const lisbon = {
  id: 2267057,
  country_code: 'PT',
  region_code: 'PT.14',
  city: 'Lisbon',
  region: 'Lisbon',
  country: 'Portugal',
  other_names: 'Lisboa ; Lissabon',
};
const place = (db: Database.Database, photoId: number, p = lisbon) => {
  db.prepare(
    `INSERT INTO places (id, country_code, region_code, city, region, country, other_names)
     VALUES (@id, @country_code, @region_code, @city, @region, @country, @other_names) ON CONFLICT DO NOTHING`,
  ).run(p);
  db.prepare('INSERT INTO photo_places (photo_id, place_id, country_code, region_code, made_at) VALUES (?, ?, ?, ?, 0)').run(
    photoId,
    p.id,
    p.country_code,
    p.region_code,
  );
};

describe('migration 0006-places', () => {
  it('applies on a version-5 library, leaving every index row as it was', () => {
    const db = atVersion5();
    const before = db.prepare('SELECT rowid FROM search_fts ORDER BY rowid').pluck().all();
    expect(migrate(db, migrations.slice(0, at + 1))).toBe(at + 1);
    expect(db.prepare('SELECT rowid FROM search_fts ORDER BY rowid').pluck().all()).toEqual(before);
    expect(ids(db, '"tram"')).toEqual([7]);
    expect(ids(db, '{camera} : "fujifilm"')).toEqual([7]);
    expect(db.prepare('SELECT count(*) FROM photo_places').pluck().get()).toBe(0);
  });

  it('indexes a photo’s place in English and its other names, folded, and keeps 0005’s columns current', () => {
    const db = atVersion5();
    migrate(db, migrations.slice(0, at + 1));
    place(db, 7);
    expect(ids(db, '{places} : "lisbon"')).toEqual([7]);
    expect(ids(db, '{places} : "LISBOA"')).toEqual([7]);
    expect(ids(db, '{places} : "portugal"')).toEqual([7]);
    expect(ids(db, '"tram" AND "lissabon"')).toEqual([7]); // the caption survived the rebuild
    // 0005's triggers, made again, still rebuild their columns, and keep the place.
    db.prepare("UPDATE photo_captions SET text = 'A red bus.' WHERE photo_id = 7").run();
    expect(ids(db, '"bus" AND "lisbon"')).toEqual([7]);
    db.prepare("UPDATE files SET rel_path = 'Trips/bus.jpg' WHERE photo_id = 7").run();
    expect(ids(db, '{files} : "bus" AND {places} : "lisbon"')).toEqual([7]);
    db.prepare("UPDATE photos SET camera_make = 'Leica' WHERE id = 8").run();
    expect(ids(db, '{camera} : "leica"')).toEqual([8]);
    // A place renamed by a newer gazetteer rebuilds its photos' rows.
    db.prepare("UPDATE places SET other_names = 'Lisbonne' WHERE id = 2267057").run();
    expect(ids(db, '"lissabon"')).toEqual([]);
    expect(ids(db, '"lisbonne"')).toEqual([7]);
    // The place leaves the index with its row, and with its photo.
    db.prepare('DELETE FROM photo_places WHERE photo_id = 7').run();
    expect(ids(db, '"lisbon"')).toEqual([]);
    expect(ids(db, '"bus"')).toEqual([7]);
    place(db, 8);
    db.prepare('DELETE FROM photos WHERE id = 8').run();
    expect(ids(db, '"lisbon"')).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM photo_places').pluck().get()).toBe(0);
  });

  it('drops the place of a photo whose GPS fix changes, and queues its geocode job again', () => {
    const db = atVersion5();
    migrate(db, migrations.slice(0, at + 1));
    db.prepare('UPDATE photos SET gps_lat = 38.71, gps_lon = -9.14 WHERE id = 7').run();
    place(db, 7);
    db.prepare("UPDATE jobs SET state = 'done' WHERE photo_id = 7").run();
    db.prepare('UPDATE photos SET gps_lat = 38.71, gps_lon = -9.14, camera_model = ? WHERE id = 7').run('X-T30'); // same fix
    expect(db.prepare('SELECT count(*) FROM photo_places').pluck().get()).toBe(1);
    db.prepare('UPDATE photos SET gps_lat = 41.14 WHERE id = 7').run();
    expect(db.prepare('SELECT count(*) FROM photo_places').pluck().get()).toBe(0);
    expect(ids(db, '"lisbon"')).toEqual([]);
    expect(db.prepare("SELECT state FROM jobs WHERE photo_id = 7 AND step = 'geocode'").pluck().get()).toBe('pending');
  });

  it('reads one photo’s place through primary keys and filters by place through an index', () => {
    const db = atVersion5();
    migrate(db, migrations.slice(0, at + 1));
    const plan = (sql: string) =>
      db
        .prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all()
        .map((r) => r.detail)
        .join('\n');
    expect(plan(docFor('7'))).toMatch(/SEARCH pp USING INTEGER PRIMARY KEY/);
    expect(plan(docFor('7'))).toMatch(/SEARCH pl USING INTEGER PRIMARY KEY/);
    expect(plan("SELECT count(*) FROM photo_places WHERE country_code = 'PT' AND region_code = 'PT.14'")).toMatch(
      /USING COVERING INDEX photo_places_region/,
    );
    expect(plan('SELECT photo_id FROM photo_places WHERE place_id = 1')).toMatch(/USING (COVERING )?INDEX photo_places_place/);
  });
});
