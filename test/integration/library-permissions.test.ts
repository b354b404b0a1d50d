/**
 * @file Unreadable files and folders (issue 3, item 7). Root reads everything, so when the tests run as
 * root the indexing process is started as `nobody` (runuser); as another user it runs directly.
 * An unreadable file is listed with "permission denied"; an unreadable folder is a warning; the rest indexes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers/library-harness';

const isRoot = process.getuid?.() === 0;
const canDrop = (() => {
  if (!isRoot) return true;
  try {
    execFileSync('runuser', ['-u', 'nobody', '--', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const dir = mkdtempSync(join(tmpdir(), 'shoebox-perm-'));
afterAll(() => {
  chmodSync(join(dir, 'photos', 'locked-dir'), 0o755);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!canDrop)('unreadable files', () => {
  it('lists an unreadable file with its reason and indexes the rest', () => {
    chmodSync(dir, 0o777);
    const photos = join(dir, 'photos');
    mkdirSync(join(photos, 'locked-dir'), { recursive: true });
    copyFileSync(join(FIXTURES, 'formats/fruits.jpg'), join(photos, 'ok.jpg'));
    copyFileSync(join(FIXTURES, 'formats/fruits.png'), join(photos, 'locked.jpg'));
    copyFileSync(join(FIXTURES, 'formats/fruits.gif'), join(photos, 'locked-dir', 'inside.gif'));
    chmodSync(join(photos, 'locked.jpg'), 0o000);
    chmodSync(join(photos, 'locked-dir'), 0o000);
    const helper = resolve(__dirname, 'helpers/index-process.ts');
    const cmd = [process.execPath, '--import', 'tsx', helper, join(dir, 'data'), photos, '1'];
    const r = isRoot
      ? spawnSync('runuser', ['-u', 'nobody', '--', ...cmd], { encoding: 'utf8' })
      : spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
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
});
