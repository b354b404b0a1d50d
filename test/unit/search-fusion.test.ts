/**
 * @file Fusion and the strictness cutoff (main/search/fusion.ts, [Note: Relevance score]): reciprocal
 * ranks order the photos, agreement of both rankings comes first, evidence scores stay in [0, 1] and
 * never rise down the list, a similarity under Z_MATCH is no match, and every strictness shows a prefix
 * of the same list with the same scores, hiding the rest.
 */
import { describe, expect, it } from 'vitest';
import { applyStrictness, fuse, meaningEvidence, RRF_K, wordEvidence, Z_FULL, Z_MATCH } from '../../main/search/fusion';

/** Dense hits whose similarity is `z` spreads above a centre of 0.5 (spread 0.05). */
const dense = (...hits: [number, number][]) => ({
  hits: hits.map(([photoId, z]) => ({ photoId, similarity: 0.5 + z * 0.05 })),
  center: 0.5,
  spread: 0.05,
});

describe('fusion', () => {
  it('orders by reciprocal rank: both rankings first, then the better rank in either', () => {
    const words = [
      { photoId: 1, score: 10 },
      { photoId: 2, score: 9 },
      { photoId: 3, score: 8 },
    ];
    const fused = fuse(words, dense([3, 6], [1, 6], [4, 6]));
    expect(fused.map((h) => h.photoId)).toEqual([1, 3, 2, 4]);
    expect(fused[0]!.rrf).toBeCloseTo(1 / (RRF_K + 1) + 1 / (RRF_K + 2));
    expect(fused.find((h) => h.photoId === 2)!.meaning).toBe(0);
    expect(fused.find((h) => h.photoId === 4)!.words).toBe(0);
  });

  it('scores words from 0.5 (all found) to 1 (the best BM25), meaning from Z_MATCH to Z_FULL, and both by noisy-or', () => {
    expect(wordEvidence(10, 10)).toBe(1);
    expect(wordEvidence(0, 10)).toBe(0.5);
    expect(wordEvidence(5, 10)).toBe(0.75);
    expect(wordEvidence(1, 0)).toBe(1);
    expect(meaningEvidence(0.5 + (Z_MATCH - 0.01) * 0.05, 0.5, 0.05)).toBe(0);
    expect(meaningEvidence(0.5 + Z_FULL * 0.05, 0.5, 0.05)).toBe(1);
    expect(meaningEvidence(0.5 + ((Z_MATCH + Z_FULL) / 2) * 0.05, 0.5, 0.05)).toBeCloseTo(0.5);
    // A uniform library (std 0) does not divide by zero.
    expect(meaningEvidence(0.9, 0.5, 0)).toBe(1);
    const [both] = fuse([{ photoId: 1, score: 1 }], dense([1, (Z_MATCH + Z_FULL) / 2]));
    expect(both!.evidence).toBeCloseTo(1 - (1 - 1) * 0.5);
    const [half] = fuse(
      [
        { photoId: 2, score: 4 },
        { photoId: 1, score: 0 },
      ],
      dense([1, (Z_MATCH + Z_FULL) / 2]),
    ).filter((h) => h.photoId === 1);
    expect(half!.evidence).toBeCloseTo(1 - 0.5 * 0.5);
  });

  it('leaves out dense hits below Z_MATCH: they are not matches', () => {
    const fused = fuse([], dense([1, 5], [2, 3], [3, 1.9], [4, 1]));
    expect(fused.map((h) => h.photoId)).toEqual([1, 2]);
  });

  it('shows the same list under every strictness, cut at a band, with scores that never rise', () => {
    const words = Array.from({ length: 6 }, (_, i) => ({ photoId: 100 + i, score: 10 - 2 * i }));
    const fused = fuse(words, dense([1, 6], [2, 4.5], [3, 3.5], [4, 2.5], [100, 2.2]));
    for (const h of fused) {
      expect(h.score).toBeGreaterThanOrEqual(0);
      expect(h.score).toBeLessThanOrEqual(1);
    }
    fused.slice(1).forEach((h, i) => expect(h.score).toBeLessThanOrEqual(fused[i]!.score));
    const strict = applyStrictness(fused, 'strict');
    const normal = applyStrictness(fused, 'normal');
    const loose = applyStrictness(fused, 'loose');
    expect(loose).toEqual({ shown: fused, hidden: 0 });
    expect(normal.shown).toEqual(fused.slice(0, normal.shown.length));
    expect(strict.shown).toEqual(fused.slice(0, strict.shown.length));
    expect(strict.shown.length).toBeLessThan(normal.shown.length);
    expect(normal.shown.length).toBeLessThan(loose.shown.length);
    expect(normal.hidden).toBe(fused.length - normal.shown.length);
    // Every word match is a match at 'normal'; a weak meaning-only one (z 2.5) is not.
    expect(normal.shown.map((h) => h.photoId)).toEqual(expect.arrayContaining(words.map((w) => w.photoId)));
    expect(normal.shown.map((h) => h.photoId)).not.toContain(4);
    expect(strict.shown.every((h) => h.evidence >= 0.6)).toBe(true);
    // Within a band the fused rank decides: the strongest meaning match (rank 1) leads the strict band.
    expect(strict.shown[0]!.photoId).toBe(100);
  });

  it('fuses nothing into nothing, and keeps a repeated id once at its best rank', () => {
    expect(fuse([], null)).toEqual([]);
    const fused = fuse(
      [
        { photoId: 1, score: 5 },
        { photoId: 1, score: 4 },
      ],
      null,
    );
    expect(fused).toHaveLength(1);
    expect(fused[0]!.rrf).toBeCloseTo(1 / (RRF_K + 1));
  });
});
