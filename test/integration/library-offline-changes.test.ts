/**
 * @file Changes made while Shoebox was closed, in a folder whose scan meets problems (issue 7, item 4):
 * a symlink loop or a sub-tree the walk cannot read no longer stops deletions elsewhere from being
 * noticed; files under the unread sub-tree keep their state; the warnings stay on the folder's row; a
 * file moved while closed leaves no stale missing row behind.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, makeHarness, type Harness } from './helpers/library-harness';

const A = readFileSync(join(FIXTURES, 'formats/fruits.jpg'));
const B = readFileSync(join(FIXTURES, 'bad/names/name with spaces.jpg'));
const C = readFileSync(join(FIXTURES, 'bad/names/émoji 📷 café.jpg'));

let h: Harness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

const fileStates = (hh: Harness) =>
  Object.fromEntries(
    hh.db
      .prepare<[], { rel_path: string; status: string }>('SELECT rel_path, status FROM files ORDER BY rel_path')
      .all()
      .map((r) => [r.rel_path, r.status]),
  );

describe('offline changes with scan warnings', () => {
  it('marks files deleted while closed missing despite a symlink loop and a too-deep sub-tree, and keeps the unread ones', async () => {
    h = makeHarness({ maxDepth: 8 });
    const hh = h;
    mkdirSync(join(hh.photosDir, 'deep/d1/d2/d3'), { recursive: true });
    writeFileSync(join(hh.photosDir, 'kept.jpg'), A);
    writeFileSync(join(hh.photosDir, 'deleted.jpg'), B);
    writeFileSync(join(hh.photosDir, 'deep/d1/d2/d3/far.jpg'), C);
    symlinkSync('..', join(hh.photosDir, 'deep', 'loop'));
    await hh.lib.addFolder(hh.photosDir);
    await hh.lib.whenIdle();
    expect(fileStates(hh)).toEqual({ 'deep/d1/d2/d3/far.jpg': 'ok', 'deleted.jpg': 'ok', 'kept.jpg': 'ok' });
    expect(hh.lib.listFolders()[0]!.scanWarnings).toEqual([expect.stringMatching(/deep\/loop.*symlink loop/)]);

    // Closed: one file deleted; and the walk now stops above deep/d1/d2 (a smaller depth limit stands
    // in for a sub-tree that cannot be read), so far.jpg is not seen but not gone either.
    await hh.reopen({ maxDepth: 2 });
    rmSync(join(hh.photosDir, 'deleted.jpg'));
    await hh.lib.start();
    await hh.lib.whenIdle();
    expect(fileStates(hh)).toEqual({ 'deep/d1/d2/d3/far.jpg': 'ok', 'deleted.jpg': 'missing', 'kept.jpg': 'ok' });
    const folder = hh.lib.listFolders()[0]!;
    expect(folder.scanWarnings).toEqual(
      expect.arrayContaining([expect.stringMatching(/symlink loop/), expect.stringMatching(/deep\/d1\/d2: more than 2 folders deep/)]),
    );
    expect(hh.events.some((e) => e.event === 'library:folders')).toBe(true);

    // Once the problems are gone, so are the warnings.
    rmSync(join(hh.photosDir, 'deep', 'loop'));
    await hh.reopen({ maxDepth: 8 });
    await hh.lib.start();
    await hh.lib.whenIdle();
    expect(hh.lib.listFolders()[0]!.scanWarnings).toEqual([]);
  }, 30_000);

  it('leaves no missing row behind for a photo moved while closed', async () => {
    h = makeHarness();
    const hh = h;
    mkdirSync(join(hh.photosDir, 'a'), { recursive: true });
    mkdirSync(join(hh.photosDir, 'b'), { recursive: true });
    writeFileSync(join(hh.photosDir, 'a', 'moved.jpg'), A);
    writeFileSync(join(hh.photosDir, 'a', 'deleted.jpg'), B);
    await hh.lib.addFolder(hh.photosDir);
    await hh.lib.whenIdle();
    const id = hh.lib.page({ offset: 0, limit: 10 }).items.find((p) => p.name === 'moved.jpg')!.id;

    await hh.reopen();
    renameSync(join(hh.photosDir, 'a', 'moved.jpg'), join(hh.photosDir, 'b', 'moved.jpg'));
    rmSync(join(hh.photosDir, 'a', 'deleted.jpg'));
    await hh.lib.start();
    await hh.lib.whenIdle();
    expect(hh.lib.getPhoto(id)!.files.map((f) => [f.relPath, f.status])).toEqual([['b/moved.jpg', 'ok']]);
    // A photo with no file left keeps its missing row until the user forgets it.
    expect(fileStates(hh)).toEqual({ 'a/deleted.jpg': 'missing', 'b/moved.jpg': 'ok' });
  }, 30_000);
});
