/**
 * @file A really full disk for the thumbnail cache (issue 3, item 7): the cache folder is a 48 KB tmpfs.
 * The queue pauses with a visible reason and warning, no job is lost or failed, and after space is
 * freed (the tmpfs grows) a resume finishes everything. Needs root (mount); skipped otherwise.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
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
afterAll(async () => {
  await h?.lib.close();
  if (mounted) execFileSync('umount', [mounted]);
  await h?.dispose();
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
});
