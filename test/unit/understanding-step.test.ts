/**
 * @file The understanding step and service policy against a fake inference service and a real
 * in-memory database: results stored with their maker, user edits win over every re-run, a result of a
 * model that is no longer active is dropped, and worker codes split into permanent and transient
 * failures ([Note: Transient and permanent understanding failures]).
 */
import { describe, expect, it } from 'vitest';
import type { UnderstandPhotoResult, UnderstandRequest, UnderstandResponse } from '../../native/protocol';
import { openDatabase } from '../../main/db/open';
import type { EventName } from '../../preload/contract';
import { WorkerClientError } from '../../main/inference/worker-client';
import { PermanentError, RequeueJob, type StepContext } from '../../main/library/jobs';
import { silentLog } from '../../main/log';
import { createUnderstandStep } from '../../main/understanding/understand-step';
import { createUnderstanding } from '../../main/understanding/understanding.service';
import type { PhotoRow } from '../../main/db/photos.repo';

type Model = { id: string; name: string; variant: string; demo: boolean };
const A: Model = { id: 'model-a', name: 'A', variant: 'int8', demo: false };
const B: Model = { id: 'model-b', name: 'B', variant: 'fp32', demo: false };

function setup() {
  const db = openDatabase(':memory:');
  for (const id of [1, 2, 3]) {
    db.prepare("INSERT INTO photos (id, hash, kind, file_time, created_at) VALUES (?, ?, 'image', '2020-01-01T00:00:00', 0)").run(
      id,
      `h${id}`,
    );
  }
  const events: { event: EventName; payload: unknown }[] = [];
  let active: Model | null = A;
  const requeued: number[][] = [];
  const understanding = createUnderstanding({
    db,
    emit: (event, payload) => void events.push({ event, payload }),
    activeModel: () => active,
    requeue: (ids) => (requeued.push([...ids]), ids.length),
  });
  /** What the fake worker answers per photo path; can switch the active model while it "runs". */
  const fake = {
    answer: (path: string, req: UnderstandRequest): UnderstandPhotoResult => ({
      path,
      ok: true,
      numTiles: 1,
      caption: { text: `caption of ${path}`, tokenIds: [1], finish: 'stop' },
      tags: (req.tags?.labels ?? [])
        .slice(0, 2)
        .map((label, i) => ({ label, sumLogProb: -1, meanLogProb: -1 - i, numTokens: 1, offset: -3, calibrated: 2 - i })),
      scores: [],
      text: null,
      textReason: null,
    }),
    fail: null as WorkerClientError | null,
    during: null as (() => void) | null,
    requests: [] as UnderstandRequest[],
  };
  const inference = {
    activeModel: () => active,
    loadedModel: () => (active ? { ...active, provider: 'cpu' } : null),
    async understand(req: UnderstandRequest): Promise<UnderstandResponse> {
      fake.requests.push(req);
      const ran = active!;
      fake.during?.();
      if (fake.fail) throw fake.fail;
      return {
        photos: req.images.map((img) => fake.answer(img.path, req)),
        calibrated: true,
        model: { id: ran.id, variant: ran.variant },
        timings: { preprocessMs: 0, visionMs: 0, prefillMs: 0, tagsMs: 0, captionMs: 0, ocrMs: 0 },
        stats: { photos: req.images.length, labelPositions: 0, labelRuns: 0 },
      };
    },
  };
  const library = {
    getPhoto: (id: number) =>
      ({ id, kind: 'image', status: 'ok', error: null, preview: null, files: [{ status: 'ok', absPath: `/photos/p${id}.jpg` }] }) as never,
    ensurePreview: async () => ({ ok: false as const, status: 404 as const, reason: 'none' }),
  };
  const step = createUnderstandStep({
    inference,
    noModelReason: () => (active ? null : 'No model is selected.'),
    understanding,
    library,
    log: silentLog,
  });
  const ctx = (id: number): StepContext => ({
    photo: { id } as PhotoRow,
    absPath: `/photos/p${id}.jpg`,
    attempt: 1,
    signal: new AbortController().signal,
  });
  return { db, understanding, step, fake, ctx, events, requeued, setActive: (m: Model | null) => (active = m) };
}

