/**
 * @file [Note: KV cache on the device] without a GPU: which providers keep the cache on the device,
 * the `SHOEBOX_KV_ON_DEVICE` switch, the fallback after a failure (on the tiny bundle with a failing
 * decoder session), the download graph, and who releases which cache when branches share a prefix
 * (a fake model whose caches are fake device tensors that count `dispose` calls).
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { generateRows } from '../../native/pipelines/batch-generate';
import { embedBlocks, emptyRows, feedRows, pickRows, type Rows } from '../../native/pipelines/branch';
import { prefill } from '../../native/pipelines/generate';
import { InternVLModel, type KvCache } from '../../native/runtime/internvl-model';
import {
  assertUsable,
  DeviceTensors,
  identityModel,
  kvPlacement,
  KvPlacementState,
  presentOutputLocations,
  releaseCache,
} from '../../native/runtime/kv-location';
import { float32Tensor } from '../../native/runtime/sessions';

describe('kvPlacement', () => {
  it('keeps the cache on the device for WebGPU only', () => {
    expect(kvPlacement('webgpu', {}).location).toBe('device');
    for (const p of ['cpu', 'cuda', 'dml', 'coreml']) expect(kvPlacement(p, {}).location).toBe('host');
    expect(kvPlacement('cuda', {}).reason).toMatch(/only for WebGPU/);
  });

  it('is turned off by SHOEBOX_KV_ON_DEVICE=0', () => {
    const p = kvPlacement('webgpu', { SHOEBOX_KV_ON_DEVICE: '0' });
    expect(p).toEqual({ location: 'host', reason: 'turned off by SHOEBOX_KV_ON_DEVICE=0' });
    expect(kvPlacement('webgpu', { SHOEBOX_KV_ON_DEVICE: '1' }).location).toBe('device');
  });

  it('names every present output and no other', () => {
    expect(presentOutputLocations(2)).toEqual({
      'present.0.key': 'gpu-buffer',
      'present.0.value': 'gpu-buffer',
      'present.1.key': 'gpu-buffer',
      'present.1.value': 'gpu-buffer',
    });
  });

  it('falls back to the host once and keeps the first reason', () => {
    const s = new KvPlacementState(kvPlacement('webgpu', {}));
    s.fallBack('unsupported op\nstack');
    s.fallBack('second failure');
    expect(s.onDevice).toBe(false);
    expect(s.placement.reason).toBe('device cache failed, host from now on: unsupported op');
  });
});

/** A device tensor stand-in that behaves like onnxruntime's after dispose (location 'none'). */
class FakeDeviceTensor {
  location = 'gpu-buffer';
  disposes = 0;
  constructor(readonly dims: readonly number[]) {}
  dispose(): void {
    this.disposes++;
    this.location = 'none';
  }
}
const fakes = (cache: KvCache): FakeDeviceTensor[] => cache.tensors as unknown as FakeDeviceTensor[];

describe('releaseCache', () => {
  const cache = (): KvCache => ({
    tensors: [new FakeDeviceTensor([1, 1, 2, 2]), new FakeDeviceTensor([1, 1, 2, 2])] as unknown as ort.Tensor[],
    batch: 1,
    length: 2,
  });

  it('disposes device tensors once, never a kept cache or a host tensor', () => {
    const a = cache();
    const host = float32Tensor(new Float32Array(4), [1, 1, 2, 2]);
    const mixed: KvCache = { tensors: [a.tensors[0]!, host], batch: 1, length: 2 };
    releaseCache(mixed, a);
    expect(fakes(a).map((t) => t.disposes)).toEqual([0, 0]);
    expect(host.location).toBe('cpu');
    releaseCache(a);
    releaseCache(a);
    expect(fakes(a).map((t) => t.disposes)).toEqual([1, 1]);
    expect(() => assertUsable(a.tensors)).toThrow(/used after it was released/);
  });

  it('DeviceTensors disposes what callers still hold', () => {
    const live = new DeviceTensors();
    const a = cache();
    const b = cache();
    live.track(a.tensors);
    live.track(b.tensors);
    releaseCache(a);
    expect(live.size).toBe(2);
    live.disposeAll();
    expect([...fakes(a), ...fakes(b)].map((t) => t.disposes)).toEqual([1, 1, 1, 1]);
  });
});

