/**
 * @file A really full disk for the thumbnail cache (issue 3, item 7): the cache folder is a 48 KB tmpfs.
 * The queue pauses with a visible reason and warning, no job is lost or failed, and after space is
 * freed (the tmpfs grows) a resume finishes everything. Needs root (mount); skipped otherwise.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, makeHarness, waitFor, type Harness } from './helpers/library-harness';

function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let h: Harness | null = null;
let mounted: string | null = null;
let h2: Harness | null = null;
let mounted2: string | null = null;
afterAll(async () => {
  await h?.lib.close();
  await h2?.lib.close();
  if (mounted) execFileSync('umount', [mounted]);
  if (mounted2) execFileSync('umount', [mounted2]);
  await h?.dispose();
  await h2?.dispose();
});

describe.skipIf(!canMount())('full cache disk', () => {
  it('pauses with the reason, loses no job, and finishes after a resume', async (ctx) => {
    h = makeHarness({ concurrency: 2 });
    const hh = h;
    mkdirSync(hh.photosDir, { recursive: true });
    cpSync(join(FIXTURES, 'formats'), hh.photosDir, { recursive: true });
    mkdirSync(hh.paths.thumbsDir, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48k', 'tmpfs', hh.paths.thumbsDir], { stdio: 'pipe' });
    } catch {
      ctx.skip(); // a container that forbids mounts
    }
    mounted = hh.paths.thumbsDir;
    await hh.lib.addFolder(hh.photosDir);
    await waitFor(() => hh.lib.jobsStatus().paused, 10_000);
    await hh.lib.whenIdle();
    const st = hh.lib.jobsStatus();
    expect(st.blockedReason).toMatch(/disk holding the cache is full/);
    expect(hh.events.some((e) => e.event === 'app:warning' && (e.payload as { code: string }).code === 'cache-disk-full')).toBe(true);
    expect(hh.lib.failures(0, 100).total).toBe(0);
    expect(st.steps.reduce((a, s) => a + s.pending, 0)).toBeGreaterThan(0);

    execFileSync('mount', ['-o', 'remount,size=16m', hh.paths.thumbsDir]);
    hh.lib.resume();
    await hh.lib.whenIdle();
    const done = hh.lib.jobsStatus();
    expect(done.paused).toBe(false);
    expect(done.steps.reduce((a, s) => a + s.pending + s.failed, 0)).toBe(0);
    expect(hh.lib.page({ offset: 0, limit: 50 }).items.every((p) => p.thumb !== null)).toBe(true);
  }, 30_000);

  it('notices a drive mounted over (or unmounted from) a watched folder and rescans it', async (ctx) => {
    h2 = makeHarness({ watch: true, settleMs: 100, rescanIntervalMs: 300 });
    const hh = h2;
    mkdirSync(hh.photosDir, { recursive: true });
    cpSync(join(FIXTURES, 'formats/fruits.jpg'), join(hh.photosDir, 'on-disk.jpg'));
    await hh.lib.addFolder(hh.photosDir);
    await hh.lib.whenIdle();
    const name = (n: string) => hh.lib.page({ offset: 0, limit: 10 }).items.find((p) => p.name === n);
    expect(name('on-disk.jpg')!.status).toBe('ok');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', hh.photosDir], { stdio: 'pipe' });
    } catch {
      ctx.skip();
    }
    mounted2 = hh.photosDir;
    await waitFor(() => name('on-disk.jpg')?.status === 'missing', 5000);
    // The new filesystem is watched: a file written there shows up.
    writeFileSync(join(hh.photosDir, 'on-drive.jpg'), readFileSync(join(FIXTURES, 'bad/names/name with spaces.jpg')));
    await waitFor(() => name('on-drive.jpg')?.status === 'ok', 5000);
    await hh.lib.whenIdle(); // a drive can only be unmounted once nothing reads from it
    execFileSync('umount', [hh.photosDir]);
    mounted2 = null;
    await waitFor(() => name('on-disk.jpg')?.status === 'ok' && name('on-drive.jpg')?.status === 'missing', 5000);
  }, 30_000);
});
