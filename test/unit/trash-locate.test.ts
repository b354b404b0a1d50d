/**
 * @file Finding a trashed file and putting it back ([Note: Finding files in the OS trash]) on real temp
 * folders laid out as the freedesktop.org spec and macOS lay them out: the percent-encoded `Path=` of a
 * home trash, a topdir trash's relative `Path=` (a temp folder standing for another mount's top), the newest of two deletions of one path, a different
 * file once at that path never taken, macOS names with a suffix matched by content, put-back never over
 * an existing file, and Windows saying undo is not available.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashFile } from '../../main/library/hash';
import { createTrashLocator, putBack, PutBackError, trashInfoPath } from '../../main/library/trash-locate';

const root = mkdtempSync(join(tmpdir(), 'shoebox-trash-locate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Puts `content` in a freedesktop trash at `trash` as if `original` had been trashed. */
function trashed(trash: string, name: string, pathField: string, content: string, deleted = '2026-11-30T10:00:00') {
  mkdirSync(join(trash, 'files'), { recursive: true });
  mkdirSync(join(trash, 'info'), { recursive: true });
  writeFileSync(join(trash, 'files', name), content);
  writeFileSync(join(trash, 'info', `${name}.trashinfo`), `[Trash Info]\nPath=${pathField}\nDeletionDate=${deleted}\n`);
  return join(trash, 'files', name);
}
const hashOf = async (text: string) => {
  const f = join(root, `h-${Math.random()}`);
  writeFileSync(f, text);
  return (await hashFile(f)).hash;
};

describe('trash locator', () => {
  it('parses .trashinfo paths, percent-encoded or not', () => {
    expect(trashInfoPath('[Trash Info]\nPath=/a/b%20c/%C3%A9t%C3%A9.jpg\nDeletionDate=2026-01-01T00:00:00')).toEqual({
      path: '/a/b c/été.jpg',
      deleted: '2026-01-01T00:00:00',
    });
    expect(trashInfoPath('[Trash Info]\nPath=/a/100%.jpg')?.path).toBe('/a/100%.jpg');
    expect(trashInfoPath('Path=/a.jpg')).toBeNull();
  });

  it('finds the newest deletion with the same content in the home trash, never a different file', async () => {
    const data = join(root, 'xdg');
    const original = join(root, 'photos', 'sun set.jpg');
    mkdirSync(join(root, 'photos'), { recursive: true });
    const encoded = original.split('/').map(encodeURIComponent).join('/');
    trashed(join(data, 'Trash'), 'sun set.jpg', encoded, 'other bytes', '2026-11-30T11:00:00');
    trashed(join(data, 'Trash'), 'sun set.2.jpg', encoded, 'the photo', '2026-11-30T09:00:00');
    const newest = trashed(join(data, 'Trash'), 'sun set.3.jpg', encoded, 'the photo', '2026-11-30T10:00:00');
    const locator = createTrashLocator('linux', { XDG_DATA_HOME: data }, join(root, 'home'));
    const found = await locator.find(original, await hashOf('the photo'), 'the photo'.length);
    expect(found).toEqual({ path: newest, info: `${newest.replace('/files/', '/info/')}.trashinfo` });
    expect(await locator.find(original, await hashOf('never trashed'), 'never trashed'.length)).toBeNull();

    utimesSync(newest, new Date(), new Date(1_600_000_000_000));
    await putBack(found!, original, 1_600_000_000_000);
    expect(readFileSync(original, 'utf8')).toBe('the photo');
    expect(statSync(original).mtimeMs).toBe(1_600_000_000_000);
    expect(existsSync(newest)).toBe(false);
    expect(existsSync(found!.info!)).toBe(false);
  });

  it("reads a topdir trash's relative paths (.Trash-$uid and .Trash/$uid)", async () => {
    // A temp folder stands for the top of another mount.
    const top = join(root, 'mount');
    const uid = process.getuid?.() ?? 0;
    const original = join(top, 'photos', 'top.jpg');
    const a = trashed(join(top, `.Trash-${uid}`), 'top.jpg', 'photos/top.jpg', 'topdir photo');
    const b = trashed(join(top, '.Trash', String(uid)), 'top.jpg', 'photos/top.jpg', 'admin trash photo');
    const locator = createTrashLocator('linux', { XDG_DATA_HOME: join(root, 'empty') }, join(root, 'home'), () => Promise.resolve(top));
    expect((await locator.find(original, await hashOf('topdir photo'), 'topdir photo'.length))?.path).toBe(a);
    expect((await locator.find(original, await hashOf('admin trash photo'), 'admin trash photo'.length))?.path).toBe(b);
  });

  it('matches macOS names with a suffix by content, and never puts back over a file', async () => {
    const home = join(root, 'mac');
    mkdirSync(join(home, '.Trash'), { recursive: true });
    writeFileSync(join(home, '.Trash', 'IMG_1.jpg'), 'someone else');
    writeFileSync(join(home, '.Trash', 'IMG_1 10.42.07.jpg'), 'mine');
    const original = join(root, 'macphotos', 'IMG_1.jpg');
    const locator = createTrashLocator('darwin', {}, home);
    const found = await locator.find(original, await hashOf('mine'), 4);
    expect(found).toEqual({ path: join(home, '.Trash', 'IMG_1 10.42.07.jpg'), info: null });
    mkdirSync(join(root, 'macphotos'));
    writeFileSync(original, 'a new file there');
    await expect(putBack(found!, original, 0)).rejects.toThrow(PutBackError);
    expect(readFileSync(original, 'utf8')).toBe('a new file there');
    expect(existsSync(found!.path)).toBe(true);
  });

  it('says undo is not available on Windows', async () => {
    const locator = createTrashLocator('win32', {}, root);
    expect(locator.supported).toBe(false);
    expect(locator.note).toMatch(/Recycle Bin/);
  });
});
