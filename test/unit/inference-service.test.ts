/**
 * @file The inference service against a scripted fake worker (no onnxruntime): `describe` leaves the
 * caption prompt and token limit to the worker unless the caller gives them, and `workerInfo` asks the
 * worker without loading a model.
 */
import { describe, expect, it } from 'vitest';
import { createInference, type InferenceService } from '../../main/inference/inference.service';
import { silentLog } from '../../main/log';
import type { VariantSetting } from '../../main/inference/variant-choice';
import type { ActiveBundle } from '../../main/models/manager';
import type { RequestMessage } from '../../native/protocol';
import { FakeWorker, tick } from './helpers/fake-worker';

const ACTIVE = {
  dir: '/models/m',
  manifest: { id: 'm', name: 'M', random_weights: false, files: [], variants: { int8: {}, fp32: {} } },
} as unknown as ActiveBundle;

function setup(variant: () => VariantSetting = () => 'auto'): { inference: InferenceService; w: () => FakeWorker } {
  FakeWorker.all = [];
  const inference = createInference({
    models: { activeBundle: () => ACTIVE, noModelReason: () => null },
    log: silentLog,
    spawn: () => new FakeWorker(),
    variant,
    provider: 'cpu',
  });
  return { inference, w: () => FakeWorker.all.at(-1)! };
}

/** Answers every request the fake has not answered yet, in order, with what `reply` gives. */
async function answerAll(w: FakeWorker, reply: (m: RequestMessage) => unknown, seen = new Set<number>()): Promise<RequestMessage[]> {
  const out: RequestMessage[] = [];
  for (let i = 0; i < 10; i++) {
    await tick();
    for (const m of w.received) {
      if (m.type !== 'request' || seen.has(m.id)) continue;
      seen.add(m.id);
      out.push(m);
      w.answer(m.id, reply(m));
    }
  }
  return out;
}

const loaded = { id: 'm', variant: 'int8', providers: { decoder: { chosen: 'cpu', tried: [] } } };
const caption = { text: 'a cat', tokenIds: [1], finishReason: 'stop', promptTokens: 3, numTiles: 1, timings: {} };

describe('inference service', () => {
  it("sends no caption prompt or token limit of its own: the worker's defaults rule", async () => {
    const { inference, w } = setup();
    const done = inference.describe('/photos/a.jpg');
    const sent = await answerAll(w(), (m) => (m.method === 'load' ? loaded : caption));
    await expect(done).resolves.toMatchObject({ text: 'a cat', modelId: 'm' });
    expect(sent.map((m) => m.method)).toEqual(['load', 'caption']);
    // Main names the variant it loads (int8 on the CPU: [Note: Which variant runs]), so it knows which variant made a result.
    expect(sent[0]!.params).toEqual({ dir: '/models/m', variant: 'int8' });
    expect(inference.loadedModel()).toEqual({ id: 'm', name: 'M', variant: 'int8', demo: false, provider: 'cpu' });
    expect(sent[1]!.params).toEqual({ image: { path: '/photos/a.jpg' } });

    const asked = inference.describe('/photos/b.jpg', { prompt: 'Who is there?', maxNewTokens: 5 });
    const next = await answerAll(w(), () => caption, new Set(sent.map((m) => m.id)));
    await asked;
    expect(next.map((m) => [m.method, m.params])).toEqual([
      ['caption', { image: { path: '/photos/b.jpg' }, prompt: 'Who is there?', sampling: { maxNewTokens: 5 } }],
    ]);
    await inference.close();
  });

  it('sends understand in the background lane, after loading the model', async () => {
    const { inference, w } = setup();
    const done = inference.understand({ images: [{ path: '/photos/a.jpg' }] });
    const answer = { photos: [], calibrated: false, model: { id: 'm', variant: 'int8' }, timings: {}, stats: {} };
    const sent = await answerAll(w(), (m) => (m.method === 'load' ? loaded : answer));
    await expect(done).resolves.toMatchObject({ model: { id: 'm', variant: 'int8' } });
    expect(sent.map((m) => [m.method, m.priority ?? 'interactive'])).toEqual([
      ['load', 'interactive'],
      ['understand', 'background'],
    ]);
    await inference.close();
  });

  it('loads the variant the setting names, and loads again when it changes', async () => {
    let setting: VariantSetting = 'fp32';
    const { inference, w } = setup(() => setting);
    expect(inference.activeModel()).toMatchObject({ id: 'm', variant: 'fp32' });
    const first = inference.describe('/photos/a.jpg');
    const reply = (m: RequestMessage) =>
      m.method === 'load' ? { ...loaded, variant: (m.params as { variant: string }).variant } : caption;
    const sent = await answerAll(w(), reply);
    await first;
    expect(sent.map((m) => [m.method, m.params])).toEqual([
      ['load', { dir: '/models/m', variant: 'fp32' }],
      ['caption', { image: { path: '/photos/a.jpg' } }],
    ]);
    setting = 'auto';
    expect(inference.activeModel()).toMatchObject({ variant: 'int8' });
    expect(inference.variantChoice()).toEqual({ variant: 'int8', why: 'int8 on the CPU' });
    const second = inference.describe('/photos/b.jpg');
    const next = await answerAll(w(), reply, new Set(sent.map((m) => m.id)));
    await second;
    expect(next.map((m) => [m.method, m.params])).toEqual([
      ['load', { dir: '/models/m', variant: 'int8' }],
      ['caption', { image: { path: '/photos/b.jpg' } }],
    ]);
    expect(inference.loadedModel()).toMatchObject({ variant: 'int8' });
    await inference.close();
  });

  it('asks the worker for info without loading a model', async () => {
    const { inference, w } = setup();
    const info = inference.workerInfo({ timeoutMs: 1000 });
    const sent = await answerAll(w(), () => ({ pid: 7 }));
    await expect(info).resolves.toEqual({ pid: 7 });
    expect(sent.map((m) => m.method)).toEqual(['info']);
    await inference.close();
  });
});
