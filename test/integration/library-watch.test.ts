/**
 * @file Watching and identity (issue 3, items 1 and 2) with real chokidar on a real folder: new, changed,
 * deleted, renamed and moved files and folders show within 2 s; partly written files wait; a moved file
 * keeps its photo row; a deleted one is marked missing; the watch-limit fallback; a removed root; the
 * startup reconcile.
 */
import { appendFileSync, cpSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { watch } from 'chokidar';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, makeHarness, waitFor, type Harness } from './helpers/library-harness';

const jpeg = (name: string) => readFileSync(join(FIXTURES, name));
const A = 'formats/fruits.jpg';
const B = 'bad/names/name with spaces.jpg';
const C = 'bad/names/émoji 📷 café.jpg';

let h: Harness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

const photoByName = (hh: Harness, name: string) => hh.lib.page({ offset: 0, limit: 500 }).items.find((p) => p.name === name);

async function watched(options = {}): Promise<Harness> {
  const hh = makeHarness({ watch: true, settleMs: 200, ...options });
  mkdirSync(hh.photosDir, { recursive: true });
  await hh.lib.addFolder(hh.photosDir);
  await hh.lib.whenIdle();
  await new Promise((r) => setTimeout(r, 300)); // chokidar ready
  return hh;
}

describe('watching', () => {
  it('reflects new, changed, renamed, moved and deleted files within 2 s of settling', async () => {
    h = await watched();
    const hh = h;
    let t = Date.now();
    writeFileSync(join(hh.photosDir, 'one.jpg'), jpeg(A));
    const one = await waitFor(() => photoByName(hh, 'one.jpg')?.thumb && photoByName(hh, 'one.jpg'), 4000);
    expect(Date.now() - t).toBeLessThan(2000 + 200);
    const id = one.id;

    // Rename: same photo row, new name, no leftover missing file.
    renameSync(join(hh.photosDir, 'one.jpg'), join(hh.photosDir, 'renamed.jpg'));
    await waitFor(() => photoByName(hh, 'renamed.jpg'));
    expect(photoByName(hh, 'renamed.jpg')!.id).toBe(id);
    await waitFor(() => hh.lib.getPhoto(id)!.files.length === 1);
    expect(hh.lib.page({ offset: 0, limit: 10 }).total).toBe(1);

    // Move into a new subfolder: still the same row.
    mkdirSync(join(hh.photosDir, 'sub'));
    renameSync(join(hh.photosDir, 'renamed.jpg'), join(hh.photosDir, 'sub', 'moved.jpg'));
    await waitFor(
      () =>
        hh.lib
          .getPhoto(id)!
          .files.map((f) => f.relPath)
          .join() === 'sub/moved.jpg',
    );
    expect(photoByName(hh, 'moved.jpg')!.status).toBe('ok');

    // Rename the folder: the row follows again.
    renameSync(join(hh.photosDir, 'sub'), join(hh.photosDir, 'sub2'));
    await waitFor(
      () =>
        hh.lib
          .getPhoto(id)!
          .files.map((f) => f.relPath)
          .join() === 'sub2/moved.jpg',
      4000,
    );

    // Change the content: the path now holds another photo (new hash); the old content is gone.
    t = Date.now();
    writeFileSync(join(hh.photosDir, 'sub2', 'moved.jpg'), jpeg(B));
    const changed = await waitFor(() => {
      const p = photoByName(hh, 'moved.jpg');
      return p && p.id !== id && p.thumb ? p : null;
    }, 4000);
    expect(Date.now() - t).toBeLessThan(2000 + 200);
    expect(hh.lib.getPhoto(id)).toBeNull();

    // Delete: marked missing, not forgotten; back again: same row, ok.
    rmSync(join(hh.photosDir, 'sub2', 'moved.jpg'));
    await waitFor(() => photoByName(hh, 'moved.jpg')?.status === 'missing');
    expect(hh.lib.getPhoto(changed.id)!.files[0]!.status).toBe('missing');
    writeFileSync(join(hh.photosDir, 'sub2', 'moved.jpg'), jpeg(B));
    await waitFor(() => photoByName(hh, 'moved.jpg')?.status === 'ok');
    expect(photoByName(hh, 'moved.jpg')!.id).toBe(changed.id);

    // Delete a whole folder: its photos are missing.
    writeFileSync(join(hh.photosDir, 'sub2', 'other.jpg'), jpeg(C));
    await waitFor(() => photoByName(hh, 'other.jpg')?.status === 'ok');
    rmSync(join(hh.photosDir, 'sub2'), { recursive: true });
    await waitFor(() => photoByName(hh, 'other.jpg')?.status === 'missing' && photoByName(hh, 'moved.jpg')?.status === 'missing');
  }, 30_000);

  it('waits for a partly written file to be complete', async () => {
    h = await watched({ settleMs: 400 });
    const hh = h;
    const full = jpeg(A);
    const file = join(hh.photosDir, 'slow.jpg');
    writeFileSync(file, full.subarray(0, 3000));
    for (let i = 3000; i < full.length; i += 3000) {
      await new Promise((r) => setTimeout(r, 150));
      appendFileSync(file, full.subarray(i, i + 3000));
    }
    const p = await waitFor(() => photoByName(hh, 'slow.jpg')?.thumb && photoByName(hh, 'slow.jpg'), 5000);
    await hh.lib.whenIdle();
    expect(hh.lib.page({ offset: 0, limit: 10 }).total).toBe(1);
    expect(hh.lib.getPhoto(p.id)!.files[0]!.size).toBe(full.length);
    expect(hh.lib.getPhoto(p.id)!.error).toBeNull();
  }, 20_000);

  it('falls back to periodic rescans with a warning when the watch limit is hit', async () => {
    const factory = (root: string, opts: Parameters<typeof watch>[1]) => {
      const w = watch(root, opts);
      // What chokidar emits when inotify runs out of watches.
      w.once('ready', () =>
        w.emit('error', Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' })),
      );
      return w;
    };
    h = await watched({ watchFactory: factory, rescanIntervalMs: 500 });
    const hh = h;
    await waitFor(() => hh.lib.listFolders()[0]!.status === 'polling');
    expect(hh.lib.listFolders()[0]!.warning).toMatch(/limit on watched files/);
    expect(hh.events.some((e) => e.event === 'app:warning' && (e.payload as { code: string }).code === 'watch-limit')).toBe(true);
    writeFileSync(join(hh.photosDir, 'polled.jpg'), jpeg(A));
    await waitFor(() => photoByName(hh, 'polled.jpg')?.status === 'ok', 4000);
  }, 20_000);

  it('marks a removed root missing and brings it back when it returns', async () => {
    h = await watched({ rescanIntervalMs: 300 });
    const hh = h;
    writeFileSync(join(hh.photosDir, 'x.jpg'), jpeg(A));
    await waitFor(() => photoByName(hh, 'x.jpg')?.status === 'ok');
    const aside = join(hh.root, 'aside');
    renameSync(hh.photosDir, aside); // like an unmounted drive
    await waitFor(() => hh.lib.listFolders()[0]!.status === 'missing', 4000);
    expect(photoByName(hh, 'x.jpg')!.status).toBe('missing');
    renameSync(aside, hh.photosDir);
    await waitFor(() => hh.lib.listFolders()[0]!.status === 'ok' && photoByName(hh, 'x.jpg')?.status === 'ok', 4000);
  }, 20_000);
});

describe('startup reconcile', () => {
  it('picks up what changed while closed, hashing only changed files', async () => {
    h = makeHarness({}, false);
    const hh = h;
    cpSync(join(FIXTURES, 'formats'), hh.photosDir, { recursive: true, preserveTimestamps: true });
    await hh.lib.addFolder(hh.photosDir);
    await hh.lib.whenIdle();
    const before = hh.lib.page({ offset: 0, limit: 100 });
    const jpgId = before.items.find((p) => p.name === 'fruits.jpg')!.id;
    await hh.reopen();
    // While closed: one deleted, one added, one renamed, one touched (same bytes, new mtime).
    rmSync(join(hh.photosDir, 'fruits.gif'));
    writeFileSync(join(hh.photosDir, 'new.jpg'), jpeg(B));
    renameSync(join(hh.photosDir, 'fruits.jpg'), join(hh.photosDir, 'renamed.jpg'));
    utimesSync(join(hh.photosDir, 'fruits.png'), new Date(), new Date());
    await hh.lib.start();
    await hh.lib.whenIdle();
    const after = hh.lib.page({ offset: 0, limit: 100 }).items;
    expect(after.find((p) => p.name === 'renamed.jpg')!.id).toBe(jpgId);
    expect(after.find((p) => p.name === 'fruits.gif')!.status).toBe('missing');
    expect(after.find((p) => p.name === 'new.jpg')!.status).toBe('ok');
    expect(after.find((p) => p.name === 'fruits.png')!.status).toBe('ok');
    expect(after).toHaveLength(before.total + 1);
    // A second rescan with nothing changed queues nothing (stat fast path).
    expect(await hh.lib.rescan()).toBe(0);
    // Missing photos stay until the user forgets them.
    expect(hh.lib.forgetMissing()).toBe(1);
    expect(hh.lib.page({ offset: 0, limit: 100 }).items.find((p) => p.name === 'fruits.gif')).toBeUndefined();
  }, 20_000);
});
