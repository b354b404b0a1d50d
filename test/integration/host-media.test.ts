/**
 * The headless host's media route over a real library: originals are served only for files the library
 * indexed (see [Note: Media path guard] in main/media.ts), not for whatever else sits in a library
 * folder; thumbnails come from the cache as before.
 */
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../main/host/server';
import { cookieFor, httpGet, startMediaHost } from './helpers/host-client';
import { makeHarness, SAMPLE_LIBRARY, type Harness } from './helpers/library-harness';

let h: Harness;
let host: Host;
let folderId: number;

const get = (path: string) => httpGet(host, path, cookieFor(host));

beforeAll(async () => {
  h = makeHarness();
  mkdirSync(join(h.photosDir, 'sub dir'), { recursive: true });
  copyFileSync(join(SAMPLE_LIBRARY, 'coffee.png'), join(h.photosDir, 'sub dir', 'coffee.png'));
  writeFileSync(join(h.photosDir, 'notes.txt'), 'private notes');
  mkdirSync(join(h.photosDir, '.git'));
  writeFileSync(join(h.photosDir, '.git', 'config'), '[remote "origin"]');
  folderId = (await h.lib.addFolder(h.photosDir)).id;
  await h.lib.whenIdle();
  host = await startMediaHost(h.lib, h.root);
});
afterAll(async () => {
  await host?.close();
  await h?.dispose();
});

describe('host media over a real library', () => {
  it('serves an indexed original and its thumbnail', async () => {
    const photo = await get(`/media/original/${folderId}/sub%20dir/coffee.png`);
    expect(photo.status).toBe(200);
    expect(photo.headers['content-type']).toBe('image/png');
    expect(Number(photo.headers['content-length'])).toBe(statSync(join(h.photosDir, 'sub dir', 'coffee.png')).size);
    const thumb = h.lib.page({ offset: 0, limit: 1 }).items[0]!.thumb!;
    expect((await get(`/media/thumb/${thumb}`)).status).toBe(200);
  });

  it.each(['notes.txt', '.git/config'])('refuses %s, a file in the folder that is not indexed, with 404', async (rel) => {
    const r = await get(`/media/original/${folderId}/${rel}`);
    expect(r.status).toBe(404);
    expect(r.body).not.toMatch(/private notes|remote/);
  });

  it('serves a new photo once the library has indexed it, not before', async () => {
    copyFileSync(join(SAMPLE_LIBRARY, 'coffee.png'), join(h.photosDir, 'late.png'));
    expect((await get(`/media/original/${folderId}/late.png`)).status).toBe(404);
    await h.lib.rescan(folderId);
    await h.lib.whenIdle();
    expect((await get(`/media/original/${folderId}/late.png`)).status).toBe(200);
  });
});
