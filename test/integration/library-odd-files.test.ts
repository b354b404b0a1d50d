/**
 * @file Files that are not what their name says (issue 7, items 8b and 8c): a FIFO with a photo's name
 * is listed as skipped and never opened (opening one waits for a writer forever), by the scan and by the
 * watcher; a photo whose extension lies is decoded by its content.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, makeHarness, waitFor, type Harness } from './helpers/library-harness';

const fixture = (name: string) => readFileSync(join(FIXTURES, name));

let h: Harness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

const fileRow = (hh: Harness, relPath: string) =>
  hh.db.prepare<[string], { status: string; error: string | null }>('SELECT status, error FROM files WHERE rel_path = ?').get(relPath);

describe.skipIf(process.platform === 'win32')('a FIFO in a library', () => {
  it('is listed as not a regular file and never opened, by the scan and by the watcher', async () => {
    h = makeHarness({ watch: true, settleMs: 200 });
    const hh = h;
    mkdirSync(hh.photosDir, { recursive: true });
    writeFileSync(join(hh.photosDir, 'ok.jpg'), fixture('formats/fruits.jpg'));
    execFileSync('mkfifo', [join(hh.photosDir, 'pipe.jpg')]);
    await hh.lib.addFolder(hh.photosDir);
    await hh.lib.whenIdle(); // would never resolve if anything opened the FIFO
    expect(fileRow(hh, 'ok.jpg')).toEqual({ status: 'ok', error: null });
    expect(fileRow(hh, 'pipe.jpg')).toEqual({ status: 'error', error: 'not a regular file (FIFO); not read' });
    expect(hh.lib.failures(0, 10).items.find((f) => f.path === join(hh.photosDir, 'pipe.jpg'))?.error).toMatch(/FIFO/);

    // One made while watching.
    await new Promise((r) => setTimeout(r, 300)); // chokidar ready
    execFileSync('mkfifo', [join(hh.photosDir, 'later.heic')]);
    await waitFor(() => fileRow(hh, 'later.heic')?.status === 'error', 5000);
    expect(fileRow(hh, 'later.heic')!.error).toMatch(/not a regular file \(FIFO\)/);
    await hh.lib.whenIdle();
  }, 30_000);
});

describe('a photo whose extension lies', () => {
  it('is decoded by its content: a JPEG named .heic, a HEIC named .jpg, a PNG named .webp', async () => {
    h = makeHarness();
    const hh = h;
    mkdirSync(hh.photosDir, { recursive: true });
    writeFileSync(join(hh.photosDir, 'jpeg inside.heic'), fixture('formats/fruits.jpg'));
    writeFileSync(join(hh.photosDir, 'heic inside.jpg'), fixture('formats/fruits.heic'));
    writeFileSync(join(hh.photosDir, 'png inside.webp'), fixture('formats/fruits.png'));
    await hh.lib.addFolder(hh.photosDir);
    await hh.lib.whenIdle();
    const items = hh.lib.page({ offset: 0, limit: 10 }).items;
    const expected: Record<string, string> = {
      'jpeg inside.heic': 'image/jpeg',
      'heic inside.jpg': 'image/heic',
      'png inside.webp': 'image/png',
    };
    for (const [name, mime] of Object.entries(expected)) {
      const p = items.find((i) => i.name === name);
      expect(p, name).toBeDefined();
      const detail = hh.lib.getPhoto(p!.id)!;
      expect(detail.error, name).toBeNull();
      expect(p!.status, name).toBe('ok');
      expect(detail.mime, name).toBe(mime);
      expect(detail.preview, name).toMatch(/-p1\.jpg$/);
      const m = await sharp(hh.lib.cachePath(p!.thumb!)!).metadata();
      expect(m.width / m.height, name).toBeCloseTo(240 / 160, 0);
    }
  }, 30_000);
});
