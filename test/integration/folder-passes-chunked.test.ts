/**
 * @file The passes over all of a folder's rows (a rescan's stamps, unseen-missing, moved-in) and the runner
 * start's version/backfill pass, run in small chunks: same result as one statement, and the event loop
 * gets turns between chunks ([Note: Folder passes in chunks] in main/db/files.repo.ts, [Note: Runner
 * start in chunks] in main/library/jobs.ts).
 */
import { describe, expect, it } from 'vitest';
import { createJobsRepo } from '../../main/db/jobs.repo';
import { useTempDb } from './helpers/temp-db';

const db = useTempDb('shoebox-chunks-');

/** A real macrotask pause that counts its calls and runs `between` (what a watcher batch could do) on each. */
function counting(between: (n: number) => void = () => {}) {
  const p = {
    calls: 0,
    pause: async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      between(++p.calls);
    },
  };
  return p;
}

/** Resolves to the order in which `run`'s result and a setImmediate scheduled just before it arrived. */
async function turnOrder(run: () => Promise<unknown>): Promise<string[]> {
  const order: string[] = [];
  setImmediate(() => order.push('turn'));
  await run().then(() => order.push('done'));
  return order;
}

function seedFolder(paths: readonly string[], seenAt: number) {
  const { photos, files, folders } = db();
  const folderId = folders.insert('/lib', 1);
  const ids = new Map<string, { fileId: number; photoId: number }>();
  paths.forEach((relPath, i) => {
    const photoId = photos.insert({
      hash: `h${i}`,
      kind: 'image',
      mime: 'image/jpeg',
      fileTime: '2020-01-01T00:00:00',
      error: null,
      now: 1,
    });
    const { id } = files.upsert({ folderId, relPath, photoId, size: i, mtimeMs: i, status: 'ok', error: null, now: seenAt });
    ids.set(relPath, { fileId: id, photoId });
  });
  return { folderId, ids };
}

/** One more photo with an ok file in the folder; returns its photo id. */
function seedFolderRow(folderId: number, relPath: string, seenAt: number): number {
  const { photos, files } = db();
  const photoId = photos.insert({
    hash: `h-${relPath}`,
    kind: 'image',
    mime: 'image/jpeg',
    fileTime: '2020-01-01T00:00:00',
    error: null,
    now: 1,
  });
  files.upsert({ folderId, relPath, photoId, size: 1, mtimeMs: 1, status: 'ok', error: null, now: seenAt });
  return photoId;
}

const statusOf = (relPath: string) =>
  (db().db.prepare('SELECT status FROM files WHERE rel_path = ?').pluck().get(relPath) as string | undefined) ?? 'deleted';

