/**
 * @file Batched decoder state with one attention-mask row per sequence: feed tokens to many
 * sequences in one decoder run, branch a shared prefix into several continuations, drop finished
 * sequences, and merge states whose lengths differ.
 *
 * Runs in the inference worker; used by `understand.ts`, `batch-generate.ts` and `label-scoring.ts`.
 *
 * [Note: Branching the KV cache] onnxruntime tensors are never written in place: a decoder run
 * reads `past_key_values.*` and returns new `present.*` tensors. A prefix's cache can therefore feed
 * any number of continuations; {@link gatherRows} copies the rows it needs (the decoder wants one
 * contiguous [B, KV, L, Hd] tensor per layer) and the source stays valid. Rows of different lengths
 * are left-padded to the longest: the padded slots hold zeros and stay masked (`attention_mask` 0)
 * for the rest of the sequence, and each row keeps its own next position id, so a padded row
 * computes what it would alone (BUNDLE-SPEC: "left padding stays masked"). Feeding blocks of
 * different lengths left-pads them the same way, so every row's last token sits in the last slot
 * and `num_logits_to_keep = 1` still gives every row's next-token logits.
 */
import { WorkerError } from '../protocol';
import { throwIfCancelled, type CancelToken, type InternVLModel, type KvCache } from '../runtime/internvl-model';
import { releaseCache } from '../runtime/kv-location';
import { float32Tensor } from '../runtime/sessions';

/** Decoder state of B sequences: a cache of length L, which of its slots are real, next positions. */
export interface Rows {
  cache: KvCache;
  /** [B, L] row-major: 1 = a real token, 0 = padding. */
  mask: Uint8Array;
  /** Position id of each row's next token (its count of real tokens so far). */
  nextPos: number[];
}

/** B empty sequences. */
export function emptyRows(model: InternVLModel, batch: number): Rows {
  return { cache: model.emptyCache(batch), mask: new Uint8Array(0), nextPos: new Array<number>(batch).fill(0) };
}

/** Bytes of one row's cache per token (keys and values of every layer, float32). */
export function kvBytesPerToken(model: InternVLModel): number {
  const { num_layers, num_kv_heads, head_dim } = model.manifest.llm;
  return 2 * num_layers * num_kv_heads * head_dim * 4;
}

/**
 * Rows picked from one or more states (`[source, row]` pairs, repeats allowed), left-padded to the
 * longest source. The sources are not modified. See [Note: Branching the KV cache].
 */
export function gatherRows(sources: readonly Rows[], picks: readonly (readonly [number, number])[]): Rows {
  const first = sources[0];
  if (first === undefined) throw new RangeError('gatherRows needs a source');
  if (picksAll(sources, picks)) return first;
  const L = Math.max(...sources.map((s) => s.cache.length));
  const B = picks.length;
  const mask = new Uint8Array(B * L);
  const nextPos: number[] = [];
  picks.forEach(([s, r], b) => {
    const src = sources[s]!;
    const Ls = src.cache.length;
    mask.set(src.mask.subarray(r * Ls, (r + 1) * Ls), b * L + (L - Ls));
    nextPos.push(src.nextPos[r]!);
  });
  const tensors = first.cache.tensors.map((t0, k) => {
    const [, H, , Hd] = t0.dims as [number, number, number, number];
    const data = new Float32Array(B * H * L * Hd);
    picks.forEach(([s, r], b) => {
      const src = sources[s]!;
      const Ls = src.cache.length;
      if (Ls === 0) return;
      const sd = src.cache.tensors[k]!.data as Float32Array;
      for (let h = 0; h < H; h++) {
        const from = (r * H + h) * Ls * Hd;
        data.set(sd.subarray(from, from + Ls * Hd), ((b * H + h) * L + (L - Ls)) * Hd);
      }
    });
    return float32Tensor(data, [B, H, L, Hd]);
  });
  return { cache: { tensors, batch: B, length: L }, mask, nextPos };
}

/** True when `picks` are every row of the only source, in order: the source itself is the result. */
function picksAll(sources: readonly Rows[], picks: readonly (readonly [number, number])[]): boolean {
  const first = sources[0]!;
  return sources.length === 1 && picks.length === first.cache.batch && picks.every(([s, r], i) => s === 0 && r === i);
}

/**
 * {@link gatherRows} for caches that may be on the device ([Note: KV cache on the device]): all rows
 * in order is the source itself, still on the device; any other pick copies the sources to the host
 * once and gathers there. The result shares tensors with the source only in the first case, so
 * release it with the source kept (`releaseCache(result.cache, source.cache)`).
 */
