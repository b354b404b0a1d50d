/**
 * @file Unit test of what each installed variant costs ([Note: Variant costs are measured or say so] in
 * main/models/variant-costs.ts): sizes from the manifest's graph files, the median of measured times,
 * the minute-long cache, and the Models page's wording, where an estimate never reads as a measurement.
 */
import { describe, expect, it } from 'vitest';
import type { ModelVariantCost } from '../../preload/contract';
import type { AnyManifest } from '../../main/models/any-manifest';
import { createVariantCosts } from '../../main/models/variant-costs';
import { variantCostRows } from '../../renderer/src/features/models/variant-costs';

const manifest = {
  family: 'internvl',
  variants: {
    fp32: { vision_encoder: 'onnx/v.onnx', embed_tokens: 'onnx/e.onnx', decoder_model_merged: 'onnx/d.onnx' },
    int8: { vision_encoder: 'onnx/v_int8.onnx', embed_tokens: 'onnx/e.onnx', decoder_model_merged: 'onnx/d_int8.onnx' },
  },
  files: [
    { path: 'tokenizer.json', bytes: 7_000_000 },
    { path: 'onnx/v.onnx', bytes: 1_000 },
    { path: 'onnx/v.onnx_data', bytes: 1_200_000_000 },
    { path: 'onnx/e.onnx', bytes: 500 },
    { path: 'onnx/e.onnx_data', bytes: 500_000_000 },
    { path: 'onnx/d.onnx', bytes: 2_000 },
    { path: 'onnx/d.onnx_data', bytes: 2_000_000_000 },
    { path: 'onnx/v_int8.onnx', bytes: 1_500 },
    { path: 'onnx/v_int8.onnx_data', bytes: 300_000_000 },
    { path: 'onnx/d_int8.onnx', bytes: 2_500 },
    { path: 'onnx/d_int8.onnx_data', bytes: 500_000_000 },
  ],
} as unknown as AnyManifest;

describe('variant costs (main)', () => {
  it("sums each variant's graph files (shared ones in each), and takes the median of measured times", () => {
    const costs = createVariantCosts((_id, v) => (v === 'int8' ? [4000, 2500, 9000, 3000] : []))('m', manifest);
    expect(costs.map((c) => [c.variant, c.bytes, c.memory])).toEqual([
      ['fp32', 3_700_003_500, { bytes: 3_700_003_500, measured: false, basis: 'weights' }],
      ['int8', 1_300_004_500, { bytes: 1_300_004_500, measured: false, basis: 'weights' }],
    ]);
    expect(costs.map((c) => c.secondsPerPhoto)).toEqual([null, { seconds: 3.5, measured: true, photos: 4 }]);
  });

  it('reads speeds at most once a minute per variant', () => {
    let reads = 0;
    let int8Reads = 0;
    let t = 0;
    const costs = createVariantCosts(
      (_id, v) => {
        reads++;
        return v === 'int8' ? [1000 * ++int8Reads] : [];
      },
      () => t,
    );
    const int8 = () => costs('m', manifest)[1]!.secondsPerPhoto;
    expect(int8()).toEqual({ seconds: 1, measured: true, photos: 1 });
    t = 59_000;
    expect(int8()?.seconds).toBe(1);
    t = 61_000;
    expect(int8()?.seconds).toBe(2);
    expect(reads).toBe(4); // fp32 and int8, twice each
  });

  it('has nothing to say of a text embedder', () => {
    expect(createVariantCosts(() => [1])('e', { ...manifest, family: 'text-embedder' } as unknown as AnyManifest)).toEqual([]);
  });
});

describe('variant costs (Models page)', () => {
  const cost = (variant: string, secondsPerPhoto: ModelVariantCost['secondsPerPhoto']): ModelVariantCost => ({
    variant,
    bytes: 1_300_000_000,
    memory: { bytes: 1_300_000_000, measured: false, basis: 'weights' },
    secondsPerPhoto,
  });
  const offer = { id: 'internvl3-1b', variants: ['int8' as const], secondsPerPhoto: 9.7 };

  it('says measured only of a measured speed, labels the estimate, and says when there is neither', () => {
    const rows = variantCostRows(
      {
        id: 'internvl3-1b',
        variantCosts: [cost('fp32', { seconds: 12.25, measured: true, photos: 1 }), cost('int8', null), cost('q4', null)],
      },
      offer,
    );
    expect(rows).toEqual([
      {
        variant: 'fp32',
        size: '1.3 GB',
        memory: 'at least 1.3 GB (its weights; an estimate, not measured)',
        speed: '12.3 s per photo, measured here (median of the last 1 photo)',
        speedSource: 'measured',
      },
      {
        variant: 'int8',
        size: '1.3 GB',
        memory: 'at least 1.3 GB (its weights; an estimate, not measured)',
        speed: 'about 9.7 s per photo (an estimate; not measured here yet)',
        speedSource: 'estimate',
      },
      {
        variant: 'q4',
        size: '1.3 GB',
        memory: 'at least 1.3 GB (its weights; an estimate, not measured)',
        speed: 'not measured yet: it has not described a photo here',
        speedSource: 'none',
      },
    ]);
    // The recommendation's estimate is for its own model only.
    expect(variantCostRows({ id: 'other', variantCosts: [cost('int8', null)] }, offer)[0]!.speedSource).toBe('none');
    expect(variantCostRows({ id: 'internvl3-1b', variantCosts: [cost('int8', null)] }, null)[0]!.speedSource).toBe('none');
  });
});
