/**
 * @file `photos:layout` on a real SQLite file ([Note: Grid layout data] in preload/contract/layout.ts): the
 * days and aspect ratios come in exactly the order and for exactly the photos `photos:page` lists with the
 * same view and folder (hidden photos out of 'all', in 'hidden'; one folder when asked), photos without
 * dimensions get the "unknown" code, a photo turned a quarter turn for display has its shape swapped, chunks
 * continue exactly where the last ended, and 100k photos answer in well under a second.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PhotoView } from '../../preload/contract';
import { decodeAspect } from '../../preload/contract/aspect-code';
import { createViewsRepo, viewSql } from '../../main/db/collections-views.repo';
import { createFilesRepo } from '../../main/db/files.repo';
import { createFoldersRepo } from '../../main/db/folders.repo';
import { createLayoutRepo } from '../../main/db/layout.repo';
import { openDatabase, type Db } from '../../main/db/open';
import { createPhotosRepo } from '../../main/db/photos.repo';
import { createLayoutRead } from '../../main/library/layout-read';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoebox-layout-'));
  db = openDatabase(join(dir, 'library.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Photos over three days in two folders, of several shapes; one hidden, one without dimensions. */
function library() {
  const photos = createPhotosRepo(db);
  const files = createFilesRepo(db);
  const folders = createFoldersRepo(db);
  const trips = folders.insert(join(dir, 'Trips'), 0);
  const home = folders.insert(join(dir, 'Home'), 0);
  const add = (name: string, folderId: number, takenAt: string, size: [number, number] | null) => {
    const id = photos.insert({ hash: name, kind: 'image', mime: null, fileTime: takenAt, error: null, now: 0 });
    photos.setMetadata(id, { ...photos.get(id)!, taken_at: takenAt, width: size?.[0] ?? null, height: size?.[1] ?? null });
    files.upsert({ folderId, relPath: `${name}.jpg`, photoId: id, size: 1, mtimeMs: 0, status: 'ok', error: null, now: 0 });
    return id;
  };
  add('a', trips, '2024-07-02T10:00:00', [4000, 3000]);
  add('b', home, '2024-07-02T09:00:00', [3000, 4000]);
  add('c', trips, '2024-07-02T09:00:00', [1920, 1080]);
  add('d', trips, '2024-07-01T18:00:00', null);
  add('e', home, '2024-06-30T08:00:00', [1000, 1000]);
  add('hidden', trips, '2024-07-01T12:00:00', [300, 200]);
  db.prepare('INSERT INTO photo_marks (photo_hash, hidden, updated_at) VALUES (?, 1, 0)').run('hidden');
  return { trips, home };
}

/** The layout decoded, beside the page of the same view: day and aspect per photo, in grid order. */
async function both(view: PhotoView | undefined, folderId?: number) {
  const layout = await createLayoutRead(db)(folderId, undefined, view);
  const codes = Buffer.from(layout.aspects, 'base64');
  const days = layout.days.flatMap((d, i) => Array.from({ length: layout.counts[i]! }, () => d));
  const got = [...codes].map((c, i) => ({ day: days[i], aspect: Number(decodeAspect(c).toFixed(2)) }));
  const page = createViewsRepo(db).page(view, 0, 100, folderId);
  const want = page.map((r) => ({
    day: r.sort_key.slice(0, 10),
    aspect: r.width && r.height ? Number((r.width / r.height).toFixed(2)) : 1,
  }));
  return { layout, got, want };
}

