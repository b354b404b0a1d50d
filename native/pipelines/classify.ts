/**
 * @file Zero-shot classification by label log-likelihood after one shared image prefix.
 *
 * Runs in the inference worker (`classify` method). The prompt (system, image, question,
 * `<|im_start|>assistant\n`) is prefilled once; its last logits score every label's first token.
 * The remaining label tokens run batched: the prefix KV cache is tiled to the batch, labels are
 * right-padded, the attention mask hides the padding, and one decoder run yields every position's
 * logits. A label's score is its mean log-probability per token (labels differ in length).
 * See native/docs/internvl.md §6.3, option B.
 */
import type { ImageInput, LabelScore } from '../protocol';
import { WorkerError } from '../protocol';
import { firstTurnIds } from '../preprocess/prompt';
import { throwIfCancelled, type CancelToken, type InternVLModel } from '../runtime/internvl-model';
import { releaseCache } from '../runtime/kv-location';
import { prefill } from './generate';
import { logSoftmaxAt } from './sampler';
import { encodeImages } from './vision';

/** Default question asked before the labels. */
export const DEFAULT_CLASSIFY_PROMPT = 'What is the main subject of this photo? Answer with a short phrase.';
/** Most labels one request may score. */
export const MAX_LABELS = 512;

/** Parameters of {@link classify}. */
export interface ClassifyParams {
  image: ImageInput;
  labels: readonly string[];
  prompt?: string | undefined;
  batchSize?: number | undefined;
}

/** Scores labels; results are in the order of `labels`. */
export async function classify(model: InternVLModel, params: ClassifyParams, cancel?: CancelToken): Promise<LabelScore[]> {
  const { labels } = params;
  if (labels.length === 0) throw new WorkerError('bad_input', 'classify needs at least one label');
  if (labels.length > MAX_LABELS) throw new WorkerError('bad_input', `at most ${MAX_LABELS} labels per request`);
  const batchSize = params.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new WorkerError('bad_input', 'batchSize must be an integer ≥ 1');
  const tok = model.tokenizer;
  const labelIds = labels.map((l, i) => {
    if (typeof l !== 'string' || l.trim() === '') throw new WorkerError('bad_input', `label ${i} is empty`);
    return tok.encode(l);
  });
  const question = params.prompt ?? DEFAULT_CLASSIFY_PROMPT;
  const enc = await encodeImages(model, [params.image], 64 + question.length, cancel);
  const ids = firstTurnIds(
    tok,
    { question, tilesPerImage: enc.tilesPerImage, systemMessage: model.manifest.system_message },
    model.manifest.tokens,
    model.manifest.image.num_image_token,
  );
  const longest = Math.max(...labelIds.map((l) => l.length));
  model.checkBudget(ids.length + longest, enc.tilesPerImage[0] ?? 0);
  const state = await prefill(model, ids, enc.features, null, cancel);
  const P = state.cache.length;
  const D = model.hidden;
  const V = model.vocab;
  const sums = labelIds.map((l) => logSoftmaxAt(state.lastLogits, l[0]!));

  // Labels with more than one token need a decoder run over tokens[0..n-2].
  const multi = labelIds.map((l, i) => ({ i, l })).filter((x) => x.l.length > 1);
  for (let b = 0; b < multi.length; b += batchSize) {
    throwIfCancelled(cancel);
    const group = multi.slice(b, b + batchSize);
    const B = group.length;
    const T = Math.max(...group.map((g) => g.l.length - 1));
    const flat: number[] = [];
    const mask = new BigInt64Array(B * (P + T));
    const pos = new BigInt64Array(B * T);
    group.forEach((g, r) => {
      for (let k = 0; k < T; k++) {
        const real = k < g.l.length - 1;
        flat.push(real ? g.l[k]! : model.manifest.tokens.pad);
        pos[r * T + k] = BigInt(P + k);
        mask[r * (P + T) + P + k] = real ? 1n : 0n;
      }
      for (let j = 0; j < P; j++) mask[r * (P + T) + j] = 1n;
    });
    const embeds = await model.embed(flat, B, T);
    const out = await model.decode(embeds.subarray(0, B * T * D), B, T, mask, pos, await model.tileCache(state.cache, B), false);
    releaseCache(out.cache);
    if (out.logitsSeq !== T) throw new WorkerError('model_invalid', 'decoder did not return logits for every position');
    group.forEach((g, r) => {
      for (let k = 0; k < g.l.length - 1; k++) {
        const row = out.logits.subarray((r * T + k) * V, (r * T + k + 1) * V);
        sums[g.i]! += logSoftmaxAt(row, g.l[k + 1]!);
      }
    });
  }
  releaseCache(state.cache);
  return labels.map((label, i) => ({
    label,
    sumLogProb: sums[i]!,
    numTokens: labelIds[i]!.length,
    meanLogProb: sums[i]! / labelIds[i]!.length,
  }));
}
