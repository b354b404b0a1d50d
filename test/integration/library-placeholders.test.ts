/**
 * @file Placeholders ([Note: Placeholders] in main/library/placeholders.ts): the thumbnail step stores a
 * ThumbHash of each thumbnail, and the grid page sends it; a library indexed before placeholders gets
 * them when the step runs again, from the cached thumbnail, without remaking it.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { thumbHashToAverageRGBA } from 'thumbhash';
import { afterEach, describe, expect, it } from 'vitest';
import { STEP_VERSIONS } from '../../main/library/steps';
import { FIXTURES, makeHarness, type Harness } from './helpers/library-harness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

const JPEG = readFileSync(join(FIXTURES, 'formats/fruits.jpg'));

/** A solid-colour PNG: its placeholder's average colour must be that colour. */
const solid = (r: number, g: number, b: number) =>
  sharp({ create: { width: 120, height: 80, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

describe('placeholders', () => {
  it('are made with the thumbnail and sent with every grid page', async () => {
    h = makeHarness();
    const hh = h;
    mkdirSync(hh.photosDir, { recursive: true });
    writeFileSync(join(hh.photosDir, 'red.png'), await solid(220, 30, 30));
    writeFileSync(join(hh.photosDir, 'fruits.jpg'), JPEG);
    await hh.lib.addFolder(hh.photosDir);
    await hh.lib.whenIdle();
    const items = hh.lib.page({ offset: 0, limit: 10 }).items;
    expect(items).toHaveLength(2);
    for (const p of items) {
      expect(p.thumb, p.name).not.toBeNull();
      expect(p.placeholder, p.name).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(Buffer.from(p.placeholder!, 'base64').length, p.name).toBeLessThanOrEqual(64);
    }
    const red = items.find((p) => p.name === 'red.png')!;
    const avg = thumbHashToAverageRGBA(Buffer.from(red.placeholder!, 'base64'));
    expect(avg.r).toBeGreaterThan(0.75);
    expect(avg.g).toBeLessThan(0.2);
    expect(avg.b).toBeLessThan(0.2);
  });

  it('backfill: a photo with a thumbnail but no placeholder gets one from the cached thumbnail', async () => {
    h = makeHarness();
    const hh = h;
    mkdirSync(hh.photosDir, { recursive: true });
    writeFileSync(join(hh.photosDir, 'fruits.jpg'), JPEG);
    await hh.lib.addFolder(hh.photosDir);
    await hh.lib.whenIdle();
    const [before] = hh.lib.page({ offset: 0, limit: 1 }).items;
    const thumbFile = hh.lib.cachePath(before!.thumb!)!;
    const made = statSync(thumbFile).mtimeMs;
    // As a library indexed by thumbnail step 1 (before placeholders) looks after migration 0009.
    hh.db.prepare('UPDATE photos SET placeholder = NULL').run();
    hh.db.prepare("UPDATE jobs SET pipeline_version = '1' WHERE step = 'thumbnail'").run();
    expect(STEP_VERSIONS.thumbnail).toBeGreaterThan(1);
    await hh.reopen();
    await hh.lib.start();
    await hh.lib.whenIdle();
    const [after] = hh.lib.page({ offset: 0, limit: 1 }).items;
    expect(after!.thumb).toBe(before!.thumb);
    expect(after!.placeholder).toBe(before!.placeholder);
    expect(statSync(thumbFile).mtimeMs).toBe(made); // the thumbnail was not made again
  });
});
