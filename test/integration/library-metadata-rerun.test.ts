/**
 * @file [Note: Narrow step versions] in main/library/steps.ts, on a real SQLite file: a library indexed by
 * metadata step 1 (before PNG eXIf/XMP chunks past byte 512 were read) re-reads its PNGs at the next start,
 * and only them; a JPEG keeps what was read, its job done at the new version; a job at a version the step
 * does not list re-runs whatever its photo.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createJobsRepo } from '../../main/db/jobs.repo';
import { METADATA_RERUN_ONLY, STEP_VERSIONS } from '../../main/library/steps';
import { FIXTURES, makeHarness, type Harness } from './helpers/library-harness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

const FILES = {
  'xmp after iccp.png': 'metadata/xmp after iccp.png',
  'exif after idat.png': 'metadata/exif after idat.png',
  'fruits.jpg': 'formats/fruits.jpg',
  'old.jpg': 'bad/names/name with spaces.jpg',
} as const;
type Name = keyof typeof FILES;
/** What metadata step 1 is made to have stored: nothing from the late chunks, and a title to tell a re-read by. */
const STALE = 'read by metadata step 1';

type Row = { title: string | null; taken: string | null; state: string; version: string; updated: number };

function rows(hh: Harness): Record<Name, Row> {
  const all = hh.db
    .prepare<[], Row & { name: Name }>(
      `SELECT f.rel_path AS name, p.xmp_title AS title, p.taken_at AS taken, j.state, j.pipeline_version AS version, j.updated_at AS updated
       FROM files f JOIN photos p ON p.id = f.photo_id JOIN jobs j ON j.photo_id = p.id AND j.step = 'metadata'`,
    )
    .all();
  return Object.fromEntries(all.map(({ name, ...r }) => [name, r])) as Record<Name, Row>;
}

async function indexedByStep1(): Promise<Harness> {
  const hh = makeHarness();
  mkdirSync(hh.photosDir, { recursive: true });
  for (const [name, from] of Object.entries(FILES)) copyFileSync(join(FIXTURES, from), join(hh.photosDir, name));
  await hh.lib.addFolder(hh.photosDir);
  await hh.lib.whenIdle();
  // As step 1 left them: the PNGs' late chunks unread, every job done at '1' long ago; one job at a
  // version the step does not list.
  hh.db.prepare('UPDATE photos SET xmp_title = ?, taken_at = NULL, xmp_rating = NULL').run(STALE);
  hh.db.prepare("UPDATE jobs SET pipeline_version = '1', updated_at = 1 WHERE step = 'metadata'").run();
  hh.db
    .prepare(
      "UPDATE jobs SET pipeline_version = '0' WHERE step = 'metadata' AND photo_id = (SELECT photo_id FROM files WHERE rel_path = ?)",
    )
    .run('old.jpg');
  return hh;
}

describe('metadata step 2 re-reads only the PNGs that step 1 read', () => {
  it('at the next start: PNGs get their late eXIf and XMP, a JPEG keeps its row and its done job', async () => {
    expect(STEP_VERSIONS.metadata).toBe(2);
    h = await indexedByStep1();
    const hh = h;
    await hh.reopen();
    await hh.lib.start();
    await hh.lib.whenIdle();
    const r = rows(hh);
    expect(r['xmp after iccp.png']).toMatchObject({ title: 'Harbour café', taken: '2019-08-09T10:11:12', state: 'done', version: '2' });
    expect(r['exif after idat.png']).toMatchObject({ title: null, taken: '2021-03-04T05:06:07', state: 'done', version: '2' });
    expect(r['xmp after iccp.png'].updated).toBeGreaterThan(1);
    // Not read again: the stale title stays, and the job only took the new version.
    expect(r['fruits.jpg']).toEqual({ title: STALE, taken: null, state: 'done', version: '2', updated: 1 });
    // A version the step does not list: read again like any version change.
    expect(r['old.jpg']).toMatchObject({ title: null, state: 'done', version: '2' });
    expect(r['old.jpg'].updated).toBeGreaterThan(1);
    // The next start finds nothing to do.
    await hh.reopen();
    await hh.lib.start();
    await hh.lib.whenIdle();
    expect(rows(hh)['fruits.jpg']).toEqual(r['fruits.jpg']);
    expect(rows(hh)['xmp after iccp.png'].updated).toBe(r['xmp after iccp.png'].updated);
  }, 60_000);

  it('requeueVersion re-queues the PNGs and the unlisted version; a running JPEG job too (its outcome is stale)', () => {
    h = makeHarness();
    const hh = h;
    const jobs = createJobsRepo(hh.db);
    const step = { name: 'metadata', rank: 0, version: '2', kinds: ['image', 'raw', 'video'], rerunOnly: METADATA_RERUN_ONLY };
    const add = (mime: string, version: string, state = 'done') => {
      const id = Number(
        hh.db
          .prepare("INSERT INTO photos (hash, kind, mime, file_time, created_at) VALUES (?, 'image', ?, '2020-01-01T00:00:00', 0)")
          .run(`${mime}-${version}-${state}`, mime).lastInsertRowid,
      );
      hh.db
        .prepare("INSERT INTO jobs (photo_id, step, rank, state, pipeline_version, updated_at) VALUES (?, 'metadata', 0, ?, ?, 1)")
        .run(id, state, version);
      return id;
    };
    const state = (id: number) => jobs.forPhoto(id, 'metadata');
    const png = add('image/png', '1');
    const jpeg = add('image/jpeg', '1');
    const failedJpeg = add('image/jpeg', '1', 'failed-permanent');
    const unlisted = add('image/jpeg', '0');
    const running = add('image/jpeg', '1', 'running');
    expect(jobs.requeueVersion(step, 5)).toBe(3);
    expect(state(png)).toMatchObject({ state: 'pending', pipeline_version: '2', updated_at: 5 });
    expect(state(unlisted)).toMatchObject({ state: 'pending', pipeline_version: '2', updated_at: 5 });
    expect(state(running)).toMatchObject({ state: 'pending', pipeline_version: '2', updated_at: 5 });
    expect(state(jpeg)).toMatchObject({ state: 'done', pipeline_version: '2', updated_at: 1 });
    expect(state(failedJpeg)).toMatchObject({ state: 'failed-permanent', pipeline_version: '2', updated_at: 1 });
    expect(jobs.requeueVersion(step, 6)).toBe(0);
    // Without the list, a JPEG done at '1' is re-queued like every other job.
    hh.db.prepare("UPDATE jobs SET state = 'done', pipeline_version = '1'").run();
    expect(jobs.requeueVersion({ ...step, rerunOnly: {} }, 7)).toBe(5);
  });
});
