/**
 * @file The migration sequence (numbered without gaps, a newer database refused), the initial schema
 * (0001) and the queue index it creates. From 0002 on, each migration has its own file,
 * test/unit/migration-NNNN-name.test.ts: it applies on the previous version, leaves `user_version` at
 * its number, and its schema does what later code relies on.
 */
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { DatabaseTooNewError, LATEST_SCHEMA, migrate, openDatabase } from '../../main/db/open';
import { migrations } from '../../main/db/migrations';

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(LATEST_SCHEMA).toBe(migrations.length);
  });

  it('0001-initial creates folders, photos, files, jobs with their constraints and indexes', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, migrations.slice(0, 1))).toBe(1);
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['files', 'folders', 'jobs', 'photos', 'settings']));
    const indexes = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index'")
      .all()
      .map((r) => r.name);
    expect(indexes).toEqual(expect.arrayContaining(['photos_sort', 'files_photo', 'jobs_queue', 'jobs_step']));

    db.prepare('INSERT INTO folders (path, added_at) VALUES (?, 0)').run('/p');
    db.prepare("INSERT INTO photos (hash, file_time, created_at) VALUES ('h1', '2020-01-01T00:00:00.000', 0)").run();
    db.prepare("UPDATE photos SET taken_at = '2019-05-05T10:00:00' WHERE hash = 'h1'").run();
    // sort_key is generated: EXIF capture time first, file time otherwise.
    expect(db.prepare("SELECT sort_key FROM photos WHERE hash = 'h1'").pluck().get()).toBe('2019-05-05T10:00:00');
    expect(() => db.prepare("INSERT INTO photos (hash, file_time, created_at) VALUES ('h1', 'x', 0)").run()).toThrow(/UNIQUE/);
    db.prepare("INSERT INTO files (folder_id, rel_path, photo_id, size, mtime_ms, seen_at) VALUES (1, 'a.jpg', 1, 1, 1, 1)").run();
    expect(() => db.prepare("INSERT INTO files (folder_id, rel_path, size, mtime_ms, seen_at) VALUES (1, 'a.jpg', 1, 1, 1)").run()).toThrow(
      /UNIQUE/,
    );
    db.prepare("INSERT INTO jobs (photo_id, step, pipeline_version, updated_at) VALUES (1, 'thumbnail', 1, 0)").run();
    expect(() => db.prepare("INSERT INTO jobs (photo_id, step, pipeline_version, updated_at) VALUES (1, 'thumbnail', 1, 0)").run()).toThrow(
      /UNIQUE/,
    );
    expect(() => db.prepare("UPDATE jobs SET state = 'bogus'").run()).toThrow(/CHECK/);
    // Removing a folder removes its files; deleting a photo removes its jobs.
    db.prepare('DELETE FROM folders').run();
    expect(db.prepare('SELECT count(*) FROM files').pluck().get()).toBe(0);
    db.prepare('DELETE FROM photos').run();
    expect(db.prepare('SELECT count(*) FROM jobs').pluck().get()).toBe(0);
  });

  it('the queue query uses the jobs_queue index', () => {
    const db = openDatabase(':memory:');
    const plan = db
      .prepare<[], { detail: string }>(
        "EXPLAIN QUERY PLAN SELECT * FROM jobs WHERE state = 'pending' AND step IN (SELECT value FROM json_each('[\"a\"]')) ORDER BY rank, priority DESC, id LIMIT 1",
      )
      .all()
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toMatch(/jobs_queue/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('refuses a database from a newer version', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${LATEST_SCHEMA + 1}`);
    expect(() => migrate(db)).toThrow(DatabaseTooNewError);
  });
});
