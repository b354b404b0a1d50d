/**
 * @file What a model change re-queues, on a real library (real SQLite file, queue and runner) with a
 * stand-in understanding step that records, per photo, a maker the test chooses: a remote backend's
 * (`remote:<model>@<host>`) or the local model's. A local model change re-queues what the local model
 * made and leaves what the server made ([Note: Remote results outlive a local model change]); photos
 * in the Trash are neither re-queued nor backfilled, and get their work when they are restored
 * ([Note: Activity leaves the Trash out]).
 */
import { cpSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IN_TRASH } from '../../main/db/jobs.repo';
import { createUnderstandingRepo } from '../../main/db/understanding.repo';
import type { PipelineStep, StepContext } from '../../main/library/jobs';
import { makeHarness, SAMPLE_LIBRARY, type Harness } from './helpers/library-harness';

const FILES = { a: 'food/fruits.jpg', b: 'food/orange.jpg', c: 'animals/butterfly.jpg' } as const;
type Name = keyof typeof FILES;

let h: Harness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

/** A library with the three photos, and the understanding step the test drives. */
function library(keepRemoteMade: boolean) {
  const calls: number[] = [];
  /** The version (it names the local model) and the photos the server understands when they run. */
  const state = { version: 'understand:1:laptop-1b:int8', remote: new Set<Name>() };
  let hh: Harness | null = null;
  const step: PipelineStep = {
    name: 'understand',
    rank: 30,
    kinds: ['image', 'raw'],
    concurrency: 1,
    ownSlots: true,
    after: ['thumbnail'],
    ...(keepRemoteMade ? { keepRemoteMade } : {}),
    get version() {
      return state.version;
    },
    maxBatch: () => 4,
    async runBatch(ctxs: StepContext[]) {
      const repo = createUnderstandingRepo(hh!.db);
      for (const { photo, absPath } of ctxs) {
        calls.push(photo.id);
        const remote = [...state.remote].some((n) => absPath?.endsWith(FILES[n]));
        const [, , id, variant] = state.version.split(':');
        const maker = remote
          ? { modelId: 'remote:OpenGVLab/InternVL3-8B@gpu.lan:8000', variant: 'remote', version: state.version, demo: false }
          : { modelId: id!, variant: variant!, version: state.version, demo: false };
        const caption = { text: `made by ${maker.modelId}`, finish: 'stop' as const };
        repo.writeOutput(photo.id, { state: 'ok', calibrated: true, numTiles: 1, ms: 1, caption, text: null, tags: [] }, maker, Date.now());
      }
      return ctxs.map(() => null);
    },
    async run() {
      throw new Error('the runner must call runBatch');
    },
  };
  const harness = makeHarness({ steps: [step], concurrency: 2 });
  hh = harness;
  for (const rel of Object.values(FILES)) {
    mkdirSync(join(harness.photosDir, rel, '..'), { recursive: true });
    cpSync(join(SAMPLE_LIBRARY, rel), join(harness.photosDir, rel));
  }
  const idOf = (name: Name) =>
    harness.db.prepare<[string], number>('SELECT photo_id FROM files WHERE rel_path = ?').pluck().get(FILES[name])!;
  const job = (name: Name, stepName = 'understand') =>
    harness.db
      .prepare<[number, string], { state: string; pipeline_version: string; last_error: string | null }>(
        'SELECT state, pipeline_version, last_error FROM jobs WHERE photo_id = ? AND step = ?',
      )
      .get(idOf(name), stepName) ?? null;
  const maker = (name: Name) =>
    harness.db.prepare<[number], string>('SELECT model_id FROM photo_understanding WHERE photo_id = ?').pluck().get(idOf(name));
  return { h: harness, step, state, calls, idOf, job, maker };
}

/** Moves a photo's file out of its folder and marks it removed, as `trash:move` leaves it. */
async function trash(x: ReturnType<typeof library>, name: Name): Promise<void> {
  const hash = x.h.db.prepare<[number], string>('SELECT hash FROM photos WHERE id = ?').pluck().get(x.idOf(name))!;
  renameSync(join(x.h.photosDir, FILES[name]), join(x.h.root, 'os-trash.jpg'));
  x.h.db.prepare('INSERT INTO photo_marks (photo_hash, removed_at, updated_at) VALUES (?, ?, ?)').run(hash, Date.now(), Date.now());
  await x.h.lib.rescan();
  await x.h.lib.whenIdle();
}

/** Puts the file back by hand (as undo does): its file is ok again, so the photo is the library's again. */
async function restore(x: ReturnType<typeof library>, name: Name): Promise<void> {
  renameSync(join(x.h.root, 'os-trash.jpg'), join(x.h.photosDir, FILES[name]));
  await x.h.lib.rescan();
  await x.h.lib.whenIdle();
}

