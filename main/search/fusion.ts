/**
 * @file Fusion of the two rankings of a query (words: BM25 over the FTS index; meaning: cosine
 * similarity of description embeddings) into one ordered list with a score per photo, and the
 * strictness cutoff over it. Pure: ranked inputs in, ranked output out.
 *
 * Runs in main (and tests, the benchmark). Used by ./hybrid-search.ts.
 *
 * [Note: Relevance score] The order and the number shown come from two different questions:
 * - **Order**: reciprocal-rank fusion, Σ 1 / (RRF_K + rank) over the rankings that found the photo
 *   (Cormack et al. 2009, k = 60). Ranks, not raw scores, are fused because BM25 and cosine live on
 *   unrelated scales; a photo both rankings like comes first.
 * - **Evidence** (what the user sees as the score, in [0, 1]): how strongly this photo matches on its own.
 *   Words: every query word was found (FTS is an AND), which is a match in itself: 0.5, up to 1 for the
 *   query's best BM25. Meaning: how unusual the similarity is *for this query*, as a z-score against the
 *   query's similarity to photos unrelated to it, read from the lower part of a sample of the library
 *   (main/search/vector-index.ts; it holds while fewer than half of the library is related): below
 *   Z_MATCH (2σ) it is no match at all and the photo is not a dense result; from there it rises
 *   linearly to 1 at Z_FULL (6σ). Both: 1 − (1 − words)(1 − meaning), so agreement raises it.
 *   A z-score rather than the raw cosine because embedders differ in their baseline (e5-style models
 *   give unrelated texts 0.7), while "far above what this query scores against an average photo" holds
 *   for any of them.
 * - **Strictness** is a band of evidence: 'strict' keeps ≥ 0.6 (a strong word match, or meaning ≥ 4.4σ),
 *   'normal' ≥ 0.3 (every word match, meaning ≥ 3.2σ), 'loose' every match. The list is ordered by band,
 *   then by the fused rank, so a stricter setting only cuts a tail: what stays keeps its order and its
 *   score, and `hidden` is the length of the tail.
 * - The score shown never rises down the list: it is the photo's evidence, capped by the score of the
 *   photo above it (within a band the fused rank may put a slightly weaker photo first).
 * With words only (no embedder) the same rules hold with meaning = 0; results that match only filters
 * score 1 (the contract's rule: they match everything that was asked).
 */
import type { Strictness } from '../../preload/contract';

/** The constant of reciprocal-rank fusion. */
export const RRF_K = 60;
/** Dense hits below this z-score are not matches. */
export const Z_MATCH = 2;
/** Dense evidence reaches 1 at this z-score. */
export const Z_FULL = 6;
/** The least evidence each strictness keeps. */
export const STRICTNESS_MIN: Record<Strictness, number> = { loose: 0, normal: 0.3, strict: 0.6 };
/** The spread below which a query's similarities are taken as this (a tiny or uniform library). */
const SPREAD_FLOOR = 0.01;

/** A lexical hit, in BM25 order (best first); `score` higher is better. */
export interface LexicalInput {
  photoId: number;
  score: number;
}

/** The dense hits (best first) with the query's similarity statistics. */
export interface DenseInput {
  hits: readonly { photoId: number; similarity: number }[];
  /** The query's usual similarity to the library, and its spread (main/search/vector-index.ts). */
  center: number;
  spread: number;
}

export interface FusedHit {
  photoId: number;
  /** The fused rank score (order within a band). */
  rrf: number;
  /** Evidence from the words (0 when the words did not find it). */
  words: number;
  /** Evidence from the meaning (0 when not a dense match). */
  meaning: number;
  /** The photo's own evidence: 1 − (1 − words)(1 − meaning). */
  evidence: number;
  /** The score shown: evidence, never above the score of the photo before it. */
  score: number;
  /** The least strictness that shows it. */
  band: Strictness;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Evidence of a lexical hit scoring `score` where the query's best scored `top`. */
export const wordEvidence = (score: number, top: number): number => 0.5 + 0.5 * (top > 0 ? clamp01(score / top) : 1);

/** Evidence of a similarity, from its z-score for the query; 0 below Z_MATCH. */
export function meaningEvidence(similarity: number, center: number, spread: number): number {
  const z = (similarity - center) / Math.max(spread, SPREAD_FLOOR);
  return z < Z_MATCH ? 0 : clamp01((z - Z_MATCH) / (Z_FULL - Z_MATCH));
}

const bandOf = (evidence: number): Strictness =>
  evidence >= STRICTNESS_MIN.strict ? 'strict' : evidence >= STRICTNESS_MIN.normal ? 'normal' : 'loose';
const BAND_ORDER: Record<Strictness, number> = { strict: 0, normal: 1, loose: 2 };

/** Fuses the rankings ([Note: Relevance score]); the result is ordered and scored. */
export function fuse(lexical: readonly LexicalInput[], dense: DenseInput | null): FusedHit[] {
  const byId = new Map<number, FusedHit>();
  const entry = (photoId: number) => {
    let h = byId.get(photoId);
    if (!h) byId.set(photoId, (h = { photoId, rrf: 0, words: 0, meaning: 0, evidence: 0, score: 0, band: 'loose' }));
    return h;
  };
  const top = lexical[0]?.score ?? 0;
  lexical.forEach((l, i) => {
    const h = entry(l.photoId);
    if (h.words > 0) return; // a repeated id keeps its best rank
    h.rrf += 1 / (RRF_K + i + 1);
    h.words = wordEvidence(l.score, top);
  });
  let rank = 0;
  for (const d of dense?.hits ?? []) {
    const meaning = meaningEvidence(d.similarity, dense!.center, dense!.spread);
    if (meaning === 0) break; // best first: the rest are no closer
    const h = entry(d.photoId);
    if (h.meaning > 0) continue;
    h.rrf += 1 / (RRF_K + ++rank);
    h.meaning = meaning;
  }
  const hits = [...byId.values()];
  for (const h of hits) {
    h.evidence = 1 - (1 - h.words) * (1 - h.meaning);
    h.band = bandOf(h.evidence);
  }
  hits.sort((a, b) => BAND_ORDER[a.band] - BAND_ORDER[b.band] || b.rrf - a.rrf || b.evidence - a.evidence || b.photoId - a.photoId);
  let cap = 1;
  for (const h of hits) {
    cap = Math.min(cap, h.evidence);
    h.score = Math.round(cap * 1000) / 1000;
  }
  return hits;
}

/** The hits a strictness shows, and how many it hides (a tail of the fused list). */
export function applyStrictness(hits: readonly FusedHit[], strictness: Strictness): { shown: FusedHit[]; hidden: number } {
  const min = STRICTNESS_MIN[strictness];
  let n = 0;
  while (n < hits.length && hits[n]!.evidence >= min) n++;
  return { shown: hits.slice(0, n), hidden: hits.length - n };
}
