/**
 * @file The trash (issue 12, item 4) over a real temp library with the watcher on, through the router as
 * the UI calls it, with the real `trash` package and XDG_DATA_HOME pointed at a temp folder (the user's
 * own trash is never touched): the plan names count and folders; a move puts the original in the
 * freedesktop trash (with its .trashinfo) and nothing else in the folder changes; the photo leaves every
 * view but Trash and keeps its favourite and albums while the watcher sees the file go; undo puts the
 * same bytes back and the photo returns with them, as it does when the file is put back by hand; a read-only folder is refused and its file stays;
 * a process killed with SIGKILL before or after the move is settled at the next start.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../main/log';
import { createServices, type Services } from '../../main/services';
import type {
  AlbumDto,
  CollectionChange,
  PhotoDetail,
  PhotoPage,
  TrashMoveResult,
  TrashPlan,
  TrashRestoreResult,
} from '../../preload/contract';
import { isRoot } from './helpers/unprivileged';
import { photoIdOfFile, routerCaller } from './helpers/router-call';

const work = mkdtempSync(join(tmpdir(), 'shoebox-trash-'));
// Before anything loads the `trash` package (it reads XDG_DATA_HOME when it loads).
process.env['XDG_DATA_HOME'] = join(work, 'xdg');
const trashDir = join(work, 'xdg', 'Trash');
/** Root may write where a folder's mode allows nothing; an immutable folder (chattr +i) stops root too. */
const canLock = !isRoot || spawnSync('chattr', ['-i', work]).status === 0;
const lock = (dir: string) => (isRoot ? spawnSync('chattr', ['+i', dir]) : spawnSync('chmod', ['555', dir])).status === 0;
const sample = join(import.meta.dirname, '../../assets/sample-library');
const photosDir = join(work, 'photos');
const dataDir = join(work, 'data');
let services: Services;

const call = routerCaller(() => services);
const idOf = (rel: string) => photoIdOfFile(services, rel);
const fileStatus = (rel: string) => services.db.prepare('SELECT status FROM files WHERE rel_path = ?').pluck().get(rel);
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const viewIds = async (view: unknown) => (await call<PhotoPage>('photos:page', { offset: 0, limit: 100, view })).items.map((p) => p.id);
const removedAt = (id: number) =>
  services.db.prepare('SELECT m.removed_at FROM photo_marks m JOIN photos p ON p.hash = m.photo_hash WHERE p.id = ?').pluck().get(id) ??
  null;
/** Every file under the photos folder with its content and modification time. */
const snapshot = (dir = photosDir, rel = ''): Record<string, string> =>
  Object.fromEntries(
    readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => {
      const r = rel ? `${rel}/${e.name}` : e.name;
      return e.isDirectory() ? Object.entries(snapshot(dir, r)) : [[r, `${sha(join(dir, r))}@${statSync(join(dir, r)).mtimeMs}`]];
    }),
  );

beforeAll(async () => {
  mkdirSync(join(photosDir, 'trip'), { recursive: true });
  cpSync(join(sample, 'food/fruits.jpg'), join(photosDir, 'trip/fruits.jpg'));
  cpSync(join(sample, 'food/orange.jpg'), join(photosDir, 'trip/orange.jpg'));
  cpSync(join(sample, 'coffee.png'), join(photosDir, 'coffee.png'));
  cpSync(join(sample, 'pets/chelsea.jpg'), join(photosDir, 'chelsea.jpg'));
  writeFileSync(join(photosDir, 'trip/notes.txt'), 'not a photo');
  writeFileSync(join(photosDir, 'trip/fruits.xmp'), '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>');
  services = await createServices({ dataDir, shell: 'headless', log: silentLog });
  await services.library.addFolder(photosDir);
  await services.library.whenIdle();
}, 60_000);

afterAll(async () => {
  await services?.close();
  spawnSync('chattr', ['-i', join(photosDir, 'locked')]);
  spawnSync('chmod', ['755', join(photosDir, 'locked')]);
  rmSync(work, { recursive: true, force: true });
});

