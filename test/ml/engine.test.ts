/**
 * @file Engine behaviour on the tiny bundle beyond the goldens: the KV cache across chat turns
 * gives the same tokens as re-encoding the whole conversation, batched label scoring equals
 * one-label-at-a-time scoring (same ranks, same values), seeded sampling is reproducible, and bad
 * requests fail with `bad_input`.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatSessions } from '../../native/pipelines/chat';
import { classify } from '../../native/pipelines/classify';
import { caption } from '../../native/pipelines/caption';
import { generate, prefill } from '../../native/pipelines/generate';
import { logSoftmaxAt } from '../../native/pipelines/sampler';
import { firstTurnIds } from '../../native/preprocess/prompt';
import { InternVLModel } from '../../native/runtime/internvl-model';
import { WorkerError } from '../../native/protocol';
import { cosine, firstLogits } from './helpers/first-logits';
import { encodeImages } from '../../native/pipelines/vision';

const BUNDLE = 'test/fixtures/models/tiny-internvl';
const IMG = path.join('test/fixtures/images/ml', 'square.png');
const IMG2 = path.join('test/fixtures/images/ml', 'ratio-3x2.png');
let model: InternVLModel;

beforeAll(async () => {
  model = await InternVLModel.load(BUNDLE, { executionProviders: ['cpu'] });
});
afterAll(async () => {
  await model.release();
});

async function greedyFromScratch(ids: number[], features: Float32Array | null, n: number): Promise<number[]> {
  const st = await prefill(model, ids, features, null);
  const out = await generate(model, st, { eos: model.manifest.tokens.eos, sampling: { maxNewTokens: n }, contextLeft: 10_000 });
  return out.tokenIds;
}

describe('engine on the tiny bundle', () => {
  it('keeps the KV cache across turns with the same tokens as re-encoding the conversation', async () => {
    const chats = new ChatSessions();
    const t1 = await chats.turn(model, {
      sessionId: 'a',
      message: 'What is here?',
      images: [{ path: IMG }],
      sampling: { maxNewTokens: 12 },
    });
    const afterFirst = chats.get('a')!;
    const t2 = await chats.turn(model, { sessionId: 'a', message: 'And the colours?', sampling: { maxNewTokens: 12 } });
    expect(t2.turn).toBe(2);
    expect(t2.reusedTokens).toBe(afterFirst.cache.length);
    expect(t2.reusedTokens).toBeGreaterThan(256);
    // A third turn with a new image.
    const t3 = await chats.turn(model, {
      sessionId: 'a',
      message: 'Compare.',
      images: [{ path: IMG2, maxTiles: 2 }],
      sampling: { maxNewTokens: 8 },
    });
    const state = chats.get('a')!;
    // Re-encode the whole conversation from scratch: all ids before turn 3's answer.
    const prompt3 = state.ids.slice(0, state.ids.length - t3.tokenIds.length);
    const enc = await encodeImages(model, [{ path: IMG }, { path: IMG2, maxTiles: 2 }], 0);
    const fresh = await greedyFromScratch(prompt3, enc.features, 8);
    expect(t3.tokenIds).toEqual(fresh);
    // And turn 2 likewise: its prompt is everything before its answer.
    const t2Prompt = state.ids.slice(0, t2.promptTokens);
    expect(t2Prompt.length).toBe(afterFirst.ids.length + (t2.promptTokens - afterFirst.ids.length));
    const enc1 = await encodeImages(model, [{ path: IMG }], 0);
    expect(await greedyFromScratch(t2Prompt, enc1.features, 12)).toEqual(t2.tokenIds);
    expect(t1.tokenIds.length).toBeGreaterThan(0);
  }, 60_000);

  it('scores labels batched exactly like one label at a time', async () => {
    const labels = ['a cat', 'dog', 'a red sports car on a road', 'x', 'the sea at night'];
    const batched = await classify(model, { image: { path: IMG }, labels, batchSize: 3 });
    // Sequential reference: prefill prefix + label tokens from scratch for each label.
    const enc = await encodeImages(model, [{ path: IMG }], 0);
    const { DEFAULT_CLASSIFY_PROMPT } = await import('../../native/pipelines/classify');
    const prefix = firstTurnIds(
      model.tokenizer,
      { question: DEFAULT_CLASSIFY_PROMPT, tilesPerImage: enc.tilesPerImage },
      model.manifest.tokens,
      256,
    );
    const seq: number[] = [];
    for (const label of labels) {
      const l = model.tokenizer.encode(label);
      let sum = 0;
      let st = await prefill(model, prefix, enc.features, null);
      for (let k = 0; k < l.length; k++) {
        sum += logSoftmaxAt(st.lastLogits, l[k]!);
        if (k < l.length - 1) st = await prefill(model, [l[k]!], null, st.cache);
      }
      seq.push(sum / l.length);
    }
    batched.forEach((s, i) => expect(s.meanLogProb).toBeCloseTo(seq[i]!, 4));
    const rank = (xs: number[]) => xs.map((_, i) => i).sort((a, b) => xs[b]! - xs[a]!);
    expect(rank(batched.map((s) => s.meanLogProb))).toEqual(rank(seq));
  }, 60_000);

  it('reproduces sampled output with the same seed', async () => {
    const run = (seed: number) =>
      caption(model, { image: { path: IMG }, sampling: { temperature: 1.2, topP: 0.95, topK: 50, seed, maxNewTokens: 16 } });
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(a.tokenIds).toEqual(b.tokenIds);
    expect(a.tokenIds).not.toEqual(c.tokenIds);
  }, 60_000);

  it('streams the same text it returns', async () => {
    let streamed = '';
    const out = await caption(model, { image: { path: IMG }, sampling: { maxNewTokens: 20 } }, { onChunk: (c) => (streamed += c.text) });
    expect(streamed.trim()).toBe(out.text);
  });

  it('refuses a prompt longer than the context and too many tiles', async () => {
    const huge = path.join('test/fixtures/images/ml', 'huge.png');
    const err = await caption(model, { image: { path: huge, maxTiles: 100 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect((err as WorkerError).code).toBe('bad_input');
    expect((err as WorkerError).message).toMatch(/tiles/);
    process.env.SHOEBOX_MEMORY_BUDGET_MB = '1';
    try {
      const e2 = await caption(model, { image: { path: huge, maxTiles: 12 } }).catch((e: unknown) => e);
      expect((e2 as WorkerError).code).toBe('bad_input');
      expect((e2 as WorkerError).message).toMatch(/MB/);
    } finally {
      delete process.env.SHOEBOX_MEMORY_BUDGET_MB;
    }
    const longText = 'word '.repeat(40_000);
    const e3 = await caption(model, { image: { path: IMG }, prompt: longText }).catch((e: unknown) => e);
    expect((e3 as WorkerError).code).toBe('bad_input');
    expect((e3 as WorkerError).message).toMatch(/context/);
  }, 60_000);

  it('uses one tile on CPU unless the request or SHOEBOX_CPU_MAX_TILES asks for more', async () => {
    const wide = path.join('test/fixtures/images/ml', 'ratio-4x3.png');
    expect(model.defaultMaxTiles()).toBe(1);
    expect((await encodeImages(model, [{ path: wide }], 0)).tilesPerImage).toEqual([1]);
    expect((await encodeImages(model, [{ path: wide, maxTiles: 6 }], 0)).tilesPerImage).toEqual([7]);
    process.env.SHOEBOX_CPU_MAX_TILES = '2';
    try {
      const w169 = path.join('test/fixtures/images/ml', 'ratio-16x9.png');
      expect((await encodeImages(model, [{ path: w169 }], 0)).tilesPerImage).toEqual([3]);
    } finally {
      delete process.env.SHOEBOX_CPU_MAX_TILES;
    }
  });

  it('refuses an image that fails to decode', async () => {
    const e = await caption(model, { image: { path: 'package.json' } }).catch((x: unknown) => x);
    expect((e as WorkerError).code).toBe('bad_input');
    expect((e as WorkerError).message).toMatch(/cannot decode/);
  });
});

describe('bundle variants', () => {
  it('loads every variant of the tiny bundle and runs it; int8/q4/fp16 logits stay close to fp32', async () => {
    const variants = Object.keys(model.manifest.variants);
    expect(variants).toContain('fp32');
    const ref = await firstLogits(BUNDLE, 'fp32');
    for (const v of variants.filter((x) => x !== 'fp32')) {
      const cos = cosine(await firstLogits(BUNDLE, v), ref);
      console.log(`tiny bundle ${v}: first-logits cosine to fp32 ${cos.toFixed(5)}`);
      // 4-bit weights on a tiny random model lose the most; int8 and fp16 must stay very close.
      // int8 must hold on every x86 CPU: test/ml/int8-cpus.test.ts runs it on an AVX2-only one too.
      expect(cos).toBeGreaterThan(v === 'q4' ? 0.85 : 0.98);
    }
  }, 60_000);
});
