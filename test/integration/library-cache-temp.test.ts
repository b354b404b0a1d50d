/**
 * @file Thumbnail temp files left by a kill (issue 7, item 8a): the next start removes them, and only
 * them: Shoebox's own temp names in its own cache folder, never one a live process may still be writing.
 * See [Note: Cache temp files] in main/library/thumbnails.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeHarness, type Harness } from './helpers/library-harness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

const KEY = '0123456789abcdef0123456789abcdef-t1.jpg';

describe('cache temp files', () => {
  it('removes the temp files a killed run left in the cache at start, and nothing else', async () => {
    h = makeHarness();
    const hh = h;
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid; // exited: its writes can never finish
    const livePid = process.ppid; // alive, not us: it might be writing right now
    const dir = join(hh.paths.thumbsDir, '01');
    mkdirSync(dir, { recursive: true });
    mkdirSync(join(hh.paths.thumbsDir, 'placeholder'), { recursive: true });
    const make = (file: string, ageMs = 0) => {
      writeFileSync(file, 'partial jpeg');
      if (ageMs) utimesSync(file, new Date(Date.now() - ageMs), new Date(Date.now() - ageMs));
      return file;
    };
    const stale = [
      make(join(dir, `${KEY}.${deadPid}.k3j2h1.tmp`)),
      make(join(hh.paths.thumbsDir, 'placeholder', `placeholder-video-1.jpg.${deadPid}.a1.tmp`)),
      // A live process's, but far older than any write takes.
      make(join(dir, `${KEY}.${livePid}.zz9.tmp`), 2 * 3600_000),
      // This process's pid, but not a file this process is writing: an earlier process with the same pid.
      make(join(dir, `${KEY}.${process.pid}.old1.tmp`)),
    ];
    const kept = [
      make(join(dir, `${KEY}.${livePid}.fresh.tmp`)), // a live process may be about to rename it
      make(join(dir, 'notes.tmp')), // not a name Shoebox writes
      make(join(dir, KEY)), // a finished thumbnail
      make(join(hh.paths.dataDir, `${KEY}.${deadPid}.x.tmp`)), // outside the cache folder
      make(join(hh.paths.thumbsDir, `${KEY}.${deadPid}.y.tmp`)), // not in a cache sub-folder
    ];
    await hh.lib.start();
    await hh.lib.whenIdle();
    expect(stale.filter((f) => existsSync(f))).toEqual([]);
    expect(kept.filter((f) => !existsSync(f))).toEqual([]);
  });
});