describe('a model change re-queues what the local model made, not what a server made', () => {
  it('a photo understood by a remote backend stays done when the local model changes; one understood locally is re-done', async () => {
    const x = library(true);
    h = x.h;
    // Photo a is understood by the server, b and c by the laptop's model X.
    x.state.remote.add('a');
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    expect(new Set(x.calls)).toEqual(new Set([x.idOf('a'), x.idOf('b'), x.idOf('c')]));
    expect(x.maker('a')).toBe('remote:OpenGVLab/InternVL3-8B@gpu.lan:8000');
    expect(x.maker('b')).toBe('laptop-1b');
    x.state.remote.clear(); // from now on only the local model runs

    // The user installs and selects model Y on the laptop: b and c again, a kept (at the new version).
    x.calls.length = 0;
    x.state.version = 'understand:1:laptop-2b:q4';
    expect(h.lib.revalidateStep('understand')).toBe(2);
    expect(x.job('a')).toMatchObject({ state: 'done', pipeline_version: 'understand:1:laptop-2b:q4' });
    expect(x.job('b')).toMatchObject({ state: 'pending', pipeline_version: 'understand:1:laptop-2b:q4' });
    await h.lib.whenIdle();
    expect(x.calls.sort()).toEqual([x.idOf('b'), x.idOf('c')].sort());
    expect(x.maker('a')).toBe('remote:OpenGVLab/InternVL3-8B@gpu.lan:8000');
    expect(x.maker('b')).toBe('laptop-2b');

    // Another variant, chosen while the app was closed: the start applies it, with the same rule.
    x.calls.length = 0;
    x.state.version = 'understand:1:laptop-2b:fp16';
    await h.reopen({ steps: [x.step], concurrency: 2 });
    await h.lib.start();
    await h.lib.whenIdle();
    expect(x.calls.sort()).toEqual([x.idOf('b'), x.idOf('c')].sort());
    expect(x.job('a')).toMatchObject({ state: 'done', pipeline_version: 'understand:1:laptop-2b:fp16' });
    expect(x.maker('a')).toBe('remote:OpenGVLab/InternVL3-8B@gpu.lan:8000');
    expect(x.maker('c')).toBe('laptop-2b');
  });

  it('without keepRemoteMade (any other step) a version change re-queues every photo, remote-made or not', async () => {
    const x = library(false);
    h = x.h;
    x.state.remote.add('a');
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    expect(x.maker('a')).toBe('remote:OpenGVLab/InternVL3-8B@gpu.lan:8000');
    x.state.remote.clear();
    x.calls.length = 0;
    x.state.version = 'understand:1:laptop-2b:q4';
    expect(h.lib.revalidateStep('understand')).toBe(3);
    await h.lib.whenIdle();
    expect(x.calls).toHaveLength(3);
    expect(x.maker('a')).toBe('laptop-2b');
  });

  it('a photo in the Trash is parked at the new version, not queued, and is understood when restored', async () => {
    const x = library(true);
    h = x.h;
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    await trash(x, 'c');
    const thumbnail = x.job('c', 'thumbnail');

    x.calls.length = 0;
    x.state.version = 'understand:1:laptop-2b:q4';
    expect(h.lib.revalidateStep('understand')).toBe(2); // a and b
    expect(x.job('c')).toEqual({ state: 'failed-retryable', pipeline_version: 'understand:1:laptop-2b:q4', last_error: IN_TRASH });
    await h.lib.whenIdle();
    expect(x.calls.sort()).toEqual([x.idOf('a'), x.idOf('b')].sort());
    expect(x.job('c', 'thumbnail')).toEqual(thumbnail); // other steps untouched
    // Nothing on the Activity page: the Trash is not the library's.
    expect(h.lib.failures(0, 10).total).toBe(0);

    await restore(x, 'c');
    expect(x.calls).toContain(x.idOf('c'));
    expect(x.job('c')).toMatchObject({ state: 'done', pipeline_version: 'understand:1:laptop-2b:q4' });
    expect(x.maker('c')).toBe('laptop-2b');
  });

  it('a newly plugged step is not backfilled for a photo in the Trash; it gets its job when restored', async () => {
    const x = library(true);
    h = x.h;
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    await trash(x, 'c');
    const seen: number[] = [];
    h.lib.addStep({ name: 'extra', rank: 40, version: '1', kinds: ['image'], run: async (ctx) => void seen.push(ctx.photo.id) });
    await h.lib.whenIdle();
    expect(seen.sort()).toEqual([x.idOf('a'), x.idOf('b')].sort());
    expect(x.job('c', 'extra')).toBeNull();

    await restore(x, 'c');
    expect(seen).toContain(x.idOf('c'));
    expect(x.job('c', 'extra')).toMatchObject({ state: 'done' });
  });
});
