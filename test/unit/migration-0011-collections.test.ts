/**
 * @file Migration 0011-collections: applies on a version-10 library keeping its photos, stores marks and
 * album membership by content (they outlive the photo row), keeps album names unique regardless of case,
 * drops membership (never photos) with its album, and refuses values out of range.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../main/db/open';
import { migrations } from '../../main/db/migrations';

const at = migrations.findIndex((m) => m.name === 'collections');

function migrated() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  expect(at).toBeGreaterThan(0);
  migrate(db, migrations.slice(0, at));
  db.prepare("INSERT INTO photos (id, hash, file_time, created_at) VALUES (1, 'h1', '2020-01-01T00:00:00', 0)").run();
  expect(migrate(db, migrations.slice(0, at + 1))).toBe(migrations[at]!.version);
  return db;
}

describe('migration 0011-collections', () => {
  it('keeps photos and stores marks by content, outliving the photo row', () => {
    const db = migrated();
    expect(db.prepare('SELECT count(*) FROM photos').pluck().get()).toBe(1);
    db.prepare("INSERT INTO photo_marks (photo_hash, favourite, rating, updated_at) VALUES ('h1', 1, 4, 0)").run();
    db.prepare('DELETE FROM photos WHERE id = 1').run();
    expect(db.prepare("SELECT favourite, rating, hidden, rotation, removed_at FROM photo_marks WHERE photo_hash = 'h1'").get()).toEqual({
      favourite: 1,
      rating: 4,
      hidden: 0,
      rotation: 0,
      removed_at: null,
    });
  });

  it('refuses ratings, rotations and flags out of range', () => {
    const db = migrated();
    const ins = db.prepare('INSERT INTO photo_marks (photo_hash, favourite, rating, rotation, updated_at) VALUES (?, ?, ?, ?, 0)');
    expect(() => ins.run('a', 0, 6, 0)).toThrow(/CHECK/);
    expect(() => ins.run('b', 0, -1, 0)).toThrow(/CHECK/);
    expect(() => ins.run('c', 0, null, 4)).toThrow(/CHECK/);
    expect(() => ins.run('d', 2, null, 0)).toThrow(/CHECK/);
    ins.run('e', 1, null, 3);
  });

  it('keeps album names unique regardless of case and drops membership, not photos, with the album', () => {
    const db = migrated();
    db.prepare("INSERT INTO albums (id, name, created_at, updated_at) VALUES (1, 'Trips', 0, 0)").run();
    expect(() => db.prepare("INSERT INTO albums (name, created_at, updated_at) VALUES ('TRIPS', 0, 0)").run()).toThrow(/UNIQUE/);
    const add = db.prepare('INSERT INTO album_photos (album_id, photo_hash, added_at) VALUES (1, ?, 0)');
    add.run('h1');
    add.run('gone-hash');
    expect(() => add.run('h1')).toThrow(/UNIQUE|PRIMARY/);
    db.prepare('DELETE FROM albums WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM album_photos').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM photos').pluck().get()).toBe(1);
  });

  it('records trash moves with their files, states checked', () => {
    const db = migrated();
    db.prepare("INSERT INTO trash_moves (id, token, moved_at) VALUES (1, 't1', 0)").run();
    const add = db.prepare(
      "INSERT INTO trash_items (move_id, photo_hash, folder_id, rel_path, path, size, mtime_ms, state, updated_at) VALUES (1, 'h1', 1, 'a.jpg', '/x/a.jpg', 1, 0, ?, 0)",
    );
    add.run('moving');
    expect(() => add.run('deleted')).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO trash_moves (token, moved_at) VALUES ('t1', 0)").run()).toThrow(/UNIQUE/);
    db.prepare('DELETE FROM trash_moves WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM trash_items').pluck().get()).toBe(0);
  });
});
