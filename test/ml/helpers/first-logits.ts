/**
 * @file The first-step logits of a bundle variant on one fixture image and question, and the cosine
 * between two logit vectors: the accuracy figure of a quantized variant against fp32 (ML tests and
 * `bench:vlm`). Also a tiny program, so a test can run it in another process, e.g. under an emulated
 * CPU: `node --import tsx test/ml/helpers/first-logits.ts BUNDLE VARIANT OUT.f32`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { prefill } from '../../../native/pipelines/generate';
import { encodeImages } from '../../../native/pipelines/vision';
import { firstTurnIds } from '../../../native/preprocess/prompt';
import { InternVLModel } from '../../../native/runtime/internvl-model';

export const FIRST_LOGITS_IMAGE = path.join('test/fixtures/images/ml', 'square.png');

/** Logits after prefilling "Hi" about one one-tile image, on the CPU provider. */
export async function firstLogits(bundle: string, variant: string, image = FIRST_LOGITS_IMAGE): Promise<Float32Array> {
  const model = await InternVLModel.load(bundle, { variant, executionProviders: ['cpu'] });
  try {
    const enc = await encodeImages(model, [{ path: image, maxTiles: 1 }], 0);
    const ids = firstTurnIds(model.tokenizer, { question: 'Hi', tilesPerImage: enc.tilesPerImage }, model.manifest.tokens, 256);
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [bundle, variant, out] = process.argv.slice(2);
  if (bundle === undefined || variant === undefined || out === undefined) {
    throw new Error('usage: first-logits.ts BUNDLE VARIANT OUT.f32');
  }
  const logits = await firstLogits(bundle, variant);
  writeFileSync(out, Buffer.from(logits.buffer, logits.byteOffset, logits.byteLength));
}