describe('identityModel', () => {
  it('is a valid ONNX graph that copies a rank-4 float32 tensor', async () => {
    const s = await ort.InferenceSession.create(identityModel(), { executionProviders: ['cpu'] });
    const x = float32Tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [1, 2, 3, 1]);
    const y = (await s.run({ x })).y!;
    expect(y.dims).toEqual([1, 2, 3, 1]);
    expect(Array.from(y.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    await s.release();
  });
});

/**
 * A model whose decoder returns fake device caches and whose logits make row b pick token id
 * `position of its last token` (so rows of different lengths reach the EOS id at different steps).
 */
function fakeModel(V = 16, D = 2) {
  const created: FakeDeviceTensor[] = [];
  const usedAfterRelease: string[] = [];
  let downloads = 0;
  const host = (b: number, L: number) => float32Tensor(new Float32Array(b * L * 2), [b, 1, L, 2]);
  const model = {
    hidden: D,
    vocab: V,
    manifest: { tokens: { pad: 0 }, llm: { num_layers: 1, num_kv_heads: 1, head_dim: 2 } },
    prefillChunk: () => 4096,
    embed: async (_ids: readonly number[], b: number, s: number) => new Float32Array(b * s * D),
    emptyCache: (batch: number): KvCache => ({ tensors: [host(batch, 0), host(batch, 0)], batch, length: 0 }),
    hostCache: async (cache: KvCache): Promise<KvCache> => {
      assertUsable(cache.tensors);
      downloads++;
      return { ...cache, tensors: cache.tensors.map((t) => (t.location === 'gpu-buffer' ? host(t.dims[0]!, t.dims[2]!) : t)) };
    },
    decode: async (
      _e: Float32Array,
      batch: number,
      seq: number,
      _m: BigInt64Array,
      pos: BigInt64Array,
      cache: KvCache,
      lastOnly: boolean,
    ) => {
      if (cache.tensors.some((t) => t.location === 'none')) usedAfterRelease.push(`decode at length ${cache.length}`);
      const L = cache.length + seq;
      const tensors = [new FakeDeviceTensor([batch, 1, L, 2]), new FakeDeviceTensor([batch, 1, L, 2])];
      created.push(...tensors);
      const T = lastOnly ? 1 : seq;
      const logits = new Float32Array(batch * T * V);
      for (let b = 0; b < batch; b++) for (let k = 0; k < T; k++) logits[(b * T + k) * V + (Number(pos[b * seq + seq - T + k]) % V)] = 10;
      return { logits, logitsSeq: T, cache: { tensors: tensors as unknown as ort.Tensor[], batch, length: L } };
    },
  };
  return { model: model as unknown as InternVLModel, created, usedAfterRelease, downloads: () => downloads };
}

async function prefix(model: InternVLModel, lengths: number[]): Promise<{ rows: Rows; logits: Float32Array }> {
  const blocks = await embedBlocks(
    model,
    lengths.map((n) => new Array<number>(n).fill(1)),
  );
  return feedRows(model, emptyRows(model, lengths.length), blocks, 'last');
}

describe('cache ownership with device tensors', () => {
  it('generateRows releases every state it made, once, and never the rows it was given', async () => {
    const f = fakeModel();
    const p = await prefix(f.model, [4, 5, 6]);
    const out = await generateRows(f.model, p.rows, p.logits, { maxNewTokens: 10, eos: [6] });
    expect(out.map((o) => o.tokenIds)).toEqual([
      [3, 4, 5, 6],
      [4, 5, 6],
      [5, 6],
    ]);
    expect(fakes(p.rows.cache).map((t) => t.disposes)).toEqual([0, 0]);
    const mine = new Set(fakes(p.rows.cache));
    expect(f.created.filter((t) => !mine.has(t)).map((t) => t.disposes)).toEqual(f.created.filter((t) => !mine.has(t)).map(() => 1));
    expect(f.usedAfterRelease).toEqual([]);
    // Rows left the batch twice: two copies to the host.
    expect(f.downloads()).toBe(2);
  });

  it('branches of a shared prefix leave it usable until its owner releases it', async () => {
    const f = fakeModel();
    const p = await prefix(f.model, [3, 3]);
    const questions = [
      [[0, 0] as const, [0, 1] as const], // every row in order: the prefix itself, still on the device
      [[0, 1] as const], // a subset: gathered from a host copy
      [[0, 0] as const, [0, 0] as const], // a row repeated (label scoring)
    ];
    for (const picks of questions) {
      const rows = await pickRows(f.model, [p.rows], picks);
      const q = await feedRows(
        f.model,
        rows,
        await embedBlocks(
          f.model,
          picks.map(() => [2, 3]),
        ),
        'last',
      );
      await generateRows(f.model, q.rows, q.logits, { maxNewTokens: 3, eos: [] });
      releaseCache(q.rows.cache, p.rows.cache);
      releaseCache(rows.cache, p.rows.cache);
      expect(fakes(p.rows.cache).map((t) => t.disposes)).toEqual([0, 0]);
    }
    releaseCache(p.rows.cache);
    expect(f.created.map((t) => t.disposes)).toEqual(f.created.map(() => 1));
    expect(f.usedAfterRelease).toEqual([]);
  });
});

describe('fallback to host outputs (tiny bundle, CPU)', () => {
  const BUNDLE = 'test/fixtures/models/tiny-internvl';
  type Internals = { kv: KvPlacementState; sessions: Record<string, ort.InferenceSession>; retired: unknown[] };

  it('a failing device-located run falls back, answers the same, and says why', async () => {
    const model = await InternVLModel.load(BUNDLE, { executionProviders: ['cpu'] });
    expect(model.describe().kvCache?.location).toBe('host');
    const ids = model.tokenizer.encode('hello there');
    const want = await prefill(model, ids, null, null);
    const internals = model as unknown as Internals;
    internals.kv = new KvPlacementState({ location: 'device', reason: 'test' });
    let calls = 0;
    const real = internals.sessions.decoder_model_merged!;
    internals.sessions.decoder_model_merged = {
      inputNames: real.inputNames,
      run: () => {
        calls++;
        return Promise.reject(new Error('WebGPU: no kernel for SomeOp'));
      },
      release: () => real.release(),
    } as unknown as ort.InferenceSession;
    const got = await prefill(model, ids, null, null);
    expect(calls).toBe(1);
    expect(Array.from(got.lastLogits)).toEqual(Array.from(want.lastLogits));
    expect(model.describe().kvCache).toEqual({
      location: 'host',
      reason: 'device cache failed, host from now on: WebGPU: no kernel for SomeOp',
    });
    expect(internals.retired).toHaveLength(1);
    await model.release();
  });

  it('the load probe falls back when present.* come back on the host', async () => {
    const model = await InternVLModel.load(BUNDLE, { executionProviders: ['cpu'] });
    const internals = model as unknown as Internals & { probeDeviceCache(): Promise<void> };
    internals.kv = new KvPlacementState({ location: 'device', reason: 'test' });
    await internals.probeDeviceCache();
    expect(model.describe().kvCache).toEqual({
      location: 'host',
      reason: 'device cache failed, host from now on: probe: present.* came back on the host',
    });
    await model.release();
  });
});
