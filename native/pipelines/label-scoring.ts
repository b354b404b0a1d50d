/**
 * @file Zero-shot label scoring for several photos at once, over a label trie: the tag question's
 * last logits score every label's first token; the trie's feed paths (see [Note: Label trie] in
 * `label-trie.ts`) run from each photo's cached question, batched across paths and photos, paths of
 * one length per decoder run, with every position's logits kept.
 *
 * Runs in the inference worker (`understand.ts`). Scores equal `classify.ts`'s for the same prompt.
 */
import { throwIfCancelled, type CancelToken, type InternVLModel } from '../runtime/internvl-model';
import { releaseCache } from '../runtime/kv-location';
import { embedBlocks, feedRows, kvBytesPerToken, pickRows, type Rows } from './branch';
import { childLogProbs, labelScores, type LabelLogProb, type LabelTrie } from './label-trie';

/** Options of {@link scoreLabelRows}. */
export interface LabelScoringOptions {
  /** Most sequences per decoder run (default: as many as fit {@link ROW_CACHE_BUDGET} of copied cache, ≤ 64). */
  maxRows?: number | undefined;
  cancel?: CancelToken | undefined;
}

/** Bytes of branched cache one scoring run may copy (its output cache is as large again). */
export const ROW_CACHE_BUDGET = 128 * 2 ** 20;

/** Work done, for logs and the benchmark. */
export interface LabelScoringStats {
  /** Decoder positions per photo (feed path tokens). */
  positions: number;
  decoderRuns: number;
}

/**
 * Scores the trie's labels for every row of `rows` (each holds a photo's prompt up to the answer;
 * `logits` [B, V] are its next-token logits). Returns one score list per row, in label order.
 */
export async function scoreLabelRows(
  model: InternVLModel,
  rows: Rows,
  logits: Float32Array,
  trie: LabelTrie,
  opts: LabelScoringOptions = {},
): Promise<{ scores: LabelLogProb[][]; stats: LabelScoringStats }> {
  const B = rows.cache.batch;
  const V = model.vocab;
  const perNode = Array.from({ length: B }, (_, b) => new Map([[0, childLogProbs(trie, 0, logits.subarray(b * V, (b + 1) * V))]]));
  const rowBytes = kvBytesPerToken(model) * (rows.cache.length + Math.max(0, ...trie.paths.map((p) => p.length)));
  const maxRows = opts.maxRows ?? Math.max(1, Math.min(64, Math.floor(ROW_CACHE_BUDGET / rowBytes)));
  // Paths grouped by length: equal lengths need no padding, and every position's logits are used.
  const byLength = new Map<number, number[]>();
  trie.paths.forEach((p, i) => byLength.set(p.length, [...(byLength.get(p.length) ?? []), i]));
  let runs = 0;
  for (const [T, paths] of [...byLength].sort((a, b) => a[0] - b[0])) {
    const blocks = await embedBlocks(
      model,
      paths.map((p) => trie.paths[p]!),
    );
    const jobs = paths.flatMap((p, j) => Array.from({ length: B }, (_, b) => ({ b, p, j })));
    for (let start = 0; start < jobs.length; start += maxRows) {
      throwIfCancelled(opts.cancel);
      const chunk = jobs.slice(start, start + maxRows);
      const branched = await pickRows(
        model,
        [rows],
        chunk.map((x) => [0, x.b] as const),
      );
      const fed = await feedRows(
        model,
        branched,
        chunk.map((x) => blocks[x.j]!),
        'all',
        opts.cancel,
      );
      runs++;
      // Only the logits are needed; `branched` is a host copy or `rows` itself (the caller's).
      releaseCache(fed.rows.cache);
      chunk.forEach(({ b, p }, r) => {
        trie.pathNodes[p]!.forEach((node, k) => {
          const src = trie.source.get(node);
          if (src?.[0] !== p || src[1] !== k) return;
          perNode[b]!.set(node, childLogProbs(trie, node, fed.logits.subarray((r * T + k) * V, (r * T + k + 1) * V)));
        });
      });
    }
  }
  return {
    scores: perNode.map((m) => labelScores(trie, m)),
    stats: { positions: trie.paths.reduce((n, p) => n + p.length, 0), decoderRuns: runs },
  };
}
