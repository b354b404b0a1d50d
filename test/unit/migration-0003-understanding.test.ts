/**
 * @file Migration 3 (understanding): jobs keep every row with a TEXT pipeline version, the taxonomy is
 * seeded, the derived-data tables are STRICT, cascade with their photo, refuse what the rules forbid,
 * and the hot lookups use their indexes (Signal's habit: an EXPLAIN QUERY PLAN assertion per migration).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../main/db/open';
import { migrations } from '../../main/db/migrations';
import { DEFAULT_LABELS, DEFAULT_TEXT_LABELS } from '../../main/understanding/default-taxonomy';

function atVersion2() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  expect(migrate(db, migrations.slice(0, 2))).toBe(2);
  db.prepare("INSERT INTO photos (id, hash, file_time, created_at) VALUES (7, 'h7', '2020-01-01T00:00:00', 0)").run();
  db.prepare("INSERT INTO photos (id, hash, file_time, created_at) VALUES (8, 'h8', '2020-01-01T00:00:00', 0)").run();
  db.prepare(
    "INSERT INTO jobs (id, photo_id, step, rank, state, priority, attempts, last_error, pipeline_version, updated_at) VALUES (41, 7, 'thumbnail', 10, 'done', 5, 1, NULL, 1, 9)",
  ).run();
  db.prepare(
    "INSERT INTO jobs (id, photo_id, step, rank, state, priority, attempts, last_error, pipeline_version, updated_at) VALUES (42, 8, 'metadata', 0, 'failed-permanent', 6, 3, 'bad', 2, 10)",
  ).run();
  return db;
}

const plan = (db: Database.Database, sql: string) =>
  db
    .prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all()
    .map((r) => r.detail)
    .join('\n');

describe('migration 0003-understanding', () => {
  it('rebuilds jobs with a TEXT pipeline_version, keeping every row, id, index and cascade', () => {
    const db = atVersion2();
    expect(migrate(db, migrations.slice(0, 3))).toBe(3);
    const rows = db
      .prepare(
        'SELECT id, photo_id, step, state, attempts, last_error, pipeline_version, typeof(pipeline_version) AS t FROM jobs ORDER BY id',
      )
      .all();
    expect(rows).toEqual([
      { id: 41, photo_id: 7, step: 'thumbnail', state: 'done', attempts: 1, last_error: null, pipeline_version: '1', t: 'text' },
      {
        id: 42,
        photo_id: 8,
        step: 'metadata',
        state: 'failed-permanent',
        attempts: 3,
        last_error: 'bad',
        pipeline_version: '2',
        t: 'text',
      },
    ]);
    db.prepare("INSERT INTO jobs (photo_id, step, pipeline_version, updated_at) VALUES (7, 'understand', 'understand:1:m:int8', 0)").run();
    expect(() =>
      db.prepare("INSERT INTO jobs (photo_id, step, pipeline_version, updated_at) VALUES (7, 'understand', 'x', 0)").run(),
    ).toThrow(/UNIQUE/);
    const indexes = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs'").all();
    expect(indexes.map((i) => i.name)).toEqual(expect.arrayContaining(['jobs_queue', 'jobs_step']));
    db.prepare('DELETE FROM photos WHERE id = 7').run();
    expect(db.prepare('SELECT count(*) FROM jobs WHERE photo_id = 7').pluck().get()).toBe(0);
  });

  it('seeds the taxonomy in order, text labels marked, and keeps labels unique regardless of case', () => {
    const db = atVersion2();
    migrate(db, migrations.slice(0, 3));
    const labels = db
      .prepare<[], { label: string; is_text_label: number; enabled: number; user_added: number }>(
        'SELECT label, is_text_label, enabled, user_added FROM tag_labels ORDER BY position',
      )
      .all();
    expect(labels.map((l) => l.label)).toEqual(DEFAULT_LABELS);
    expect(
      labels
        .filter((l) => l.is_text_label === 1)
        .map((l) => l.label)
        .sort(),
    ).toEqual([...DEFAULT_TEXT_LABELS].sort());
    expect(labels.every((l) => l.enabled === 1 && l.user_added === 0)).toBe(true);
    expect(() => db.prepare("INSERT INTO tag_labels (label, position) VALUES ('Dog', 999)").run()).toThrow(/UNIQUE/);
    expect(() => db.prepare("INSERT INTO tag_labels (label, position) VALUES ('', 999)").run()).toThrow(/CHECK/);
  });

  it('keeps derived data STRICT, per photo, cascading with the photo; a model row cannot be a removal', () => {
    const db = atVersion2();
    migrate(db, migrations.slice(0, 3));
    const dog = db.prepare("SELECT id FROM tag_labels WHERE label = 'dog'").pluck().get() as number;
    db.prepare(
      "INSERT INTO photo_captions (photo_id, text, finish, model_id, variant, version, made_at) VALUES (8, 'A dog.', 'stop', 'm', 'fp32', 'understand:1:m:fp32', 1)",
    ).run();
    db.prepare("INSERT INTO photo_texts (photo_id, text, by_user, made_at) VALUES (8, 'EXIT', 1, 1)").run();
    db.prepare("INSERT INTO photo_tags (photo_id, label_id, source, score, raw_score, made_at) VALUES (8, ?, 'model', 1.5, -2.5, 1)").run(
      dog,
    );
    db.prepare(
      "INSERT INTO photo_understanding (photo_id, state, model_id, variant, version, made_at) VALUES (8, 'runaway', 'm', 'fp32', 'v', 1)",
    ).run();
    // The caption's rowid is the photo id: an FTS table's triggers can key on it.
    expect(db.prepare('SELECT rowid FROM photo_captions').pluck().get()).toBe(8);
    expect(() => db.prepare("UPDATE photo_tags SET removed = 1 WHERE source = 'model'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE photo_understanding SET state = 'meh'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE photo_captions SET made_at = 'soon'").run()).toThrow(/cannot store TEXT value in INTEGER column/);
    expect(() => db.prepare("INSERT INTO photo_captions (photo_id, text, made_at) VALUES (999, 'x', 1)").run()).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM photos WHERE id = 8').run();
    for (const t of ['photo_captions', 'photo_texts', 'photo_tags', 'photo_understanding']) {
      expect(db.prepare(`SELECT count(*) FROM ${t}`).pluck().get(), t).toBe(0);
    }
  });

  it('serves the hot lookups from indexes', () => {
    const db = atVersion2();
    migrate(db, migrations.slice(0, 3));
    // A photo's tags (photos:understanding, and every model write): the primary key, no sort table for the photo.
    expect(plan(db, 'SELECT * FROM photo_tags WHERE photo_id = 8')).toMatch(/SEARCH photo_tags USING PRIMARY KEY \(photo_id=\?\)/);
    // Photos with a tag (search, next issue): the partial label index.
    expect(plan(db, 'SELECT photo_id FROM photo_tags WHERE label_id = 3 AND removed = 0')).toMatch(/USING COVERING INDEX photo_tags_label/);
    expect(plan(db, 'SELECT * FROM photo_captions WHERE photo_id = 8')).toMatch(/USING INTEGER PRIMARY KEY/);
    expect(plan(db, "SELECT * FROM tag_labels WHERE label = 'Dog'")).toMatch(/USING INDEX sqlite_autoindex_tag_labels/);
    // The understanding step's claim: the queue index, best candidates first, then the thumbnail check by (photo_id, step).
    const claim = plan(
      db,
      `SELECT c.* FROM (SELECT * FROM jobs WHERE state = 'pending' AND step = 'understand' ORDER BY rank, priority DESC, id LIMIT 64) c
       WHERE NOT EXISTS (SELECT 1 FROM jobs d WHERE d.photo_id = c.photo_id AND d.state IN ('pending', 'running')
                         AND d.step IN (SELECT value FROM json_each('["thumbnail"]')))
       ORDER BY c.rank, c.priority DESC, c.id LIMIT 4`,
    );
    expect(claim).toMatch(/jobs_queue/);
    expect(claim).toMatch(/sqlite_autoindex_jobs_1 \(photo_id=\? AND step=\?\)/);
  });
});