export async function pickRows(
  model: InternVLModel,
  sources: readonly Rows[],
  picks: readonly (readonly [number, number])[],
): Promise<Rows> {
  if (sources.length > 0 && picksAll(sources, picks)) return sources[0]!;
  const host: Rows[] = [];
  for (const s of sources) host.push({ ...s, cache: await model.hostCache(s.cache) });
  return gatherRows(host, picks);
}

/** Output of {@link feedRows}. */
export interface FedRows {
  rows: Rows;
  /** `keep: 'last'`: [B, V], each row's next-token logits. `keep: 'all'`: [B, S, V] (padding slots first). */
  logits: Float32Array;
}

/**
 * Appends a block of embeddings to every row (`blocks[b]` is [n_b, D], n_b ≥ 1) in batched decoder
 * runs; shorter blocks are left-padded. Long blocks run in slices so a run stays within the model's
 * prefill size; `keep: 'all'` (logits of every position) runs in one slice. `rows` stays the
 * caller's; the returned rows hold a new cache, the caller's to release.
 */
export async function feedRows(
  model: InternVLModel,
  rows: Rows,
  blocks: readonly Float32Array[],
  keep: 'last' | 'all',
  cancel?: CancelToken,
): Promise<FedRows> {
  const B = rows.cache.batch;
  if (blocks.length !== B) throw new RangeError(`${blocks.length} blocks for ${B} rows`);
  const D = model.hidden;
  const V = model.vocab;
  const lens = blocks.map((e) => e.length / D);
  if (lens.some((n) => !Number.isInteger(n) || n < 1)) throw new RangeError('every row needs a block of at least one token');
  const S = Math.max(...lens);
  const embeds = new Float32Array(B * S * D);
  const newMask = new Uint8Array(B * S);
  const pos = new BigInt64Array(B * S);
  blocks.forEach((e, b) => {
    const pad = S - lens[b]!;
    embeds.set(e, (b * S + pad) * D);
    for (let k = 0; k < S; k++) {
      newMask[b * S + k] = k >= pad ? 1 : 0;
      pos[b * S + k] = BigInt(rows.nextPos[b]! + Math.max(0, k - pad));
    }
  });
  const slice = keep === 'all' ? S : Math.max(1, Math.floor(model.prefillChunk() / B));
  let cache = rows.cache;
  let mask = rows.mask;
  let logits: Float32Array = new Float32Array(0);
  for (let start = 0; start < S; start += slice) {
    throwIfCancelled(cancel);
    const n = Math.min(slice, S - start);
    const L = cache.length;
    const m = new Uint8Array(B * (L + n));
    const m64 = new BigInt64Array(B * (L + n));
    const e = new Float32Array(B * n * D);
    const p = new BigInt64Array(B * n);
    for (let b = 0; b < B; b++) {
      m.set(mask.subarray(b * L, (b + 1) * L), b * (L + n));
      m.set(newMask.subarray(b * S + start, b * S + start + n), b * (L + n) + L);
      e.set(embeds.subarray((b * S + start) * D, (b * S + start + n) * D), b * n * D);
      p.set(pos.subarray(b * S + start, b * S + start + n), b * n);
    }
    for (let i = 0; i < m.length; i++) m64[i] = BigInt(m[i]!);
    const out = await model.decode(e, B, n, m64, p, cache, keep === 'last');
    if (keep === 'all' && out.logitsSeq !== n) throw new WorkerError('model_invalid', 'decoder did not return logits for every position');
    if (cache !== rows.cache) releaseCache(cache);
    cache = out.cache;
    mask = m;
    if (start + n >= S) {
      if (keep === 'all') logits = out.logits;
      else {
        logits = new Float32Array(B * V);
        const T = out.logitsSeq;
        for (let b = 0; b < B; b++) logits.set(out.logits.subarray((b * T + T - 1) * V, (b * T + T) * V), b * V);
      }
    }
  }
  return { rows: { cache, mask, nextPos: rows.nextPos.map((p0, b) => p0 + lens[b]!) }, logits };
}

/** Token embeddings of several id lists (one embedding run), one [n_i, D] block each. */
export async function embedBlocks(model: InternVLModel, ids: readonly (readonly number[])[]): Promise<Float32Array[]> {
  if (ids.length === 0) return [];
  const D = model.hidden;
  const S = Math.max(...ids.map((l) => l.length));
  const flat: number[] = [];
  for (const l of ids) for (let k = 0; k < S; k++) flat.push(l[k] ?? model.manifest.tokens.pad);
  const emb = await model.embed(flat, ids.length, S);
  return ids.map((l, b) => emb.slice(b * S * D, (b * S + l.length) * D));
}
