/**
 * @file The folder browser's file-system side and the rule for typed paths: sub-folders only, hidden
 * ones on request, unreadable ones marked, `~` means home, a relative path is refused (never resolved
 * against the program's folder), mount points filtered to the ones people keep photos on.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browseFolder, recentPlaces, userMounts } from '../../main/library/folder-browser';
import { checkNewRoot } from '../../main/library/roots';
import { absoluteUserPath } from '../../main/library/user-path';

let dir: string;
const root = process.getuid?.() === 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoebox-browse-'));
  for (const d of ['Pictures', 'pictures 2', 'b', '.cache', 'locked', 'Pictures/2019']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'a.jpg'), 'x');
  symlinkSync(join(dir, 'Pictures'), join(dir, 'link-to-pictures'));
  symlinkSync(join(dir, 'a.jpg'), join(dir, 'link-to-file'));
  chmodSync(join(dir, 'locked'), 0o000);
});
afterAll(() => {
  chmodSync(join(dir, 'locked'), 0o755);
  rmSync(dir, { recursive: true, force: true });
});

describe('absoluteUserPath', () => {
  it('expands ~ and ~/ to the home folder', () => {
    expect(absoluteUserPath('~', '/home/me')).toBe('/home/me');
    expect(absoluteUserPath('~/Pictures/', '/home/me')).toBe('/home/me/Pictures/');
    expect(absoluteUserPath(' /data/photos ', '/home/me')).toBe('/data/photos');
  });
  it('refuses a relative path with a message saying what to type', () => {
    for (const p of ['photos', './photos', '../x', '~other/photos']) {
      expect(() => absoluteUserPath(p, '/home/me')).toThrow(/is not a full path.*~ for your home folder/);
    }
  });
  it('is what adding a folder uses: a relative path never resolves against the working folder', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      // "Pictures" exists in the working folder, and is still refused.
      await expect(checkNewRoot('Pictures', [])).rejects.toMatchObject({ code: 'bad-argument', message: /not a full path/ });
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('browseFolder', () => {
  it('lists sub-folders only, by name, links to folders included, hidden ones counted', async () => {
    const l = await browseFolder(dir, { showHidden: false });
    expect(l.path).toBe(dir);
    expect(l.entries.map((e) => e.name)).toEqual(['b', 'link-to-pictures', 'locked', 'Pictures', 'pictures 2']);
    expect(l.hiddenCount).toBe(1);
    expect(l.parent).toBe(tmpdir());
    expect(l.truncated).toBe(false);
    expect(l.entries.find((e) => e.name === 'Pictures')).toEqual({
      name: 'Pictures',
      path: join(dir, 'Pictures'),
      readable: true,
      hidden: false,
    });
  });
  it.skipIf(root)('marks a folder it may not list as unreadable', async () => {
    const l = await browseFolder(dir, { showHidden: false });
    expect(l.entries.find((e) => e.name === 'locked')?.readable).toBe(false);
    await expect(browseFolder(join(dir, 'locked'), { showHidden: false })).rejects.toMatchObject({ message: /permission denied/ });
  });
  it('shows hidden folders on request', async () => {
    const l = await browseFolder(dir, { showHidden: true });
    expect(l.entries.find((e) => e.name === '.cache')).toMatchObject({ hidden: true });
    expect(l.hiddenCount).toBe(0);
  });
  it('starts at home, expands ~, and refuses relative paths, files and missing folders', async () => {
    expect((await browseFolder(undefined, { showHidden: false, home: dir })).path).toBe(dir);
    expect((await browseFolder('~/Pictures', { showHidden: false, home: dir })).entries.map((e) => e.name)).toEqual(['2019']);
    await expect(browseFolder('Pictures', { showHidden: false, home: dir })).rejects.toMatchObject({ code: 'bad-argument' });
    await expect(browseFolder(join(dir, 'a.jpg'), { showHidden: false })).rejects.toMatchObject({ message: /is not a folder/ });
    await expect(browseFolder(join(dir, 'nope'), { showHidden: false })).rejects.toMatchObject({ code: 'not-found' });
  });
  it('caps a huge listing and says so; the root has no parent', async () => {
    const l = await browseFolder(dir, { showHidden: false, maxEntries: 2 });
    expect(l.entries).toHaveLength(2);
    expect(l.truncated).toBe(true);
    expect((await browseFolder('/', { showHidden: false })).parent).toBeNull();
  });
});

describe('places', () => {
  it('keeps user mounts and drops system plumbing', () => {
    const table = [
      'proc /proc proc rw 0 0',
      '/dev/sda1 / ext4 rw 0 0',
      '/dev/sda2 /boot/efi vfat rw 0 0',
      '/dev/sdb1 /media/me/USB\\040STICK vfat rw 0 0',
      '/dev/sdc1 /run/media/me/Photos exfat rw 0 0',
      'tmpfs /run/user/1000 tmpfs rw 0 0',
      '//nas/photos /mnt/nas cifs rw 0 0',
      '/dev/loop0 /snap/core/1 squashfs ro 0 0',
      '/dev/sda3 /home ext4 rw 0 0',
    ].join('\n');
    expect(userMounts(table)).toEqual(['/media/me/USB STICK', '/run/media/me/Photos', '/mnt/nas', '/home']);
  });
  it('offers the folders holding the library folders, newest first, once each, existing only', async () => {
    const recent = await recentPlaces([
      { path: join(dir, 'Pictures', '2019'), addedAt: '2026-01-02' },
      { path: join(dir, 'b'), addedAt: '2026-01-03' },
      { path: join(dir, 'pictures 2'), addedAt: '2026-01-01' },
      { path: '/no/such/place/x', addedAt: '2026-01-04' },
    ]);
    expect(recent.map((r) => r.path)).toEqual([dir, join(dir, 'Pictures')]);
  });
});
