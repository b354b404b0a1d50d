/**
 * @file The persistent job queue (issue 3, items 5 and 6) on a real database: pause/resume, retry,
 * permanent failures listed with their error, pluggable steps with pipeline versions that re-queue only
 * their own work, blocked steps that say why, per-step concurrency, a full disk, progress with rate/ETA.
 */
import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { PipelineStep } from '../../main/library/jobs';
import { PermanentError } from '../../main/library/jobs';
import { FIXTURES, makeFormatsHarness, waitFor, type Harness } from './helpers/library-harness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

const withPhotos = makeFormatsHarness;

/** A plugged step that records which photos it ran for. */
function recordingStep(name: string, version: string, extra: Partial<PipelineStep> = {}): PipelineStep & { calls: number[] } {
  const calls: number[] = [];
  return {
    name,
    version,
    rank: 30,
    kinds: ['image', 'raw'],
    calls,
    async run({ photo }) {
      calls.push(photo.id);
    },
    ...extra,
  };
}

const jobRows = (hh: Harness, step: string) =>
  hh.db
    .prepare<[string], { photo_id: number; state: string; updated_at: number; pipeline_version: string }>(
      'SELECT photo_id, state, updated_at, pipeline_version FROM jobs WHERE step = ? ORDER BY photo_id',
    )
    .all(step);

