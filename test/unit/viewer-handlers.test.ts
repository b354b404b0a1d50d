/**
 * @file Unit tests of `photos:showInFolder` ([Note: Show in folder or Copy path]): refused with a clear
 * message where there is no file manager to open (the headless host); otherwise it reveals the photo's
 * first file that is on disk, and says so when the file has gone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createViewerHandlers } from '../../main/api/viewer-handlers';
import type { PhotoDetail, PhotoFileDto } from '../../preload/contract';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function libraryWith(files: Pick<PhotoFileDto, 'absPath' | 'status'>[]) {
  const photo = {
    id: 7,
    name: 'baboon.jpg',
    files: files.map((f, i) => ({ folderId: 1, relPath: `f${i}.jpg`, size: 1, mtime: '', ...f })),
  };
  return { getPhoto: (id: number) => (id === 7 ? (photo as unknown as PhotoDetail) : null) };
}

describe('photos:showInFolder', () => {
  it('is refused in the headless host, naming what to use instead', async () => {
    const handlers = createViewerHandlers({ library: libraryWith([]) });
    await expect(handlers['photos:showInFolder']({ id: 7 })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/Shoebox app only.*Copy path/) as unknown,
    });
  });

  it('reveals the first file that is on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoebox-viewer-'));
    dirs.push(dir);
    const there = join(dir, 'there.jpg');
    writeFileSync(there, 'x');
    const shown: string[] = [];
    const handlers = createViewerHandlers({
      library: libraryWith([
        { absPath: join(dir, 'gone.jpg'), status: 'ok' }, // listed as ok, but moved since
        { absPath: join(dir, 'missing.jpg'), status: 'missing' },
        { absPath: there, status: 'ok' },
      ]),
      showItemInFolder: (p) => shown.push(p),
    });
    await expect(handlers['photos:showInFolder']({ id: 7 })).resolves.toEqual({ path: there });
    expect(shown).toEqual([there]);
  });

  it('says so when the photo or its file is gone, and opens nothing', async () => {
    const shown: string[] = [];
    const handlers = createViewerHandlers({
      library: libraryWith([{ absPath: join(tmpdir(), 'shoebox-no-such-file.jpg'), status: 'ok' }]),
      showItemInFolder: (p) => shown.push(p),
    });
    await expect(handlers['photos:showInFolder']({ id: 7 })).rejects.toMatchObject({ code: 'not-found', message: /moved or deleted/ });
    await expect(handlers['photos:showInFolder']({ id: 8 })).rejects.toMatchObject({ code: 'not-found' });
    expect(shown).toEqual([]);
  });
});
