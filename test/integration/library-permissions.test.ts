/**
 * @file Unreadable files and folders (issue 3, item 7). Root reads everything, so when the tests run as
 * root the indexing process is started as `nobody` (runuser); as another user it runs directly.
 * An unreadable file is listed with "permission denied"; an unreadable folder is a warning; the rest indexes.
 * A folder that becomes unreadable keeps its files' state, while deletions elsewhere are still noticed
 * (issue 7, item 4).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers/library-harness';
import { canDropPrivileges, isRoot } from './helpers/unprivileged';

const dir = mkdtempSync(join(tmpdir(), 'shoebox-perm-'));
const dir2 = mkdtempSync(join(tmpdir(), 'shoebox-perm-'));
afterAll(() => {
  chmodSync(join(dir, 'photos', 'locked-dir'), 0o755);
  rmSync(dir, { recursive: true, force: true });
  if (existsSync(join(dir2, 'photos', 'later-locked'))) chmodSync(join(dir2, 'photos', 'later-locked'), 0o755);
  rmSync(dir2, { recursive: true, force: true });
});

/** Indexes `photos` into `data` as an unprivileged user (as `nobody` when the tests run as root). */
function indexAsUser(data: string, photos: string) {
  const helper = resolve(__dirname, 'helpers/index-process.ts');
  const cmd = [process.execPath, '--import', 'tsx', helper, data, photos, '1'];
  return isRoot
    ? spawnSync('runuser', ['-u', 'nobody', '--', ...cmd], { encoding: 'utf8' })
    : spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
}

/** A `photos` folder in `base` (which the unprivileged user may write) with copies of fixtures: relPath → fixture. */
function photosWith(base: string, files: Record<string, string>): string {
  chmodSync(base, 0o777);
  const photos = join(base, 'photos');
  for (const [rel, fixture] of Object.entries(files)) {
    mkdirSync(dirname(join(photos, rel)), { recursive: true });
    copyFileSync(join(FIXTURES, fixture), join(photos, rel));
  }
  return photos;
}

describe.skipIf(!canDropPrivileges)('unreadable files', () => {
  it('lists an unreadable file with its reason and indexes the rest', () => {
    const photos = photosWith(dir, {
      'ok.jpg': 'formats/fruits.jpg',
      'locked.jpg': 'formats/fruits.png',
      'locked-dir/inside.gif': 'formats/fruits.gif',
    });
    chmodSync(join(photos, 'locked.jpg'), 0o000);
    chmodSync(join(photos, 'locked-dir'), 0o000);
    const r = indexAsUser(join(dir, 'data'), photos);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('idle 2');
    const db = new Database(join(dir, 'data', 'library.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT rel_path, status, error FROM files ORDER BY rel_path').all();
      expect(rows).toEqual([
        { rel_path: 'locked.jpg', status: 'error', error: 'cannot read the file: permission denied' },
        { rel_path: 'ok.jpg', status: 'ok', error: null },
      ]);
      expect(db.prepare("SELECT count(*) FROM jobs WHERE step = 'thumbnail' AND state = 'done'").pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  }, 60_000);

  it("notices a file deleted while closed although a sub-folder became unreadable, and keeps that folder's files", () => {
    const photos = photosWith(dir2, {
      'kept.jpg': 'formats/fruits.jpg',
      'deleted.png': 'formats/fruits.png',
      'later-locked/inside.gif': 'formats/fruits.gif',
    });
    const first = indexAsUser(join(dir2, 'data'), photos);
    expect(first.status, first.stderr).toBe(0);
    // While closed: a sub-folder loses its permissions, and a file elsewhere is deleted.
    chmodSync(join(photos, 'later-locked'), 0o000);
    rmSync(join(photos, 'deleted.png'));
    const second = indexAsUser(join(dir2, 'data'), photos);
    expect(second.status, second.stderr).toBe(0);
    const db = new Database(join(dir2, 'data', 'library.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT rel_path, status FROM files ORDER BY rel_path').all()).toEqual([
        { rel_path: 'deleted.png', status: 'missing' },
        { rel_path: 'kept.jpg', status: 'ok' },
        { rel_path: 'later-locked/inside.gif', status: 'ok' },
      ]);
      const warnings = JSON.parse(db.prepare('SELECT scan_warnings FROM folders').pluck().get() as string) as string[];
      expect(warnings).toEqual([expect.stringMatching(/cannot read folder later-locked: permission denied/)]);
    } finally {
      db.close();
    }
  }, 60_000);
});
