/**
 * @file Symbolic links (issue 7, item 5), on real folders with real chokidar: links that lead out of a
 * library folder are neither walked, watched, hashed nor decoded, and are listed as skipped with the
 * reason; links that stay inside keep working. See [Note: Symlinks stay inside their folder] in
 * main/library/links.ts.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashBuffer } from '../../main/library/hash';
import { FIXTURES, makeHarness, waitFor, type Harness } from './helpers/library-harness';

const A = readFileSync(join(FIXTURES, 'formats/fruits.jpg'));
const B = readFileSync(join(FIXTURES, 'bad/names/name with spaces.jpg'));
const C = readFileSync(join(FIXTURES, 'bad/names/émoji 📷 café.jpg'));
const SECRET = readFileSync(join(FIXTURES, 'formats/fruits.png'));

let h: Harness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

/** A folder beside the library folder, standing in for /etc or another drive. */
function makeOutside(hh: Harness): string {
  const outside = join(hh.root, 'outside');
  mkdirSync(join(outside, 'sub'), { recursive: true });
  writeFileSync(join(outside, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(outside, 'secret.png'), SECRET);
  writeFileSync(join(outside, 'sub', 'deeper.jpg'), B);
  return outside;
}

const fileRows = (hh: Harness) =>
  hh.db
    .prepare<[], { rel_path: string; status: string; error: string | null }>('SELECT rel_path, status, error FROM files ORDER BY rel_path')
    .all();

async function expectNothingReadFrom(hh: Harness) {
  // Neither outside image was hashed into a photo (so nothing got a thumbnail or preview).
  const hashes = hh.db.prepare<[], string>('SELECT hash FROM photos').pluck().all();
  expect(hashes).not.toContain(await hashBuffer(SECRET));
  expect(hashes).not.toContain(await hashBuffer(B));
  expect(fileRows(hh).map((r) => r.rel_path)).not.toContain('etc/passwd');
}

describe('symlinks', () => {
  it('does not follow links out of the folder and lists them with the reason; links inside are indexed', async () => {
    h = makeHarness();
    const hh = h;
    const outside = makeOutside(hh);
    mkdirSync(join(hh.photosDir, 'real'), { recursive: true });
    mkdirSync(join(hh.photosDir, '.hidden'), { recursive: true });
    writeFileSync(join(hh.photosDir, 'real', 'a.jpg'), A);
    writeFileSync(join(hh.photosDir, '.hidden', 'h.jpg'), C);
    symlinkSync(outside, join(hh.photosDir, 'etc'));
    symlinkSync(join(outside, 'secret.png'), join(hh.photosDir, 'secret.png'));
    symlinkSync(join('real', 'a.jpg'), join(hh.photosDir, 'inside-link.jpg'));
    symlinkSync('.hidden', join(hh.photosDir, 'shown'));
    symlinkSync('real', join(hh.photosDir, 'alias'));
    await hh.lib.addFolder(hh.photosDir);
    await hh.lib.whenIdle();

    expect(fileRows(hh)).toEqual([
      {
        rel_path: 'etc',
        status: 'error',
        error: `link leads outside this folder (${outside}); add ${outside} as a folder of its own to include it`,
      },
      { rel_path: 'inside-link.jpg', status: 'ok', error: null },
      { rel_path: 'real/a.jpg', status: 'ok', error: null },
      {
        rel_path: 'secret.png',
        status: 'error',
        error: `link leads outside this folder (${join(outside, 'secret.png')}); add ${outside} as a folder of its own to include it`,
      },
      // A link to a folder the walk does not reach otherwise is followed; an alias of one it reaches is not.
      { rel_path: 'shown/h.jpg', status: 'ok', error: null },
    ]);
    await expectNothingReadFrom(hh);
    // Listed where failures are shown, with the reason.
    const failures = hh.lib.failures(0, 50).items;
    expect(failures.find((f) => f.path === join(hh.photosDir, 'etc'))?.error).toMatch(/link leads outside this folder/);
    // The link inside is the same photo as its target, with a thumbnail.
    const a = hh.lib.page({ offset: 0, limit: 50 }).items.find((p) => p.name === 'a.jpg' || p.name === 'inside-link.jpg')!;
    expect(a.thumb).toMatch(/-t1\.jpg$/);
    expect(
      hh.lib
        .getPhoto(a.id)!
        .files.map((f) => f.relPath)
        .sort(),
    ).toEqual(['inside-link.jpg', 'real/a.jpg']);
    expect(hh.lib.listFolders()[0]!.scanWarnings).toEqual([]);
  }, 30_000);

  it('refuses a path that leads out through a link when it is ingested directly (a retry, a stale row)', async () => {
    h = makeHarness();
    const hh = h;
    const outside = makeOutside(hh);
    mkdirSync(hh.photosDir, { recursive: true });
    symlinkSync(outside, join(hh.photosDir, 'etc'));
    symlinkSync(join(outside, 'secret.png'), join(hh.photosDir, 'secret.png'));
    await hh.lib.addFolder(hh.photosDir);
    await hh.lib.whenIdle();
    // A retry of the skipped entries re-reads them one by one: they stay skipped, and nothing is read.
    expect(hh.lib.retryFailed()).toBe(2);
    await hh.lib.whenIdle();
    expect(fileRows(hh)).toEqual([
      { rel_path: 'etc', status: 'error', error: expect.stringMatching(/^link leads outside/) as string },
      { rel_path: 'secret.png', status: 'error', error: expect.stringMatching(/^link leads outside/) as string },
    ]);
    expect(hh.lib.failures(0, 10).total).toBe(2);
    await expectNothingReadFrom(hh);
  }, 30_000);

  it('the watcher does not follow a new link out of the folder, lists it, and follows new links inside', async () => {
    h = makeHarness({ watch: true, settleMs: 200 });
    const hh = h;
    const outside = makeOutside(hh);
    mkdirSync(join(hh.photosDir, 'real'), { recursive: true });
    await hh.lib.addFolder(hh.photosDir);
    await hh.lib.whenIdle();
    await new Promise((r) => setTimeout(r, 300)); // chokidar ready

    symlinkSync(outside, join(hh.photosDir, 'etc'));
    symlinkSync(join(outside, 'secret.png'), join(hh.photosDir, 'secret.png'));
    writeFileSync(join(hh.photosDir, 'real', 'a.jpg'), A);
    symlinkSync(join('real', 'a.jpg'), join(hh.photosDir, 'inside-link.jpg'));
    await waitFor(() => fileRows(hh).length === 4, 5000);
    await hh.lib.whenIdle();
    // Files written behind the link later are not seen either.
    writeFileSync(join(outside, 'sub', 'later.jpg'), A);
    await new Promise((r) => setTimeout(r, 800));
    await hh.lib.whenIdle();
    expect(fileRows(hh)).toEqual([
      { rel_path: 'etc', status: 'error', error: expect.stringMatching(/^link leads outside this folder/) as string },
      { rel_path: 'inside-link.jpg', status: 'ok', error: null },
      { rel_path: 'real/a.jpg', status: 'ok', error: null },
      { rel_path: 'secret.png', status: 'error', error: expect.stringMatching(/^link leads outside this folder/) as string },
    ]);
    await expectNothingReadFrom(hh);
  }, 30_000);
});
