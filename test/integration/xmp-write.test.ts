/**
 * @file `xmp:write` over a real temp library (issue 8, item 6 wiring), through the router as the UI
 * calls it: understood photos get sidecars beside every file of theirs in scope, holding the caption and
 * the tags shown (a tag the user added in, one they removed out); the originals' bytes and times are
 * unchanged; a photo not understood yet and a demo model's output are skipped with reasons; a folder
 * request writes only inside that folder; a second run rewrites nothing; the naming setting applies;
 * bad arguments are refused. Understanding rows are written through the repository, not by a model.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnderstandingRepo, type Maker } from '../../main/db/understanding.repo';
import { silentLog } from '../../main/log';
import { createServices, type Services } from '../../main/services';
import { readXmpFields } from '../../main/xmp/xmp-read';
import { parseXmp } from '../../main/xmp/xmp-source';
import type { FolderDto, SettingsDto, XmpWriteResult } from '../../preload/contract';

const sample = join(import.meta.dirname, '../../assets/sample-library');
let work: string;
let services: Services;
let photos: FolderDto;
let elsewhere: FolderDto;

const call = async <T>(method: string, args: unknown): Promise<T> => {
  const r = await services.router.call(method, args);
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.result as T;
};
const photoIdOf = (rel: string): number =>
  services.db.prepare('SELECT photo_id FROM files WHERE rel_path = ? LIMIT 1').pluck().get(rel) as number;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const sidecar = (path: string) => readXmpFields(parseXmp(readFileSync(path, 'utf8')));
const maker = (demo: boolean): Maker => ({ modelId: 'm', variant: 'fp32', version: 'understand:1:m:fp32', demo });

/** Stores a model result for a photo, as the understanding step would. */
function understood(photoId: number, caption: string, tags: string[], demo = false): void {
  const repo = createUnderstandingRepo(services.db);
  const labelId = (label: string) =>
    repo.labelByName(label)?.id ?? repo.addLabel({ label, group: 'test', isTextLabel: false, enabled: true, userAdded: false });
  repo.writeOutput(
    photoId,
    {
      state: 'ok',
      calibrated: true,
      numTiles: 1,
      ms: 10,
      caption: { text: caption, finish: 'stop' },
      text: null,
      tags: tags.map((t, i) => ({ labelId: labelId(t), score: 2 - i, rawScore: -1 })),
    },
    maker(demo),
    Date.now(),
  );
}

const ORIGINALS = [
  'photos/food/orange.jpg',
  'photos/copies/orange copy.jpg',
  'photos/food/fruits.jpg',
  'photos/coffee.png',
  'elsewhere/orange.jpg',
];
const before = new Map<string, { sha: string; mtimeMs: number }>();

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'shoebox-xmp-write-'));
  for (const dir of ['photos/food', 'photos/copies', 'elsewhere']) mkdirSync(join(work, dir), { recursive: true });
  cpSync(join(sample, 'food/orange.jpg'), join(work, 'photos/food/orange.jpg'));
  cpSync(join(sample, 'food/orange.jpg'), join(work, 'photos/copies/orange copy.jpg'));
  cpSync(join(sample, 'food/orange.jpg'), join(work, 'elsewhere/orange.jpg'));
  cpSync(join(sample, 'food/fruits.jpg'), join(work, 'photos/food/fruits.jpg'));
  cpSync(join(sample, 'coffee.png'), join(work, 'photos/coffee.png'));
  for (const o of ORIGINALS) before.set(o, { sha: sha(join(work, o)), mtimeMs: statSync(join(work, o)).mtimeMs });

  services = await createServices({ dataDir: join(work, 'data'), shell: 'headless', log: silentLog });
  photos = await services.library.addFolder(join(work, 'photos'));
  elsewhere = await services.library.addFolder(join(work, 'elsewhere'));
  await services.library.whenIdle();

  const orange = photoIdOf('food/orange.jpg');
  expect(photoIdOf('copies/orange copy.jpg')).toBe(orange); // one photo, three files
  understood(orange, 'An orange on a table.', ['fruit', 'table', 'kitchen']);
  // The user's edits: one tag added, one removed.
  await call('photos:addTag', { id: orange, label: 'breakfast' });
  const table = createUnderstandingRepo(services.db).labelByName('table')!.id;
  await call('photos:removeTag', { id: orange, labelId: table });
  understood(photoIdOf('coffee.png'), 'Random words from a demo model.', ['fruit'], true);
}, 60_000);

