/**
 * @file The first-step logits of a bundle variant on one fixture image and question, and the cosine
 * between two logit vectors: the accuracy figure of a quantized variant against fp32 (ML tests and
 * `bench:vlm`). Also a tiny program, so a test can run it in another process, e.g. under an emulated
 * CPU: `node --import tsx test/ml/helpers/first-logits.ts BUNDLE VARIANT OUT.f32`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { firstLogits as firstLogitsOf } from '../../../native/pipelines/variant-accuracy';

export { cosine } from '../../../native/pipelines/variant-accuracy';

export const FIRST_LOGITS_IMAGE = path.join('test/fixtures/images/ml', 'square.png');

/** Logits after prefilling "Hi" about one one-tile image, on the CPU provider (native/pipelines/variant-accuracy.ts). */
export function firstLogits(bundle: string, variant: string, image = FIRST_LOGITS_IMAGE): Promise<Float32Array> {
  return firstLogitsOf(bundle, variant, image);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [bundle, variant, out] = process.argv.slice(2);
  if (bundle === undefined || variant === undefined || out === undefined) {
    throw new Error('usage: first-logits.ts BUNDLE VARIANT OUT.f32');
  }
  const logits = await firstLogits(bundle, variant);
  writeFileSync(out, Buffer.from(logits.buffer, logits.byteOffset, logits.byteLength));
}