describe('job queue', () => {
  it('starts its queue later when the database is busy at start, instead of staying stopped', async () => {
    h = withPhotos();
    // Another process holds the write lock: the start pass's first write waits out the busy timeout
    // (5 s, in this thread) and fails.
    const other = new Database(h.paths.database);
    other.exec('BEGIN EXCLUSIVE');
    try {
      await h.lib.start();
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    const st = h.lib.jobsStatus();
    expect(st.photos).toBeGreaterThan(0);
    expect(st.steps.find((s) => s.step === 'thumbnail')).toMatchObject({ pending: 0, running: 0, done: st.photos });
  }, 30_000);

  it('pauses and resumes, and says why it is not moving', async () => {
    h = withPhotos();
    await h.lib.start();
    const paused = h.lib.pause();
    expect(paused).toMatchObject({ paused: true, blockedReason: 'paused' });
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    const st = h.lib.jobsStatus();
    expect(st.steps.find((s) => s.step === 'thumbnail')!.pending).toBe(st.photos);
    expect(st.steps.find((s) => s.step === 'thumbnail')!.done).toBe(0);
    const resumed = h.lib.resume();
    expect(resumed.paused).toBe(false);
    await h.lib.whenIdle();
    const done = h.lib.jobsStatus();
    const thumb = done.steps.find((s) => s.step === 'thumbnail')!;
    expect(thumb).toMatchObject({ pending: 0, running: 0, done: done.photos, etaSeconds: 0 });
    expect(thumb.rate).toBeGreaterThan(0);
    expect(h.events.some((e) => e.event === 'jobs:progress')).toBe(true);
  });

  it('plugs in a step, and a new pipeline version re-queues only that step', async () => {
    const v1 = recordingStep('understand', '1');
    h = withPhotos({ steps: [v1] });
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    const images = h.lib.page({ offset: 0, limit: 100 }).items.filter((p) => p.kind !== 'video').length;
    expect(new Set(v1.calls).size).toBe(images);
    expect(v1.calls).toHaveLength(images);
    const thumbsBefore = jobRows(h, 'thumbnail');

    // Same version after a restart: nothing runs again.
    const again = recordingStep('understand', '1');
    await h.reopen({ steps: [again] });
    await h.lib.start();
    await h.lib.whenIdle();
    expect(again.calls).toHaveLength(0);

    // Version 2: every photo's 'understand' runs again, nothing else does.
    const v2 = recordingStep('understand', '2');
    await h.reopen({ steps: [v2] });
    await h.lib.start();
    await h.lib.whenIdle();
    expect(v2.calls).toHaveLength(images);
    expect(jobRows(h, 'understand').every((j) => j.pipeline_version === '2' && j.state === 'done')).toBe(true);
    expect(jobRows(h, 'thumbnail')).toEqual(thumbsBefore);
  });

  it('retries retryable failures, lists permanent ones, and retries them on request', async () => {
    let flaky = 0;
    const step = recordingStep('flaky', '1', {
      async run({ photo }) {
        if (photo.mime === 'image/png') throw new PermanentError('this PNG is not understood');
        if (photo.mime === 'image/gif' && flaky++ === 0) throw new Error('worker restarted');
      },
    });
    h = withPhotos({ steps: [step] });
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    const failures = h.lib.failures(0, 50).items.filter((f) => f.step === 'flaky');
    expect(failures.map((f) => [f.state, f.error, f.path?.endsWith('fruits.png')])).toEqual(
      expect.arrayContaining([
        ['failed-permanent', 'this PNG is not understood', true],
        ['failed-retryable', 'worker restarted', false],
      ]),
    );
    expect(h.lib.retryFailed('flaky')).toBe(2);
    await h.lib.whenIdle();
    const left = h.lib.failures(0, 50).items.filter((f) => f.step === 'flaky');
    expect(left).toHaveLength(1); // the PNG fails again, the GIF went through
    expect(left[0]!.attempts).toBe(1);
    expect(h.lib.clearJobs('flaky')).toBe(1);
  });

  it('keeps a blocked step pending with its reason, and honours per-step concurrency', async () => {
    let model = false;
    let inFlight = 0;
    let maxInFlight = 0;
    const step = recordingStep('understand', '1', {
      concurrency: 1,
      blocked: () => (model ? null : 'no model installed'),
      async run() {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((r) => setTimeout(r, 10));
        inFlight--;
      },
    });
    h = withPhotos({ steps: [step], concurrency: 4 });
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    const st = h.lib.jobsStatus();
    expect(st.blockedReason).toBe('understand: no model installed');
    expect(st.steps.find((s) => s.step === 'understand')!.pending).toBeGreaterThan(0);
    model = true;
    h.lib.wake();
    await h.lib.whenIdle();
    expect(h.lib.jobsStatus().steps.find((s) => s.step === 'understand')!.pending).toBe(0);
    expect(maxInFlight).toBe(1);
  });

  it('runs a step with its own slots beside the shared ones', async () => {
    let bRan!: () => void;
    const bStarted = new Promise<void>((r) => (bRan = r));
    // A ranks first and waits until B has run: with one shared slot this only finishes if A does not take it.
    const a = recordingStep('a', '1', { rank: -5, concurrency: 1, ownSlots: true, run: () => bStarted });
    const b = recordingStep('b', '1', {
      rank: 30,
      async run() {
        bRan();
      },
    });
    h = withPhotos({ steps: [a, b], concurrency: 1 });
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    const st = h.lib.jobsStatus().steps;
    expect(st.find((s) => s.step === 'a')).toMatchObject({ pending: 0, failed: 0 });
    expect(st.find((s) => s.step === 'b')).toMatchObject({ pending: 0, failed: 0 });
  }, 20_000);

  it('runs visible photos first when asked', async () => {
    const order: number[] = [];
    const step = recordingStep('understand', '1', {
      concurrency: 1,
      async run({ photo }) {
        order.push(photo.id);
      },
    });
    h = withPhotos({ steps: [step], concurrency: 1 });
    await h.lib.start();
    h.lib.pause();
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    const ids = h.lib
      .page({ offset: 0, limit: 100 })
      .items.filter((p) => p.kind !== 'video')
      .map((p) => p.id);
    const visible = [ids.at(-1)!, ids.at(-2)!]; // the two oldest, scrolled into view
    h.lib.prioritize(visible);
    h.lib.resume();
    await h.lib.whenIdle();
    expect(order.slice(0, 2).sort()).toEqual([...visible].sort());
  });

  it("re-reads a file that could not be read when its 'read' failure is retried", async () => {
    h = withPhotos();
    writeFileSync(join(h.photosDir, 'later.jpg'), '');
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    const failure = h.lib.failures(0, 50).items.find((f) => f.step === 'read')!;
    expect(failure.error).toMatch(/empty file/);
    writeFileSync(join(h.photosDir, 'later.jpg'), readFileSync(join(FIXTURES, 'bad/names/name with spaces.jpg')));
    expect(h.lib.retryFailed('read')).toBe(1);
    await h.lib.whenIdle();
    const later = h.lib.page({ offset: 0, limit: 100 }).items.find((p) => p.name === 'later.jpg')!;
    expect(later.status).toBe('ok');
    expect(later.thumb).not.toBeNull();
    expect(h.lib.getPhoto(failure.photoId)).toBeNull(); // the placeholder row is gone
    expect(h.lib.failures(0, 50).total).toBe(0);
  });

  it('parks the work of a photo whose file vanished, and resumes it when the file is back', async () => {
    h = withPhotos();
    await h.lib.start();
    h.lib.pause();
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    renameSync(join(h.photosDir, 'fruits.png'), join(h.root, 'fruits.png'));
    h.lib.resume();
    await h.lib.whenIdle();
    const parked = h.lib.failures(0, 50).items;
    expect(parked.length).toBeGreaterThan(0);
    expect(parked.every((f) => f.state === 'failed-retryable' && /missing/.test(f.error) && f.attempts === 0)).toBe(true);
    renameSync(join(h.root, 'fruits.png'), join(h.photosDir, 'fruits.png'));
    await h.lib.rescan();
    await h.lib.whenIdle();
    expect(h.lib.failures(0, 50).total).toBe(0);
    expect(h.lib.page({ offset: 0, limit: 50 }).items.find((p) => p.name === 'fruits.png')!.thumb).not.toBeNull();
  });

  it('removing a folder mid-scan stops its scan and forgets its photos, without warnings', async () => {
    h = withPhotos();
    for (let i = 0; i < 20; i++) cpSync(join(FIXTURES, 'formats'), join(h.photosDir, `copy${i}`), { recursive: true });
    // Make each copy distinct content-wise is not needed: duplicates still mean one file row per path.
    const folder = await h.lib.addFolder(h.photosDir);
    expect(await h.lib.removeFolder(folder.id)).toBe(true);
    await h.lib.whenIdle();
    expect(h.lib.page({ offset: 0, limit: 10 }).total).toBe(0);
    expect(h.db.prepare('SELECT count(*) FROM files').pluck().get()).toBe(0);
    expect(h.events.filter((e) => e.event === 'app:warning')).toEqual([]);
  });

  it('pauses with a visible reason when the cache disk is full, losing no job', async () => {
    let full = true;
    const step = recordingStep('cache', '1', {
      async run() {
        if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
    });
    h = withPhotos({ steps: [step] });
    await h.lib.addFolder(h.photosDir);
    const hh = h;
    await waitFor(() => hh.lib.jobsStatus().paused);
    expect(hh.lib.jobsStatus().blockedReason).toMatch(/disk holding the cache is full/);
    expect(hh.events.some((e) => e.event === 'app:warning' && (e.payload as { code: string }).code === 'cache-disk-full')).toBe(true);
    expect(hh.lib.failures(0, 50).items.filter((f) => f.step === 'cache')).toHaveLength(0);
    full = false;
    hh.lib.resume();
    await hh.lib.whenIdle();
    expect(hh.lib.jobsStatus().steps.find((s) => s.step === 'cache')).toMatchObject({ pending: 0, failed: 0 });
  });
});