describe('folder passes in chunks', () => {
  const paths = [...Array.from({ length: 20 }, (_, i) => `x/${String(i).padStart(2, '0')}`), 'keep/0', 'keep/1', 'keep/2'];

  it('reads every stamp, a chunk at a time, with event-loop turns between chunks', async () => {
    const { folderId, ids } = seedFolder(paths, 1);
    const p = counting();
    const order = await turnOrder(async () => {
      const map = await db().files.stamps(folderId, p.pause, 5);
      expect([...map.keys()].sort()).toEqual([...paths].sort());
      expect(map.get('x/07')).toMatchObject({ id: ids.get('x/07')!.fileId, size: 7, mtime_ms: 7, status: 'ok' });
    });
    expect(p.calls).toBe(4); // 23 rows: 5 + 5 + 5 + 5 + 3
    expect(order).toEqual(['turn', 'done']);
  });

  it('marks exactly the unseen files missing across chunks, a write between chunks included', async () => {
    const { folderId, ids } = seedFolder(paths, 1);
    const { files } = db();
    // Seen by the scan (started at 50): the even x files.
    files.touch(
      paths.filter((r, i) => r.startsWith('x/') && i % 2 === 0).map((r) => ids.get(r)!.fileId),
      100,
    );
    // Between the first two chunks a watcher batch records x/19 (unseen, in a later chunk): it stays ok.
    const p = counting((n) => n === 1 && files.touch([ids.get('x/19')!.fileId], 120));
    const order = await turnOrder(async () => expect(await files.markUnseenMissing(folderId, 50, ['keep'], p.pause, 4)).toBe(9));
    expect(order).toEqual(['turn', 'done']);
    expect(p.calls).toBe(5);
    for (const [i, r] of paths.entries()) {
      const want = r.startsWith('keep/') || i % 2 === 0 || r === 'x/19' ? 'ok' : 'missing';
      expect([r, statusOf(r)]).toEqual([r, want]);
    }
  });

  it('drops only the missing rows whose photo is ok elsewhere, across chunks', async () => {
    const { folderId, ids } = seedFolder(paths, 1);
    const { files } = db();
    // x/03's photo moved to keep/… (an ok row of the same photo); x/05's photo is nowhere else.
    files.upsert({
      folderId,
      relPath: 'moved/03',
      photoId: ids.get('x/03')!.photoId,
      size: 3,
      mtimeMs: 3,
      status: 'ok',
      error: null,
      now: 2,
    });
    files.markMissing(folderId, 'x/03', 2);
    files.markMissing(folderId, 'x/05', 2);
    files.markMissing(folderId, 'x/17', 2);
    files.upsert({
      folderId,
      relPath: 'moved/17',
      photoId: ids.get('x/17')!.photoId,
      size: 3,
      mtimeMs: 3,
      status: 'ok',
      error: null,
      now: 2,
    });
    const p = counting();
    expect(await files.dropMovedIn(folderId, p.pause, 3)).toBe(2);
    expect(p.calls).toBeGreaterThan(1);
    expect([statusOf('x/03'), statusOf('x/05'), statusOf('x/17'), statusOf('moved/03')]).toEqual(['deleted', 'missing', 'deleted', 'ok']);
  });
});

describe('a kill -9 between two chunks of a folder pass', () => {
  const paths = Array.from({ length: 20 }, (_, i) => `x/${String(i).padStart(2, '0')}`);
  /** The process dies at the `at`-th pause: the chunks before it are committed, nothing after runs. */
  const killedAt = (at: number) => {
    let n = 0;
    return async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (++n === at) throw new Error('killed');
    };
  };

  it('marking unseen files missing: each row is right on its own, and the next rescan finishes the pass', async () => {
    const { folderId, ids } = seedFolder(paths, 1);
    const { files } = db();
    const even = paths.filter((_, i) => i % 2 === 0).map((r) => ids.get(r)!.fileId);
    files.touch(even, 100); // scan 1 (started at 50) saw the even files
    await expect(files.markUnseenMissing(folderId, 50, [], killedAt(2), 4)).rejects.toThrow('killed');
    const after = paths.map(statusOf);
    // Two chunks of 4 committed: x/01, 03, 05, 07 missing; the odd files of later chunks not yet.
    expect(after.filter((s) => s === 'missing')).toHaveLength(4);
    for (const [i, r] of paths.entries()) if (i % 2 === 0) expect([r, statusOf(r)]).toEqual([r, 'ok']);
    // The next start's rescan (started at 150) sees the same files and runs the whole pass again.
    files.touch(even, 200);
    expect(await files.markUnseenMissing(folderId, 150, [], counting().pause, 4)).toBe(6);
    for (const [i, r] of paths.entries()) expect([r, statusOf(r)]).toEqual([r, i % 2 === 0 ? 'ok' : 'missing']);
  });

  it('dropping moved rows: the rows left are dropped by the next rescan', async () => {
    const { folderId, ids } = seedFolder(paths, 1);
    const { files } = db();
    // Every odd file was moved while closed: ok at moved/…, missing at x/….
    for (const [i, r] of paths.entries()) {
      if (i % 2 === 0) continue;
      const photoId = ids.get(r)!.photoId;
      files.upsert({ folderId, relPath: `moved/${i}`, photoId, size: i, mtimeMs: i, status: 'ok', error: null, now: 2 });
      files.markMissing(folderId, r, 2);
    }
    // In rel_path order the moved/… rows come first: three chunks of 6 end at x/07.
    await expect(files.dropMovedIn(folderId, killedAt(3), 6)).rejects.toThrow('killed');
    expect(paths.filter((r) => statusOf(r) === 'deleted')).toEqual(['x/01', 'x/03', 'x/05', 'x/07']);
    expect(await files.dropMovedIn(folderId, counting().pause, 6)).toBe(6);
    for (const [i, r] of paths.entries()) expect([r, statusOf(r)]).toEqual([r, i % 2 === 0 ? 'ok' : 'deleted']);
  });
});

