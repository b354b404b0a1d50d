/**
 * @file Autoregressive generation on an {@link InternVLModel}: chunked prefill into the KV cache,
 * then one decoder run per token with greedy or sampled choice, streaming text, stopping on an EOS
 * id (`<|im_end|>`) or the token limit, cancellable between tokens.
 *
 * Runs in the inference worker. Used by `caption.ts` and `chat.ts`; `classify.ts` reuses
 * {@link prefill}.
 */
import type { SamplingParams, StreamChunk } from '../protocol';
import { WorkerError } from '../protocol';
import { throwIfCancelled, type CancelToken, type InternVLModel, type KvCache } from '../runtime/internvl-model';
import { releaseCache } from '../runtime/kv-location';
import { Sampler, samplerConfig } from './sampler';
import { TextStreamer } from './text-streamer';

/** Default maximum of new tokens: the only one (main sends a limit only when the user gave one). */
export const DEFAULT_MAX_NEW_TOKENS = 64;

/** State after a prefill: the cache and the logits of the last position. */
export interface PrefillState {
  cache: KvCache;
  lastLogits: Float32Array;
}

/**
 * Feeds `ids` (batch 1) after an existing cache (or from empty), writing image features into the
 * `<IMG_CONTEXT>` rows. Long inputs run in chunks so the logits buffer stays bounded. `cache` stays
 * the caller's; the returned one is the caller's too ([Note: KV cache on the device]).
 */
export async function prefill(
  model: InternVLModel,
  ids: readonly number[],
  features: Float32Array | null,
  cache: KvCache | null,
  cancel?: CancelToken,
): Promise<PrefillState> {
  if (ids.length === 0) throw new Error('prefill needs at least one token');
  const D = model.hidden;
  const V = model.vocab;
  const embeds = await model.embedWithImages(ids, features);
  let c = cache ?? model.emptyCache(1);
  const chunk = model.prefillChunk();
  let last: Float32Array | null = null;
  for (let start = 0; start < ids.length; start += chunk) {
    throwIfCancelled(cancel);
    const n = Math.min(chunk, ids.length - start);
    const total = c.length + n;
    const mask = new BigInt64Array(total).fill(1n);
    const pos = new BigInt64Array(n);
    for (let i = 0; i < n; i++) pos[i] = BigInt(c.length + i);
    const isLast = start + n >= ids.length;
    // Only the last row of the last chunk is used: ask for one row when the graph can give it.
    const out = await model.decode(embeds.subarray(start * D, (start + n) * D), 1, n, mask, pos, c, true);
    if (c !== cache) releaseCache(c);
    c = out.cache;
    if (isLast) last = out.logits.slice((out.logitsSeq - 1) * V, out.logitsSeq * V);
  }
  return { cache: c, lastLogits: last! };
}

/** Options of {@link generate}. */
export interface GenerateOptions {
  sampling?: SamplingParams | undefined;
  eos: readonly number[];
  cancel?: CancelToken | undefined;
  onChunk?: ((chunk: StreamChunk) => void) | undefined;
  /** Ids the repetition penalty applies to besides the generated ones (the prompt's text ids). */
  promptIds?: readonly number[];
  /** Positions left in the model's context. */
  contextLeft: number;
}

/** Output of {@link generate}. */
export interface GenerateOutput {
  tokenIds: number[];
  text: string;
  finishReason: 'stop' | 'length';
  /** Cache holding everything but the last generated token (which was never fed back). */
  cache: KvCache;
  decodeMs: number;
}

/**
 * Generates from a prefilled state; streams chunks; EOS ids are returned but not printed.
 * `state.cache` stays the caller's; the returned cache is the caller's too (it may be `state.cache`).
 */
export async function generate(model: InternVLModel, state: PrefillState, opts: GenerateOptions): Promise<GenerateOutput> {
  const cfg = samplerConfig(opts.sampling);
  const requested = opts.sampling?.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
  if (!Number.isInteger(requested) || requested < 1) throw new WorkerError('bad_input', 'maxNewTokens must be an integer ≥ 1');
  const maxNew = Math.min(requested, opts.contextLeft);
  if (maxNew < 1) throw new WorkerError('bad_input', 'no room left in the context for new tokens');
  const minNew = opts.sampling?.minNewTokens ?? 0;
  if (!Number.isInteger(minNew) || minNew < 0) throw new WorkerError('bad_input', 'minNewTokens must be an integer ≥ 0');
  const sampler = new Sampler(cfg);
  const seen = new Set<number>(opts.promptIds ?? []);
  const streamer = new TextStreamer(model.tokenizer);
  const eos = new Set(opts.eos);
  const D = model.hidden;
  const t0 = performance.now();
  const out: number[] = [];
  let logits = state.lastLogits;
  let cache = state.cache;
  let finish: 'stop' | 'length' = 'length';
  for (let step = 0; step < maxNew; step++) {
    throwIfCancelled(opts.cancel);
    if (step < minNew && eos.size > 0) {
      logits = Float32Array.from(logits);
      for (const id of eos) if (id < logits.length) logits[id] = -Infinity;
    }
    const next = sampler.next(logits, seen);
    out.push(next);
    seen.add(next);
    if (eos.has(next)) {
      finish = 'stop';
      break;
    }
    const text = streamer.push([next]);
    opts.onChunk?.({ text, tokenIds: [next] });
    if (step === maxNew - 1) break;
    const emb = await model.embed([next], 1, 1);
    const mask = new BigInt64Array(cache.length + 1).fill(1n);
    const pos = BigInt64Array.of(BigInt(cache.length));
    const res = await model.decode(emb.subarray(0, D), 1, 1, mask, pos, cache, true);
    if (cache !== state.cache) releaseCache(cache);
    cache = res.cache;
    logits = res.logits.subarray((res.logitsSeq - 1) * model.vocab, res.logitsSeq * model.vocab);
  }
  const tail = streamer.flush();
  if (tail !== '') opts.onChunk?.({ text: tail, tokenIds: [] });
  const text = model.tokenizer.decode(out.filter((id) => !eos.has(id))).trim();
  return { tokenIds: out, text, finishReason: finish, cache, decodeMs: performance.now() - t0 };
}
