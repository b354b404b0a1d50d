/**
 * @file Autoregressive generation for several sequences at once: one decoder run per step serves
 * every unfinished row, each row stops on its own EOS or token limit, and finished rows leave the
 * batch. Row by row the choices are those of `generate.ts` (same sampler, same EOS and limit rules).
 *
 * Runs in the inference worker (`understand.ts`). [Note: Batched decode on CPU] A decode step of
 * batch 1 is bound by reading the weights; with B rows one read serves B tokens, so B captions cost
 * far less than B times one caption.
 */
import type { SamplingParams } from '../protocol';
import { WorkerError } from '../protocol';
import { throwIfCancelled, type CancelToken, type InternVLModel } from '../runtime/internvl-model';
import { releaseCache } from '../runtime/kv-location';
import { embedBlocks, feedRows, pickRows, type Rows } from './branch';
import { Sampler, samplerConfig } from './sampler';

/** Options of {@link generateRows}. */
export interface GenerateRowsOptions {
  sampling?: SamplingParams | undefined;
  /** Token limit (the sampling's `maxNewTokens` is ignored). */
  maxNewTokens: number;
  eos: readonly number[];
  /** Per row: ids the repetition penalty applies to besides the generated ones. */
  promptIds?: readonly (readonly number[])[];
  cancel?: CancelToken | undefined;
}

/** One row's output. */
export interface RowOutput {
  /** Generated ids, the EOS included when one ended the row (as `generate` returns them). */
  tokenIds: number[];
  finishReason: 'stop' | 'length';
}

/**
 * Generates from B prefilled rows whose next-token logits are `logits` ([B, V]). `rows` stays the
 * caller's; every later state is released here ([Note: KV cache on the device]).
 */
export async function generateRows(
  model: InternVLModel,
  rows: Rows,
  logits: Float32Array,
  opts: GenerateRowsOptions,
): Promise<RowOutput[]> {
  const B = rows.cache.batch;
  const V = model.vocab;
  const cfg = samplerConfig(opts.sampling);
  const maxNew = opts.maxNewTokens;
  if (!Number.isInteger(maxNew) || maxNew < 1) throw new WorkerError('bad_input', 'maxNewTokens must be an integer ≥ 1');
  const minNew = opts.sampling?.minNewTokens ?? 0;
  if (!Number.isInteger(minNew) || minNew < 0) throw new WorkerError('bad_input', 'minNewTokens must be an integer ≥ 0');
  const eos = new Set(opts.eos);
  const out: RowOutput[] = Array.from({ length: B }, () => ({ tokenIds: [], finishReason: 'length' }));
  const samplers = Array.from({ length: B }, () => new Sampler(cfg));
  const seen = Array.from({ length: B }, (_, b) => new Set<number>(opts.promptIds?.[b] ?? []));
  // `active[i]` is the original row index of row i of the current state.
  let active = Array.from({ length: B }, (_, b) => b);
  let state = rows;
  let cur = logits;
  for (let step = 0; step < maxNew && active.length > 0; step++) {
    throwIfCancelled(opts.cancel);
    const next: number[] = [];
    const keep: number[] = [];
    active.forEach((b, i) => {
      let row = cur.subarray(i * V, (i + 1) * V);
      if (step < minNew && eos.size > 0) {
        row = Float32Array.from(row);
        for (const id of eos) if (id < row.length) row[id] = -Infinity;
      }
      const t = samplers[b]!.next(row, seen[b]!);
      out[b]!.tokenIds.push(t);
      seen[b]!.add(t);
      if (eos.has(t)) out[b]!.finishReason = 'stop';
      else if (step < maxNew - 1) {
        keep.push(i);
        next.push(t);
      }
    });
    if (keep.length === 0) break;
    if (keep.length < active.length) {
      const picked = await pickRows(
        model,
        [state],
        keep.map((i) => [0, i] as const),
      );
      if (state !== rows) releaseCache(state.cache, picked.cache);
      state = picked;
      active = keep.map((i) => active[i]!);
    }
    const fed = await feedRows(
      model,
      state,
      await embedBlocks(
        model,
        next.map((t) => [t]),
      ),
      'last',
      opts.cancel,
    );
    if (state !== rows) releaseCache(state.cache);
    state = fed.rows;
    cur = fed.logits;
  }
  if (state !== rows) releaseCache(state.cache);
  return out;
}