describe('runner start pass in chunks', () => {
  const thumb = { name: 'thumbnail', rank: 1, version: 'v2', kinds: ['image'] };
  const trash = (photoId: number) =>
    db()
      .db.prepare(`INSERT INTO photo_marks (photo_hash, removed_at, updated_at) SELECT hash, 1, 1 FROM photos WHERE id = ?;`)
      .run(photoId);
  const jobCount = () => db().db.prepare("SELECT count(*) FROM jobs WHERE step = 'thumbnail'").pluck().get() as number;

  it('backfills every photo outside the Trash, a chunk of photos at a time, and leaves the jobs it finds alone', async () => {
    const { ids, folderId } = seedFolder(
      Array.from({ length: 7 }, (_, i) => `p${i}`),
      1,
    );
    const jobs = createJobsRepo(db().db);
    const photoIds = [...ids.values()].map((v) => v.photoId);
    // p0 has a done job of another version (the version pass's business, not the backfill's).
    jobs.ensure(photoIds[0]!, 'image', [{ ...thumb, version: 'v1' }], 0, 1);
    jobs.finish(jobs.claim(['thumbnail'], 2)!.id, 'done', null, 3);
    // p1 is in the Trash (its file went with it).
    db().files.markMissing(folderId, 'p1', 2);
    trash(photoIds[1]!);
    // Between chunks: p6 (a later chunk) goes to the Trash, and a new photo arrives (an id past the last).
    let added = 0;
    const p = counting((n) => {
      if (n !== 1) return;
      db().files.markMissing(folderId, 'p6', 4);
      trash(photoIds[6]!);
      added = seedFolderRow(folderId, 'p7', 5);
    });
    const order = await turnOrder(() => jobs.backfillInChunks(thumb, 10, p.pause, 2).then((n) => expect(n).toBe(5)));
    expect(order).toEqual(['turn', 'done']);
    expect(p.calls).toBe(3); // 7 photos: 2 + 2 + 2 + (1 + the new one)
    expect(jobs.forPhoto(photoIds[0]!, 'thumbnail')).toMatchObject({ state: 'done', pipeline_version: 'v1' });
    for (const id of [...photoIds.slice(2, 6), added])
      expect(jobs.forPhoto(id, 'thumbnail')).toMatchObject({ state: 'pending', pipeline_version: 'v2' });
    expect(jobs.forPhoto(photoIds[1]!, 'thumbnail')).toBeNull();
    expect(jobs.forPhoto(photoIds[6]!, 'thumbnail')).toBeNull();
  });

  it('finishes at the next start what a kill between chunks left', async () => {
    seedFolder(
      Array.from({ length: 7 }, (_, i) => `p${i}`),
      1,
    );
    const jobs = createJobsRepo(db().db);
    // The process dies after the first chunk: what the statements wrote stays, nothing else runs.
    const killed = async () => {
      await Promise.resolve();
      throw new Error('killed');
    };
    await expect(jobs.backfillInChunks(thumb, 10, killed, 3)).rejects.toThrow('killed');
    expect(jobCount()).toBe(3);
    expect(await jobs.backfillInChunks(thumb, 11, counting().pause, 3)).toBe(4);
    expect(jobCount()).toBe(7);
  });
});
