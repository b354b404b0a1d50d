/**
 * @file The queue's seams for model steps, on a real database: a step that takes several jobs per call
 * (`runBatch`), waits for another step of the same photo (`after`), has a version that changes while the
 * app runs (`revalidateStep`, a change noticed mid-run), gives jobs back without using attempts
 * (RequeueJob), and is drained from outside the pump (the CLI).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RequeueJob, type PipelineStep, type StepContext } from '../../main/library/jobs';
import { makeFormatsHarness, type Harness } from './helpers/library-harness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

const rows = (hh: Harness, step: string) =>
  hh.db
    .prepare<[string], { photo_id: number; state: string; attempts: number; pipeline_version: string }>(
      'SELECT photo_id, state, attempts, pipeline_version FROM jobs WHERE step = ? ORDER BY photo_id',
    )
    .all(step);

/** A batching step with a changeable version that records each call's photos. */
function batchStep(extra: Partial<PipelineStep> = {}) {
  const calls: number[][] = [];
  const state = { version: 'm:a', thumbsDoneAtCall: [] as boolean[] };
  let hh: Harness | null = null;
  const step: PipelineStep & { calls: number[][]; state: typeof state; attach(x: Harness): void } = {
    name: 'understand',
    rank: 30,
    kinds: ['image', 'raw'],
    concurrency: 1,
    ownSlots: true,
    after: ['thumbnail'],
    get version() {
      return state.version;
    },
    maxBatch: () => 3,
    calls,
    state,
    attach: (x) => void (hh = x),
    async runBatch(ctxs: StepContext[]) {
      calls.push(ctxs.map((c) => c.photo.id));
      for (const c of ctxs) {
        const thumb = hh?.db
          .prepare<[number], { state: string }>("SELECT state FROM jobs WHERE photo_id = ? AND step = 'thumbnail'")
          .get(c.photo.id);
        state.thumbsDoneAtCall.push(thumb?.state !== 'pending' && thumb?.state !== 'running');
      }
      // Slow like a model call, so that thumbnails get ahead and later calls find several photos ready.
      await new Promise((r) => setTimeout(r, 80));
      return ctxs.map(() => null);
    },
    async run() {
      throw new Error('the runner must call runBatch');
    },
    ...extra,
  };
  return step;
}

describe('job queue: batches, waiting for earlier steps, model versions', () => {
  it('hands a batching step several photos per call, each after its thumbnail', async () => {
    const step = batchStep();
    h = makeFormatsHarness({ steps: [step], concurrency: 2 });
    step.attach(h);
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    const stills = h.lib.page({ offset: 0, limit: 100 }).items.filter((p) => p.kind !== 'video').length;
    const all = step.calls.flat();
    expect(new Set(all).size).toBe(stills);
    expect(all).toHaveLength(stills); // no photo twice
    expect(step.calls.some((c) => c.length > 1)).toBe(true);
    expect(step.calls.every((c) => c.length <= 3)).toBe(true);
    expect(step.state.thumbsDoneAtCall.every(Boolean)).toBe(true);
    expect(rows(h, 'understand').every((r) => r.state === 'done' && r.pipeline_version === 'm:a')).toBe(true);
  });

  it('revalidateStep re-queues done jobs of another version, but not while the step is blocked', async () => {
    let blocked: string | null = null;
    const step = batchStep({ blocked: () => blocked });
    h = makeFormatsHarness({ steps: [step] });
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    const first = step.calls.flat().length;

    // No model: the version must not move the queue (nothing to compare against).
    blocked = 'no model installed';
    step.state.version = 'none';
    expect(h.lib.revalidateStep('understand')).toBe(0);
    expect(rows(h, 'understand').every((r) => r.state === 'done')).toBe(true);

    // Another model: every photo again, nothing else.
    blocked = null;
    step.state.version = 'm:b';
    const thumbs = rows(h, 'thumbnail');
    expect(h.lib.revalidateStep('understand')).toBe(first);
    expect(h.lib.revalidateStep('understand')).toBe(0); // same version: nothing to do
    await h.lib.whenIdle();
    expect(step.calls.flat()).toHaveLength(2 * first);
    expect(rows(h, 'understand').every((r) => r.state === 'done' && r.pipeline_version === 'm:b')).toBe(true);
    expect(rows(h, 'thumbnail')).toEqual(thumbs);
  });

  it('a version change during a run re-queues that run for the new version; RequeueJob costs no attempt', async () => {
    let switched = false;
    let gaveBack = 0;
    const step = batchStep({
      maxBatch: () => 1,
      async runBatch(ctxs) {
        if (!switched) {
          switched = true;
          step.state.version = 'm:b'; // the user selected another model while this ran
          return ctxs.map(() => null);
        }
        if (gaveBack++ === 0) return ctxs.map(() => new RequeueJob('model changed'));
        step.calls.push(ctxs.map((c) => c.photo.id));
        return ctxs.map(() => null);
      },
    });
    h = makeFormatsHarness({ steps: [step] });
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    const stills = h.lib.page({ offset: 0, limit: 100 }).items.filter((p) => p.kind !== 'video').length;
    // Every photo was done at the new version: the one that ran during the switch ran again.
    expect(new Set(step.calls.flat()).size).toBe(stills);
    expect(rows(h, 'understand').every((r) => r.state === 'done' && r.pipeline_version === 'm:b' && r.attempts === 1)).toBe(true);
  });

  it('drains a step from outside the pump, up to a limit, with each outcome', async () => {
    const step = batchStep();
    h = makeFormatsHarness({ steps: [step] });
    await h.lib.addFolder(h.photosDir);
    await h.lib.whenIdle();
    step.state.version = 'm:c';
    const out = await h.lib.runStep('understand', 2);
    expect(out).toHaveLength(2);
    expect(out.every((o) => o.outcome === 'done' && o.error === null)).toBe(true);
    expect(rows(h, 'understand').filter((r) => r.pipeline_version === 'm:c' && r.state === 'done')).toHaveLength(2);
  });
});
