/**
 * The media path guard: originals only when the library indexed them, and only from inside their library
 * folder; thumbnails only by cache key.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveMedia, safeSegment, type MediaLookup } from '../../main/media';

let root: string;
let outside: string;
let cache: string;
let lookup: MediaLookup;

beforeAll(() => {
  const base = mkdtempSync(join(tmpdir(), 'shoebox-guard-'));
  root = join(base, 'photos');
  outside = join(base, 'secret');
  cache = join(base, 'cache');
  for (const d of [root, join(root, 'sub dir'), outside, cache]) mkdirSync(d, { recursive: true });
  writeFileSync(join(root, 'a.jpg'), 'jpeg');
  writeFileSync(join(root, 'sub dir', 'b é.png'), 'png');
  writeFileSync(join(outside, 'passwd'), 'secret');
  writeFileSync(join(root, 'notes.txt'), 'private notes');
  writeFileSync(join(root, 'late.jpg'), 'not scanned yet');
  mkdirSync(join(root, '.git'));
  writeFileSync(join(root, '.git', 'config'), '[remote]');
  writeFileSync(join(cache, 'abcdef0123456789.webp'), 'thumb');
  symlinkSync(join(outside, 'passwd'), join(root, 'link.jpg'));
  symlinkSync(outside, join(root, 'linkdir'));
  symlinkSync(join(root, 'a.jpg'), join(root, 'inner-link.jpg'));
  // What the library indexed: the photos, and (as a scan might) two links whose targets leave the folder.
  const indexed = new Set(['a.jpg', 'sub dir/b é.png', 'inner-link.jpg', 'link.jpg', 'linkdir/passwd']);
  lookup = {
    folderRoot: (id) => (id === 1 ? root : null),
    isIndexed: (id, rel) => id === 1 && indexed.has(rel),
    cachePath: (key) => (/^[0-9a-f]{16}\.webp$|^[0-9a-f]{32}-[tp]1\.jpg$/.test(key) ? join(cache, key) : null),
    ensurePreview: () => Promise.resolve({ ok: false, status: 404, reason: 'no preview made in this test' }),
  };
});

describe('safeSegment', () => {
  it.each(['', '.', '..', '%2e%2e', '%2E%2E', 'a%2Fb', 'a%5Cb', 'a%00b', 'C:', 'c%3A%5Cwindows', '%E0%A4%A'])('refuses %j', (s) => {
    expect(safeSegment(s)).toBeNull();
  });
  it('decodes plain names', () => {
    expect(safeSegment('b%20%C3%A9.png')).toBe('b é.png');
  });
});

describe('resolveMedia', () => {
  it('serves a file inside the folder, with nested and encoded names', async () => {
    expect(await resolveMedia('original/1/a.jpg', lookup)).toMatchObject({ ok: true, mime: 'image/jpeg' });
    expect(await resolveMedia('original/1/sub%20dir/b%20%C3%A9.png', lookup)).toMatchObject({ ok: true, mime: 'image/png' });
    expect(await resolveMedia('original/1/inner-link.jpg', lookup)).toMatchObject({ ok: true });
  });

  it.each([
    ['original/1/../secret/passwd', 400],
    ['original/1/%2e%2e/secret/passwd', 400],
    ['original/1/..%2Fsecret%2Fpasswd', 400],
    ['original/1/%2Fetc%2Fpasswd', 400],
    ['original/1/link.jpg', 403],
    ['original/1/linkdir/passwd', 403],
    ['original/2/a.jpg', 404],
    ['original/0/a.jpg', 400],
    ['original/1e3/a.jpg', 400],
    ['original/1/missing.jpg', 404],
    ['original/1/sub%20dir', 404],
    ['original/1/notes.txt', 404],
    ['original/1/late.jpg', 404],
    ['original/1/.git/config', 404],
    ['thumb/..%2F..%2Fsecret', 400],
    ['thumb/ABCDEF.webp', 400],
    ['elsewhere/x', 400],
  ])('refuses %s with %i', async (path, status) => {
    expect(await resolveMedia(path, lookup)).toMatchObject({ ok: false, status });
  });

  it('serves thumbnails by key only', async () => {
    expect(await resolveMedia('thumb/abcdef0123456789.webp', lookup)).toMatchObject({ ok: true, mime: 'image/webp' });
    expect(await resolveMedia('thumb/0000000000000000.webp', lookup)).toMatchObject({ ok: false, status: 404 });
  });

  it('has a missing preview made by the library, and only a preview', async () => {
    const asked: string[] = [];
    const maker: MediaLookup = {
      ...lookup,
      ensurePreview: (key) => {
        asked.push(key);
        if (key.startsWith('f')) return Promise.resolve({ ok: false, status: 422, reason: 'cannot decode this image/jpeg file' });
        writeFileSync(join(cache, key), 'preview');
        return Promise.resolve({ ok: true, file: join(cache, key) });
      },
    };
    const made = `${'a'.repeat(32)}-p1.jpg`;
    expect(await resolveMedia(`thumb/${made}`, maker)).toEqual({ ok: true, file: join(cache, made), mime: 'image/jpeg' });
    // Its failure is served as it is; a missing thumbnail is not made here (indexing makes thumbnails).
    expect(await resolveMedia(`thumb/${'f'.repeat(32)}-p1.jpg`, maker)).toEqual({
      ok: false,
      status: 422,
      reason: 'cannot decode this image/jpeg file',
    });
    expect(await resolveMedia(`thumb/${'b'.repeat(32)}-t1.jpg`, maker)).toMatchObject({ ok: false, status: 404 });
    // Once made, the cache answers without asking again.
    expect(await resolveMedia(`thumb/${made}`, maker)).toMatchObject({ ok: true });
    expect(asked).toEqual([made, `${'f'.repeat(32)}-p1.jpg`]);
  });

  it('asks the library before touching the disk, with the decoded path', async () => {
    const asked: [number, string][] = [];
    const spy: MediaLookup = { ...lookup, isIndexed: (id, rel) => (asked.push([id, rel]), false) };
    expect(await resolveMedia('original/1/sub%20dir/b%20%C3%A9.png', spy)).toMatchObject({ ok: false, status: 404 });
    expect(await resolveMedia('original/1/no-such-dir/x.jpg', spy)).toMatchObject({
      ok: false,
      status: 404,
      reason: 'not an indexed file',
    });
    expect(asked).toEqual([
      [1, 'sub dir/b é.png'],
      [1, 'no-such-dir/x.jpg'],
    ]);
  });
});
