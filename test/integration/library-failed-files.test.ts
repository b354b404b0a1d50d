/**
 * @file A file that fails in several steps counts once: `jobs:status` carries `failedFiles` (distinct
 * photos with a failed job) next to the per-step failure counts, for "1 file could not be read".
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobsRepo } from '../../main/db/jobs.repo';
import { makeHarness, type Harness } from './helpers/library-harness';

let h: Harness;
beforeAll(() => {
  h = makeHarness({}, false);
});
afterAll(async () => {
  await h?.dispose();
});

describe('failed files', () => {
  it('counts a file once however many of its steps failed', async () => {
    mkdirSync(h.photosDir, { recursive: true });
    writeFileSync(join(h.photosDir, 'garbage.jpg'), 'this is not a JPEG');
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    const first = h.lib.jobsStatus();
    expect(first.failedFiles).toBe(1);
    const failed = h.lib.failures(0, 10);
    expect(failed.total).toBeGreaterThanOrEqual(1);

    // The same file failing in one more step: two failed jobs, still one file.
    const photoId = failed.items[0]!.photoId;
    const other = failed.items.some((f) => f.step === 'metadata') ? 'geocode' : 'metadata';
    createJobsRepo(h.db).recordFailure(photoId, { name: other, rank: 0, version: '1', kinds: ['image'] }, 'read error', Date.now());
    const after = h.lib.jobsStatus();
    expect(h.lib.failures(0, 10).total).toBe(failed.total + 1);
    expect(after.steps.reduce((n, s) => n + s.failed, 0)).toBe(failed.total + 1);
    expect(after.failedFiles).toBe(1);
  });
});
