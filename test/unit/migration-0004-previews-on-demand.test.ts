/**
 * @file Migration 0004-previews-on-demand: the retired 'preview' step's jobs go (pending ones would show
 * as work left forever); every other job and the previews already recorded on photos stay.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../main/db/open';
import { migrations } from '../../main/db/migrations';

describe('migration 0004-previews-on-demand', () => {
  it("drops the 'preview' step's jobs, keeps the rest and the photos' preview keys", () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    const at = migrations.findIndex((m) => m.name === 'previews-on-demand');
    expect(at).toBeGreaterThan(0);
    expect(migrate(db, migrations.slice(0, at))).toBe(at);
    const hash = 'a'.repeat(32);
    db.prepare("INSERT INTO photos (hash, file_time, preview, created_at) VALUES (?, '2020-01-01T00:00:00.000', ?, 0)").run(
      hash,
      `${hash}-p1.jpg`,
    );
    db.prepare("INSERT INTO photos (hash, file_time, created_at) VALUES (?, '2020-01-01T00:00:00.000', 0)").run('b'.repeat(32));
    const job = db.prepare("INSERT INTO jobs (photo_id, step, state, pipeline_version, updated_at) VALUES (?, ?, ?, '1', 0)");
    job.run(1, 'metadata', 'done');
    job.run(1, 'thumbnail', 'done');
    job.run(1, 'preview', 'done');
    job.run(2, 'thumbnail', 'pending');
    job.run(2, 'preview', 'pending');
    expect(migrate(db, migrations.slice(0, at + 1))).toBe(at + 1);
    const steps = db.prepare('SELECT photo_id, step, state FROM jobs ORDER BY photo_id, step').all();
    expect(steps).toEqual([
      { photo_id: 1, step: 'metadata', state: 'done' },
      { photo_id: 1, step: 'thumbnail', state: 'done' },
      { photo_id: 2, step: 'thumbnail', state: 'pending' },
    ]);
    expect(db.prepare('SELECT preview FROM photos ORDER BY id').pluck().all()).toEqual([`${hash}-p1.jpg`, null]);
  });
});