afterAll(async () => {
  await services?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('xmp:write', () => {
  it("writes a folder's understood photos beside each of their files there, and skips the rest with reasons", async () => {
    const r = await call<XmpWriteResult>('xmp:write', { folderId: photos.id });
    expect(r).toMatchObject({ photos: 3, written: 2, unchanged: 0, skipped: 2, naming: 'basename', subjects: 'merge' });
    expect(r.items).toEqual([
      {
        photoId: photoIdOf('coffee.png'),
        path: join(work, 'photos/coffee.png'),
        sidecarPath: null,
        reason: expect.stringMatching(/demo model/),
      },
      {
        photoId: photoIdOf('food/fruits.jpg'),
        path: join(work, 'photos/food/fruits.jpg'),
        sidecarPath: null,
        reason: 'not understood yet',
      },
    ]);

    for (const path of ['photos/food/orange.xmp', 'photos/copies/orange copy.xmp']) {
      expect(sidecar(join(work, path))).toEqual({ caption: 'An orange on a table.', tags: ['breakfast', 'fruit', 'kitchen'] });
    }
    expect(existsSync(join(work, 'photos/food/fruits.xmp'))).toBe(false);
    expect(existsSync(join(work, 'photos/coffee.xmp'))).toBe(false);
    // The same photo in another library folder: that folder was not asked about.
    expect(existsSync(join(work, 'elsewhere/orange.xmp'))).toBe(false);
    for (const o of ORIGINALS) {
      expect(sha(join(work, o)), o).toBe(before.get(o)!.sha);
      expect(statSync(join(work, o)).mtimeMs, o).toBe(before.get(o)!.mtimeMs);
    }

    // Nothing changed since: nothing is rewritten.
    const again = await call<XmpWriteResult>('xmp:write', { folderId: photos.id });
    expect(again).toMatchObject({ written: 0, unchanged: 2, skipped: 2 });
  });

  it('writes beside every file of the photos asked for, in any folder, with the naming setting', async () => {
    await call<SettingsDto>('settings:set', { patch: { xmp: { naming: 'fullname' } } });
    const orange = photoIdOf('food/orange.jpg');
    const r = await call<XmpWriteResult>('xmp:write', { photoIds: [orange, photoIdOf('food/fruits.jpg'), 999_999] });
    expect(r).toMatchObject({ photos: 2, written: 3, skipped: 2, naming: 'fullname' });
    expect(r.items.map((i) => i.reason)).toEqual(['no such photo', 'not understood yet']);
    for (const path of ['photos/food/orange.jpg.xmp', 'photos/copies/orange copy.jpg.xmp', 'elsewhere/orange.jpg.xmp']) {
      expect(sidecar(join(work, path)).tags, path).toEqual(['breakfast', 'fruit', 'kitchen']);
    }
    for (const o of ORIGINALS) expect(sha(join(work, o)), o).toBe(before.get(o)!.sha);
    await call<SettingsDto>('settings:set', { patch: { xmp: { naming: 'basename' } } });
  });

  it('refuses requests without exactly one of photoIds and folderId, and unknown targets', async () => {
    for (const args of [{}, { photoIds: [1], folderId: photos.id }, { photoIds: [] }, { folderId: -1 }]) {
      const r = await services.router.call('xmp:write', args);
      expect(r, JSON.stringify(args)).toMatchObject({ ok: false, error: { code: 'bad-argument' } });
    }
    expect(await services.router.call('xmp:write', { folderId: 4242 })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await services.router.call('xmp:write', { photoIds: [4242] })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(elsewhere.id).not.toBe(photos.id);
  });
});