describe('understanding step and service', () => {
  it('stores caption, tags with scores and the maker; the version names the model', async () => {
    const t = setup();
    expect(t.step.version).toBe('understand:1:model-a:int8');
    expect(await t.step.runBatch!([t.ctx(1), t.ctx(2)])).toEqual([null, null]);
    expect(t.fake.requests).toHaveLength(1); // one worker call for the batch
    expect(t.fake.requests[0]!.tags).toMatchObject({
      offsets: 'content-free',
      textLabels: expect.arrayContaining(['document', 'receipt']),
    });
    const u = t.understanding.get(1);
    expect(u.caption).toMatchObject({
      text: 'caption of /photos/p1.jpg',
      finish: 'stop',
      byUser: false,
      madeBy: { modelId: 'model-a', variant: 'int8' },
    });
    expect(u.tags.map((x) => [x.label, x.score, x.rawScore, x.source])).toEqual([
      ['portrait', 2, -1, 'model'],
      ['selfie', 1, -2, 'model'],
    ]);
    expect(u.result).toMatchObject({ state: 'ok', current: true, madeBy: { version: 'understand:1:model-a:int8' } });
    expect(t.events.filter((e) => e.event === 'photos:understandingChanged')).toHaveLength(2);
  });

  it('never overwrites a user caption, re-adds a removed tag or removes an added one; redo keeps user edits', async () => {
    const t = setup();
    await t.step.runBatch!([t.ctx(1)]);
    t.understanding.setCaption(1, 'Grandma at the lake');
    t.understanding.setText(1, 'HAPPY 90TH');
    const portrait = t.understanding.get(1).tags.find((x) => x.label === 'portrait')!;
    t.understanding.removeTag(1, portrait.labelId);
    t.understanding.addTag(1, 'grandma'); // a new label: joins the taxonomy as the user's, not scored
    await t.step.runBatch!([t.ctx(1)]);
    let u = t.understanding.get(1);
    expect(u.caption).toMatchObject({ text: 'Grandma at the lake', byUser: true, madeBy: null });
    expect(u.text).toMatchObject({ text: 'HAPPY 90TH', byUser: true });
    expect(u.tags.map((x) => x.label)).toEqual(['grandma', 'selfie']);
    expect(u.removedTags.map((x) => x.label)).toEqual(['portrait']);
    expect(t.understanding.listTags().find((l) => l.label === 'grandma')).toMatchObject({ userAdded: true, enabled: false });

    expect(t.understanding.redo([1, 999])).toEqual({ requeued: 1 });
    expect(t.requeued).toEqual([[1]]);
    u = t.understanding.get(1);
    expect(u.result).toBeNull();
    expect(u.tags.map((x) => x.label)).toEqual(['grandma']);
    expect(u.caption?.text).toBe('Grandma at the lake');
    // null hands the caption back to the model.
    t.understanding.setCaption(1, null);
    await t.step.runBatch!([t.ctx(1)]);
    expect(t.understanding.get(1).caption).toMatchObject({ byUser: false, text: 'caption of /photos/p1.jpg' });
  });

  it('drops a result when the active model changed while the worker ran, and queues the job again', async () => {
    const t = setup();
    await t.step.runBatch!([t.ctx(1)]);
    t.fake.during = () => t.setActive(B);
    t.fake.answer = (path) => ({
      path,
      ok: true,
      numTiles: 1,
      caption: { text: 'stale', tokenIds: [], finish: 'stop' },
      tags: [],
      scores: [],
      text: null,
      textReason: null,
    });
    const [outcome] = await t.step.runBatch!([t.ctx(1)]);
    expect(outcome).toBeInstanceOf(RequeueJob);
    // The old model's result stays visible, no longer current.
    expect(t.understanding.get(1).caption?.text).toBe('caption of /photos/p1.jpg');
    expect(t.understanding.get(1).result?.current).toBe(false);
    t.step.modelChanged();
    expect(t.step.version).toBe('understand:1:model-b:fp32');
  });

  it('splits worker failures: bad_input and model_invalid are permanent (with the photo state), crashes retry, cancel requeues', async () => {
    const t = setup();
    t.fake.fail = new WorkerClientError('bad_input', 'cannot decode');
    const [bad] = await t.step.runBatch!([t.ctx(1)]);
    expect(bad).toBeInstanceOf(PermanentError);
    expect(t.understanding.get(1).result).toMatchObject({ state: 'error', error: 'bad_input: cannot decode' });

    t.fake.fail = new WorkerClientError('model_invalid', 'broken graph');
    expect((await t.step.runBatch!([t.ctx(2)]))[0]).toBeInstanceOf(PermanentError);

    for (const code of ['worker_crashed', 'out_of_memory', 'timeout'] as const) {
      t.fake.fail = new WorkerClientError(code, 'boom');
      const [o] = await t.step.runBatch!([t.ctx(3)]);
      expect(o).toBeInstanceOf(Error);
      expect(o).not.toBeInstanceOf(PermanentError);
      expect(o).not.toBeInstanceOf(RequeueJob);
      expect(t.understanding.get(3).result).toBeNull();
    }
    expect(t.step.maxBatch!()).toBe(2); // out of memory halved the CPU batch of 4

    t.fake.fail = new WorkerClientError('cancelled', 'closing');
    expect((await t.step.runBatch!([t.ctx(3)]))[0]).toBeInstanceOf(RequeueJob);

    // A photo's own failure inside a good batch: that photo only.
    t.fake.fail = null;
    t.fake.answer = (path) =>
      path.endsWith('p2.jpg')
        ? { path, ok: false, error: { code: 'bad_input', message: 'too many tiles' } }
        : {
            path,
            ok: true,
            numTiles: 1,
            caption: { text: 'x'.repeat(5), tokenIds: [], finish: 'length' },
            tags: [],
            scores: [],
            text: null,
            textReason: null,
          };
    const outs = await t.step.runBatch!([t.ctx(2), t.ctx(3)]);
    expect(outs[0]).toBeInstanceOf(PermanentError);
    expect(outs[1]).toBeNull();
    expect(t.understanding.get(2).result).toMatchObject({ state: 'error', error: 'bad_input: too many tiles' });
    expect(t.understanding.get(3).result).toMatchObject({ state: 'runaway' });
  });

  it('is blocked with the model manager reason, or the pause reason, keeping its last version', () => {
    const t = setup();
    expect(t.step.blocked!()).toBeNull();
    const v = t.step.version;
    t.setActive(null);
    t.step.modelChanged();
    expect(t.step.blocked!()).toBe('No model is selected.');
    expect(t.step.version).toBe(v);
    t.step.setPaused('paused on battery');
    expect(t.step.blocked!()).toBe('paused on battery');
    t.step.setPaused(null);
    t.setActive(A);
    t.step.modelChanged();
    expect(t.step.blocked!()).toBeNull();
    expect(t.step.report!()).toEqual({ detail: 'CPU · int8', secondsPerItem: null });
  });

  it("keeps a server's result current when the local model changes, but not a server's error", () => {
    const t = setup();
    const server = {
      modelId: 'remote:OpenGVLab/InternVL3-2B@gpu.lan:8000',
      variant: 'remote',
      version: 'understand:1:model-a:int8',
      demo: false,
    };
    const out = {
      state: 'ok' as const,
      calibrated: true,
      numTiles: 1,
      ms: 1,
      caption: { text: 'a beach', finish: 'stop' as const },
      text: null,
      tags: [],
    };
    expect(t.understanding.recordOutput(1, out, server)).toBe(true);
    t.understanding.recordError(2, 'bad_request: the server refused the image', server);
    t.setActive(B);
    expect(t.understanding.get(1).result).toMatchObject({ state: 'ok', current: true });
    // An error is no result: the new model gets its chance, and the viewer says so.
    expect(t.understanding.get(2).result).toMatchObject({ state: 'error', current: false });
  });
});
