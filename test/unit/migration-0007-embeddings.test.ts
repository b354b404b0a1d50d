/**
 * @file Migration 0007-embeddings ([Note: Stored embeddings]): applies on a version-6 library; a vector
 * must be as long as its dimension says; a rewrite is a new row with a larger id and logs no removal,
 * a deleted photo takes its vectors with it and logs them; every source of a description re-queues the
 * photo's 'embed' job (not a running one, not another step's) in the writing transaction; and the hot
 * lookups go through indexes (an EXPLAIN QUERY PLAN per path).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../main/db/open';
import { migrations } from '../../main/db/migrations';

const at = migrations.findIndex((m) => m.name === 'embeddings');

function atPrevious() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  expect(at).toBeGreaterThan(0);
  migrate(db, migrations.slice(0, at));
  const photo = db.prepare("INSERT INTO photos (id, hash, file_time, created_at) VALUES (?, ?, '2020-01-01T00:00:00', 0)");
  for (const id of [1, 2, 3]) photo.run(id, `h${id}`);
  db.prepare("INSERT INTO photo_captions (photo_id, text, made_at) VALUES (1, 'A tram.', 1)").run();
  return db;
}

function migrated() {
  const db = atPrevious();
  expect(migrate(db, migrations.slice(0, at + 1))).toBe(migrations[at]!.version);
  return db;
}

const vec = (n: number) => Buffer.from(new Float32Array(n).fill(0.5).buffer);
const write = (db: Database.Database, photo: number, model = 'm', dim = 4) =>
  db
    .prepare(
      "INSERT OR REPLACE INTO photo_embeddings (photo_id, model_id, dim, text, text_hash, vector, made_at) VALUES (?, ?, ?, 'x', 'h', ?, 0)",
    )
    .run(photo, model, dim, vec(dim));

const plan = (db: Database.Database, sql: string) =>
  db
    .prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all()
    .map((r) => r.detail)
    .join('\n');

describe('migration 0007-embeddings', () => {
  it('stores vectors whose length matches their dimension, one per photo and model', () => {
    const db = migrated();
    write(db, 1);
    write(db, 1, 'other');
    expect(db.prepare('SELECT count(*) FROM photo_embeddings').pluck().get()).toBe(2);
    expect(() =>
      db
        .prepare(
          "INSERT INTO photo_embeddings (photo_id, model_id, dim, text, text_hash, vector, made_at) VALUES (2, 'm', 4, '', '', ?, 0)",
        )
        .run(vec(3)),
    ).toThrow(/CHECK/);
    expect(() => write(db, 99)).toThrow(/FOREIGN KEY/);
  });

  it('gives a rewrite a larger id without logging a removal; logs a deletion and a deleted photo', () => {
    const db = migrated();
    const id = (photo: number) => db.prepare('SELECT id FROM photo_embeddings WHERE photo_id = ?').pluck().get(photo) as number;
    write(db, 1);
    write(db, 2);
    const first = id(1);
    write(db, 1);
    expect(id(1)).toBeGreaterThan(id(2));
    expect(id(1)).toBeGreaterThan(first);
    const removals = () => db.prepare('SELECT photo_id, model_id FROM photo_embedding_removals ORDER BY seq').all();
    expect(removals()).toEqual([]);
    db.prepare('DELETE FROM photos WHERE id = 2').run();
    db.prepare("DELETE FROM photo_embeddings WHERE photo_id = 1 AND model_id = 'm'").run();
    expect(removals()).toEqual([
      { photo_id: 2, model_id: 'm' },
      { photo_id: 1, model_id: 'm' },
    ]);
    expect(db.prepare('SELECT count(*) FROM photo_embeddings').pluck().get()).toBe(0);
  });

  it("re-queues the photo's embed job when its caption, text, tags or a tag's label change", () => {
    const db = migrated();
    const job = db.prepare("INSERT INTO jobs (photo_id, step, state, pipeline_version, updated_at) VALUES (?, ?, ?, 'v', 0)");
    job.run(1, 'embed', 'done');
    job.run(2, 'embed', 'failed-permanent');
    job.run(3, 'embed', 'running');
    job.run(1, 'thumbnail', 'done');
    const state = (photo: number, step = 'embed') =>
      db.prepare('SELECT state FROM jobs WHERE photo_id = ? AND step = ?').pluck().get(photo, step) as string;
    const settle = () => db.prepare("UPDATE jobs SET state = 'done' WHERE step = 'embed' AND state = 'pending'").run();

    db.prepare("UPDATE photo_captions SET text = 'A red bus.' WHERE photo_id = 1").run();
    expect([state(1), state(2), state(3), state(1, 'thumbnail')]).toEqual(['pending', 'failed-permanent', 'running', 'done']);
    settle();
    db.prepare('UPDATE photo_captions SET made_at = 5 WHERE photo_id = 1').run(); // the text did not change
    expect(state(1)).toBe('done');
    db.prepare("INSERT INTO photo_texts (photo_id, text, made_at) VALUES (2, 'STOP', 1)").run();
    expect(state(2)).toBe('pending');
    settle();
    const label = db.prepare<[string], number>('SELECT id FROM tag_labels WHERE label = ?').pluck();
    db.prepare("INSERT INTO photo_tags (photo_id, label_id, source, made_at) VALUES (1, ?, 'model', 1)").run(label.get('beach'));
    expect(state(1)).toBe('pending');
    settle();
    db.prepare("UPDATE tag_labels SET label = 'seaside' WHERE label = 'beach'").run();
    expect(state(1)).toBe('pending');
    settle();
    db.prepare("UPDATE photo_tags SET source = 'user', removed = 1 WHERE photo_id = 1").run();
    expect(state(1)).toBe('pending');
    settle();
    db.prepare('DELETE FROM photo_captions WHERE photo_id = 1').run();
    expect(state(1)).toBe('pending');
    expect(state(3)).toBe('running');
  });

  it('looks vectors, hashes, removals and jobs up through indexes', () => {
    const db = migrated();
    expect(plan(db, "SELECT id, photo_id, vector FROM photo_embeddings WHERE model_id = 'm' AND id > 5 ORDER BY id LIMIT 10")).toMatch(
      /USING INDEX photo_embeddings_model \(model_id=\? AND id>\?\)/,
    );
    expect(plan(db, "SELECT text_hash FROM photo_embeddings WHERE photo_id = 1 AND model_id = 'm'")).toMatch(
      /USING INDEX sqlite_autoindex_photo_embeddings_1 \(photo_id=\? AND model_id=\?\)/,
    );
    expect(plan(db, "SELECT seq FROM photo_embedding_removals WHERE model_id = 'm' AND seq > 3")).toMatch(
      /USING (COVERING )?INDEX photo_embedding_removals_model/,
    );
    expect(plan(db, "UPDATE jobs SET state = 'pending' WHERE step = 'embed' AND photo_id IN (1) AND state = 'done'")).toMatch(
      /USING INDEX sqlite_autoindex_jobs_1 \(photo_id=\? AND step=\?\)/,
    );
  });
});