describe('trash', () => {
  it('moves a photo to the OS trash, keeps its marks while the watcher sees it go, and undo brings it back', async () => {
    const fruits = idOf('trip/fruits.jpg');
    const original = join(photosDir, 'trip/fruits.jpg');
    const bytes = sha(original);
    await call<CollectionChange>('photos:setFavourite', { selection: { ids: [fruits] }, favourite: true });
    const album = await call<AlbumDto>('albums:create', { name: 'Kitchen', selection: { ids: [fruits] } });
    const before = snapshot();

    const plan = await call<TrashPlan>('trash:plan', { selection: { ids: [fruits] } });
    expect(plan).toEqual({
      photos: 1,
      files: 1,
      folders: [{ folderId: expect.any(Number), path: photosDir, files: 1 }],
      refused: [],
      refusedCount: 0,
      undoAvailable: true,
      undoNote: null,
    });

    const moved = await call<TrashMoveResult>('trash:move', { selection: { ids: [fruits] } });
    expect(moved).toMatchObject({ moved: 1, files: 1, failed: [], failedCount: 0 });
    expect(existsSync(original)).toBe(false);
    // In the freedesktop trash, with a .trashinfo naming where it was; the same bytes.
    const infos = readdirSync(join(trashDir, 'info'));
    expect(infos).toHaveLength(1);
    expect(readFileSync(join(trashDir, 'info', infos[0]!), 'utf8')).toContain(`Path=${original}`);
    expect(sha(join(trashDir, 'files', infos[0]!.replace(/\.trashinfo$/, '')))).toBe(bytes);
    // Nothing else in the folder changed: not the sidecar, not the notes, not the other photos.
    const { ['trip/fruits.jpg']: gone, ...rest } = before;
    expect(gone).toBeDefined();
    expect(snapshot()).toEqual(rest);

    // The watcher sees the file go: an ordinary missing file, of a photo only Trash shows.
    await new Promise((r) => setTimeout(r, 1500));
    await services.library.whenIdle();
    expect(fileStatus('trip/fruits.jpg')).toBe('missing');
    expect(await viewIds({ kind: 'all' })).not.toContain(fruits);
    expect(await viewIds({ kind: 'favourites' })).not.toContain(fruits);
    expect(await viewIds({ kind: 'album', albumId: album.id })).not.toContain(fruits);
    expect(await viewIds({ kind: 'trash' })).toEqual([fruits]);
    expect(await call<PhotoDetail>('photos:get', { id: fruits })).toMatchObject({ removed: true, favourite: true });

    const undone = await call<TrashRestoreResult>('trash:undo', { undoToken: moved.undoToken });
    expect(undone).toEqual({ restored: 1, missing: [], missingCount: 0 });
    expect(sha(original)).toBe(bytes);
    expect(snapshot()).toEqual(before);
    expect(readdirSync(join(trashDir, 'info'))).toEqual([]);
    expect(readdirSync(join(trashDir, 'files'))).toEqual([]);
    expect(await viewIds({ kind: 'trash' })).toEqual([]);
    expect(await viewIds({ kind: 'favourites' })).toEqual([fruits]);
    expect(await viewIds({ kind: 'album', albumId: album.id })).toEqual([fruits]);
    // The watcher sees it come back as the same content: the same photo, ok, with its marks.
    await new Promise((r) => setTimeout(r, 1500));
    await services.library.whenIdle();
    expect(fileStatus('trip/fruits.jpg')).toBe('ok');
    expect(idOf('trip/fruits.jpg')).toBe(fruits);
    expect(await call<PhotoDetail>('photos:get', { id: fruits })).toMatchObject({
      removed: false,
      favourite: true,
      albums: [{ id: album.id, name: 'Kitchen' }],
    });
    // A second undo has nothing left to put back.
    expect(await call<TrashRestoreResult>('trash:undo', { undoToken: moved.undoToken })).toEqual({
      restored: 0,
      missing: [],
      missingCount: 0,
    });
  }, 20_000);

  it('restores from the Trash view, and says so when the trash was emptied', async () => {
    const orange = idOf('trip/orange.jpg');
    const coffee = idOf('coffee.png');
    const moved = await call<TrashMoveResult>('trash:move', { selection: { ids: [orange, coffee] } });
    expect(moved.moved).toBe(2);
    expect((await viewIds({ kind: 'trash' })).sort()).toEqual([orange, coffee].sort());
    // The user empties the coffee from the OS trash by hand.
    for (const info of readdirSync(join(trashDir, 'info'))) {
      if (!readFileSync(join(trashDir, 'info', info), 'utf8').includes('coffee.png')) continue;
      rmSync(join(trashDir, 'info', info));
      rmSync(join(trashDir, 'files', info.replace(/\.trashinfo$/, '')));
    }
    const r = await call<TrashRestoreResult>('trash:restore', { selection: { all: true, view: { kind: 'trash' } } });
    expect(r.restored).toBe(1);
    expect(r.missing).toEqual([
      { photoId: coffee, path: join(photosDir, 'coffee.png'), reason: expect.stringMatching(/no longer in the trash/) },
    ]);
    expect(existsSync(join(photosDir, 'trip/orange.jpg'))).toBe(true);
    expect(await viewIds({ kind: 'trash' })).toEqual([coffee]);
  });

  it('brings a photo back with its marks when its file is put back by hand, and forgets the mark at the next start', async () => {
    const orange = idOf('trip/orange.jpg');
    const original = join(photosDir, 'trip/orange.jpg');
    await call('photos:setRating', { selection: { ids: [orange] }, rating: 2 });
    expect((await call<TrashMoveResult>('trash:move', { selection: { ids: [orange] } })).moved).toBe(1);
    const info = readdirSync(join(trashDir, 'info')).find((i) => readFileSync(join(trashDir, 'info', i), 'utf8').includes('orange.jpg'))!;
    renameSync(join(trashDir, 'files', info.replace(/\.trashinfo$/, '')), original);
    rmSync(join(trashDir, 'info', info));
    const end = Date.now() + 5000;
    while (fileStatus('trip/orange.jpg') !== 'ok' && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(fileStatus('trip/orange.jpg')).toBe('ok');
    expect(await viewIds({ kind: 'all' })).toContain(orange);
    expect(await viewIds({ kind: 'trash' })).not.toContain(orange);
    expect(await call<PhotoDetail>('photos:get', { id: orange })).toMatchObject({ removed: false, rating: 2, ratingSource: 'user' });
    expect(removedAt(orange)).not.toBe(null);
    await services.close();
    services = await createServices({ dataDir, shell: 'headless', log: silentLog });
    expect(removedAt(orange)).toBe(null);
  }, 20_000);

  it.skipIf(!canLock)('refuses a read-only folder with a clear message and leaves its file', async () => {
    const locked = join(photosDir, 'locked');
    mkdirSync(locked);
    cpSync(join(sample, 'animals/baboon.jpg'), join(locked, 'baboon.jpg'));
    await services.library.rescan();
    await services.library.whenIdle();
    const baboon = idOf('locked/baboon.jpg');
    expect(lock(locked)).toBe(true);
    const plan = await call<TrashPlan>('trash:plan', { selection: { ids: [baboon] } });
    expect(plan).toMatchObject({ photos: 0, files: 0, refusedCount: 1 });
    expect(plan.refused[0]).toEqual({ photoId: baboon, path: join(locked, 'baboon.jpg'), reason: expect.stringMatching(/read-only/) });
    const r = await call<TrashMoveResult>('trash:move', { selection: { ids: [baboon] } });
    expect(r).toMatchObject({ moved: 0, failedCount: 1, undoToken: null });
    expect(existsSync(join(locked, 'baboon.jpg'))).toBe(true);
    expect(await viewIds({ kind: 'all' })).toContain(baboon);
  });

  it.each(['before-move', 'after-move'] as const)(
    'settles a move killed with SIGKILL %s at the next start',
    async (when) => {
      const chelsea = idOf('chelsea.jpg');
      const path = join(photosDir, 'chelsea.jpg');
      if (!existsSync(path)) {
        // The previous case left it in the trash: bring it back first.
        await call('trash:restore', { selection: { ids: [chelsea] } });
      }
      await services.close();
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', resolve(import.meta.dirname, 'helpers/trash-process.ts'), dataDir, String(chelsea), when],
        {
          encoding: 'utf8',
          env: process.env,
        },
      );
      expect(child.signal, child.stderr).toBe('SIGKILL');
      services = await createServices({ dataDir, shell: 'headless', log: silentLog });
      await services.library.whenIdle();
      if (when === 'before-move') {
        expect(existsSync(path)).toBe(true);
        expect(await viewIds({ kind: 'all' })).toContain(chelsea);
        expect(await viewIds({ kind: 'trash' })).not.toContain(chelsea);
        expect((await call<PhotoDetail>('photos:get', { id: chelsea })).removed).toBe(false);
        // Settled: the interrupted item failed, and the photo carries no removed mark.
        expect(services.db.prepare('SELECT state FROM trash_items WHERE path = ? ORDER BY id DESC').pluck().get(path)).toBe('failed');
        expect(removedAt(chelsea)).toBe(null);
      } else {
        expect(existsSync(path)).toBe(false);
        expect(await viewIds({ kind: 'all' })).not.toContain(chelsea);
        expect(await viewIds({ kind: 'trash' })).toContain(chelsea);
        const r = await call<TrashRestoreResult>('trash:restore', { selection: { ids: [chelsea] } });
        expect(r.restored).toBe(1);
        expect(existsSync(path)).toBe(true);
      }
    },
    60_000,
  );
});
