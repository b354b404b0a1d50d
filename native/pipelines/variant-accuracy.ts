/**
 * @file The accuracy of a bundle's variants against its fp32 graphs: the cosine between the first-step
 * logits of each variant and of fp32, after prefilling one fixed question about one one-tile image, on
 * the CPU provider. The bundle build records it for every variant it made ([Note: Variant accuracy
 * check] in main/models/build/variant-check.ts); the ML tests and `bench:vlm` use the same figure.
 *
 * Runs in the inference worker (and in tests / benchmarks under Node).
 */
import { InternVLModel } from '../runtime/internvl-model';
import { firstTurnIds } from '../preprocess/prompt';
import { prefill } from './generate';
import { encodeImages } from './vision';

/** The fixed question of the check. */
export const ACCURACY_PROMPT = 'Hi';

/** Logits after prefilling {@link ACCURACY_PROMPT} about one one-tile image, on the CPU provider. */
export async function firstLogits(bundle: string, variant: string, image: string): Promise<Float32Array> {
  const model = await InternVLModel.load(bundle, { variant, executionProviders: ['cpu'] });
  try {
    const enc = await encodeImages(model, [{ path: image, maxTiles: 1 }], 0);
    const ids = firstTurnIds(model.tokenizer, { question: ACCURACY_PROMPT, tilesPerImage: enc.tilesPerImage }, model.manifest.tokens, 256);
    return (await prefill(model, ids, enc.features, null)).lastLogits;
  } finally {
    await model.release();
  }
}

/** Cosine of two vectors of the same length. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`cosine of vectors of length ${a.length} and ${b.length}`);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

/** Each variant's first-logits cosine to fp32 (fp32 itself is 1 by definition and not run twice). */
export async function variantAccuracy(bundle: string, variants: readonly string[], image: string): Promise<Record<string, number>> {
  const ref = await firstLogits(bundle, 'fp32', image);
  const out: Record<string, number> = {};
  for (const v of variants) out[v] = v === 'fp32' ? 1 : cosine(await firstLogits(bundle, v, image), ref);
  return out;
}
