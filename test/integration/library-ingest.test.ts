/**
 * @file Discovery of single files against a real database: the stat fast path, a file deleted before it
 * is read, a file rewritten while it is being hashed, and exact duplicates sharing one photo row.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFilesRepo } from '../../main/db/files.repo';
import { createFoldersRepo } from '../../main/db/folders.repo';
import { createJobsRepo } from '../../main/db/jobs.repo';
import { openDatabase, type Db } from '../../main/db/open';
import { createPhotosRepo } from '../../main/db/photos.repo';
import { createIngest, type Ingest } from '../../main/library/ingest';

let dir: string;
let db: Db;
let ingest: Ingest;
let folder: { id: number; path: string };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoebox-ingest-'));
  db = openDatabase(':memory:');
  const folders = createFoldersRepo(db);
  folder = { id: folders.insert(dir, 0), path: dir };
  ingest = createIngest({
    db,
    photos: createPhotosRepo(db),
    files: createFilesRepo(db),
    jobs: createJobsRepo(db),
    steps: () => [{ name: 'thumbnail', rank: 10, version: '1', kinds: ['image'] }],
    readStep: { name: 'read', rank: -1, version: '1', kinds: [] },
  });
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ingest', () => {
  it('adds, then skips an unchanged file by size and mtime, and groups duplicates', async () => {
    writeFileSync(join(dir, 'a.jpg'), 'same bytes');
    writeFileSync(join(dir, 'b.jpg'), 'same bytes');
    const a = await ingest.file(folder, 'a.jpg');
    expect(a.outcome).toBe('added');
    expect((await ingest.file(folder, 'a.jpg')).outcome).toBe('unchanged');
    const b = await ingest.file(folder, 'b.jpg');
    expect(b.outcome).toBe('updated'); // a new path for known content
    expect(b.photoId).toBe(a.photoId);
    expect(db.prepare('SELECT count(*) FROM photos').pluck().get()).toBe(1);
    expect(db.prepare('SELECT count(*) FROM jobs').pluck().get()).toBe(1);
  });

  it('marks a file deleted before it is read as missing', async () => {
    writeFileSync(join(dir, 'gone.jpg'), 'soon gone');
    await ingest.file(folder, 'gone.jpg');
    rmSync(join(dir, 'gone.jpg'));
    expect((await ingest.file(folder, 'gone.jpg', undefined, true)).outcome).toBe('gone');
    expect(db.prepare("SELECT status FROM files WHERE rel_path = 'gone.jpg'").pluck().get()).toBe('missing');
  });

  it('does not record a file that is rewritten while being hashed', async () => {
    const file = join(dir, 'growing.jpg');
    writeFileSync(file, Buffer.alloc(64 << 20, 1));
    let writing = true;
    const writer = (async () => {
      while (writing) {
        appendFileSync(file, Buffer.alloc(4096, 2));
        await new Promise((r) => setImmediate(r));
      }
    })();
    const r = await ingest.file(folder, 'growing.jpg');
    writing = false;
    await writer;
    expect(r.outcome).toBe('changing');
    expect(db.prepare("SELECT count(*) FROM files WHERE rel_path = 'growing.jpg'").pluck().get()).toBe(0);
    // Once it settles, it is recorded with its final size.
    const settled = await ingest.file(folder, 'growing.jpg');
    expect(settled.outcome).toBe('added');
  });
});