describe('photos:layout', () => {
  it('lists the days and shapes of the same photos, in the same order, as the page', async () => {
    library();
    const { layout, got, want } = await both(undefined);
    expect(layout.total).toBe(5);
    expect(layout.days).toEqual(['2024-07-02', '2024-07-01', '2024-06-30']);
    expect(layout.counts).toEqual([3, 1, 1]);
    // Codes are ~1.3 % apart: compare at two decimals, within one step.
    got.forEach((g, i) => {
      expect(g.day).toBe(want[i]!.day);
      expect(Math.abs(g.aspect / want[i]!.aspect - 1)).toBeLessThan(0.013);
    });
    expect(got.map((g) => g.aspect)).toContain(1); // the photo without dimensions: a square
  });

  it('swaps the shape of a photo turned by a quarter turn, and only of those ([Note: Turned photos in the grid])', async () => {
    library();
    const turn = db.prepare('INSERT INTO photo_marks (photo_hash, rotation, updated_at) VALUES (?, ?, 0)');
    turn.run('a', 1); // 4000×3000 turned 90°: 3:4
    turn.run('b', 3); // 3000×4000 turned 270°: 4:3
    turn.run('c', 2); // 1920×1080 upside down: still 16:9
    turn.run('d', 1); // no dimensions: still a square
    const { layout, got } = await both(undefined);
    expect(layout.total).toBe(5);
    // Grid order: a, then c and b (the same time: the newer id first), d, e; codes are ~1.3 % apart.
    const want = [3 / 4, 1920 / 1080, 4 / 3, 1, 1];
    got.forEach((g, i) => expect(Math.abs(g.aspect / want[i]! - 1)).toBeLessThan(0.013));
    // Chunks that end on a turned photo keep the swap.
    const chunked = await createLayoutRepo(db).layout(viewSql({ kind: 'all' }), async () => {}, 1);
    expect(Buffer.from(chunked.aspects).toString('base64')).toBe(layout.aspects);
  });

  it('reads in chunks that continue where the last ended, ties in time included', async () => {
    library();
    const filter = viewSql({ kind: 'all' });
    let pauses = 0;
    const chunked = await createLayoutRepo(db).layout(filter, async () => void pauses++, 2);
    const whole = await createLayoutRepo(db).layout(filter, async () => void pauses++, 100);
    expect(pauses).toBe(2); // 5 photos in chunks of 2: two pauses, none for one chunk
    expect(chunked).toEqual(whole);
    expect([...chunked.aspects]).toHaveLength(5);
  });

  it('follows the view and the folder', async () => {
    const { home } = library();
    const hidden = await both({ kind: 'hidden' });
    expect(hidden.layout.total).toBe(1);
    expect(hidden.layout.days).toEqual(['2024-07-01']);
    expect(hidden.got[0]!.aspect).toBeCloseTo(1.5, 1);
    const folder = await both({ kind: 'all' }, home);
    expect(folder.layout.counts).toEqual([1, 1]);
    expect(folder.got.map((g) => g.day)).toEqual(folder.want.map((w) => w.day));
    expect((await both({ kind: 'favourites' })).layout).toEqual({ days: [], counts: [], aspects: '', total: 0 });
  });

  it('answers 100k photos quickly', async () => {
    const insert = db.prepare("INSERT INTO photos (hash, kind, file_time, created_at, width, height) VALUES (?, 'image', ?, 0, ?, ?)");
    db.transaction(() => {
      for (let i = 0; i < 100_000; i++) {
        const t = new Date(Date.UTC(2024, 0, 1) - Math.floor(i / 27) * 86_400_000).toISOString().slice(0, 19);
        insert.run(`h${i}`, t, 3000 + (i % 7) * 100, 2000 + (i % 5) * 300);
      }
    })();
    const read = createLayoutRead(db);
    await read(undefined, undefined, { kind: 'all' }); // prepares the statements
    const t0 = performance.now();
    const layout = await read(undefined, undefined, { kind: 'all' });
    const ms = performance.now() - t0;
    expect(layout.total).toBe(100_000);
    expect(layout.counts.reduce((a, b) => a + b, 0)).toBe(100_000);
    expect(Buffer.from(layout.aspects, 'base64').length).toBe(100_000);
    console.log(`photos:layout over 100k photos: ${ms.toFixed(0)} ms, ${layout.aspects.length} base64 chars, ${layout.days.length} days`);
    expect(ms).toBeLessThan(1500);
  });
});
