/**
 * @file The collections benchmark (issue 12): grid pages, counts and months of the views over a
 * 100k-photo library with no marks and with 2000 hidden and 6000 marked photos, the same page of the
 * bare photos table before views existed, favouriting all 100k photos and its undo, and a 98k album.
 *
 * Run: node --import tsx test/bench/collections.ts
 * Rows are made directly (no image files): this measures SQL only. Prints the load average: on a
 * shared machine compare ratios, not absolute times.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../main/db/open';
import { createPhotosRepo } from '../../main/db/photos.repo';
import { createViewsRepo } from '../../main/db/collections-views.repo';
import { createCollections } from '../../main/library/collections';

const N = 100_000;
const dir = mkdtempSync(join(tmpdir(), 'shoebox-bench-collections-'));
const db = openDatabase(join(dir, 'library.sqlite'));
console.log(
  'load average',
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' '),
);
db.prepare("INSERT INTO folders (id, path, added_at) VALUES (1, '/x', 0)").run();
const ins = db.prepare('INSERT INTO photos (id, hash, file_time, created_at) VALUES (?, ?, ?, 0)');
const insF = db.prepare('INSERT INTO files (folder_id, rel_path, photo_id, size, mtime_ms, seen_at) VALUES (1, ?, ?, 1, 0, 0)');
db.transaction(() => {
  for (let i = 1; i <= N; i++) {
    const t = new Date(Date.UTC(2000, 0, 1) + i * 3_600_000 * 2).toISOString().slice(0, 19);
    ins.run(i, `h${i}`, t);
    insF.run(`p${i}.jpg`, i);
  }
})();
db.exec('ANALYZE');
const photos = createPhotosRepo(db);
const views = createViewsRepo(db);
const time = (label: string, fn: () => unknown, reps = 5) => {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  console.log(label.padEnd(48), ((performance.now() - t0) / reps).toFixed(2), 'ms');
};
for (const off of [0, 50_000, 99_000]) time(`old photos.page offset ${off}`, () => photos.page(off, 200));
for (const off of [0, 50_000, 99_000]) time(`view all page offset ${off} (no marks)`, () => views.page(undefined, off, 200));
time('old count', () => photos.count());
time('view all count (no marks)', () => views.count(undefined));
time('old months', () => photos.months());
time('view all months (no marks)', () => views.months(undefined));
const col = createCollections({ db, emit: () => {}, onChanged: () => {} });
let t0 = performance.now();
const r = col.setFavourite({ all: true, except: [] }, true);
console.log('setFavourite all 100k'.padEnd(48), (performance.now() - t0).toFixed(0), 'ms', r.changed);
t0 = performance.now();
col.undo(r.undoToken!);
console.log('undo favourite all 100k'.padEnd(48), (performance.now() - t0).toFixed(0), 'ms');
const ids = Array.from({ length: 2000 }, (_, i) => 1 + i * 50);
col.setHidden({ ids }, true);
col.setFavourite({ ids: ids.map((x) => x + 1) }, true);
col.setRating({ ids: ids.map((x) => x + 2) }, 4);
for (const off of [0, 50_000, 97_000]) time(`view all page offset ${off} (2000 hidden, 6000 marks)`, () => views.page(undefined, off, 200));
time('view all count (2000 hidden)', () => views.count(undefined));
time('view all months (2000 hidden)', () => views.months(undefined));
time('favourites page 0', () => views.page({ kind: 'favourites' }, 0, 200));
time('favourites count', () => views.count({ kind: 'favourites' }));
time('hidden page 0', () => views.page({ kind: 'hidden' }, 0, 200));
const a = col.createAlbum('Big', { all: true, except: [] });
console.log('album of', a.added, 'photos created');
time('album page offset 0', () => views.page({ kind: 'album', albumId: a.id }, 0, 200));
time('album page offset 90000', () => views.page({ kind: 'album', albumId: a.id }, 90_000, 200));
time('albums list (1 album of 98k)', () => col.listAlbums());
db.close();
rmSync(dir, { recursive: true, force: true });
