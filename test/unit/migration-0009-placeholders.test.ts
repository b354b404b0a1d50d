/**
 * @file Migration 0009-placeholders ([Note: Placeholders] in main/library/placeholders.ts): applies on a
 * version-8 library keeping its photos, adds a nullable `placeholder` BLOB that takes a ThumbHash-sized
 * value and refuses anything that is not one.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../main/db/open';
import { migrations } from '../../main/db/migrations';

const at = migrations.findIndex((m) => m.name === 'placeholders');

function migrated() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  expect(at).toBeGreaterThan(0);
  migrate(db, migrations.slice(0, at));
  db.prepare("INSERT INTO photos (id, hash, file_time, created_at, thumb) VALUES (1, 'h1', '2020-01-01T00:00:00', 0, 'k-t1.jpg')").run();
  expect(migrate(db, migrations.slice(0, at + 1))).toBe(migrations[at]!.version);
  return db;
}

describe('migration 0009-placeholders', () => {
  it('keeps existing photos, with no placeholder until the thumbnail step gives them one', () => {
    const db = migrated();
    expect(db.prepare('SELECT thumb, placeholder FROM photos WHERE id = 1').get()).toEqual({ thumb: 'k-t1.jpg', placeholder: null });
  });

  it('stores a ThumbHash-sized blob and refuses empty or oversized ones', () => {
    const db = migrated();
    const set = db.prepare('UPDATE photos SET placeholder = ? WHERE id = 1');
    set.run(Buffer.alloc(24, 7));
    expect(db.prepare('SELECT length(placeholder) FROM photos').pluck().get()).toBe(24);
    expect(() => set.run(Buffer.alloc(0))).toThrow(/CHECK/);
    expect(() => set.run(Buffer.alloc(65))).toThrow(/CHECK/);
  });
});
