/**
 * @file The pure parts of the `embed` pipeline: CLS / masked-mean pooling and L2 normalisation, the
 * batch plan (length-sorted, bounded by rows and attention cells), the params check, and the lane a
 * request gets by its kind.
 */
import { describe, expect, it } from 'vitest';
import { checkEmbedRequest, EMBED_LIMITS, embedLane, planBatches } from '../../native/pipelines/embed';
import { l2Normalize, poolRows } from '../../native/pipelines/pooling';
import { WorkerError } from '../../native/protocol';

describe('poolRows', () => {
  // B=2, S=3, D=2; row 1 has one padding token whose values must never be read.
  const hidden = Float32Array.from([1, 2, 3, 4, 5, 6, /* row 1 */ 10, 0, 0, 10, 999, 999]);

  it('takes the [CLS] state or the mean over real tokens only', () => {
    const cls = poolRows(hidden, [2, 3, 2], [3, 2], 'cls', false);
    expect(cls.map((v) => [...v])).toEqual([
      [1, 2],
      [10, 0],
    ]);
    const mean = poolRows(hidden, [2, 3, 2], [3, 2], 'mean', false);
    expect(mean.map((v) => [...v])).toEqual([
      [3, 4],
      [5, 5],
    ]);
  });

  it('normalises to unit length, leaves a zero vector zero, and refuses inconsistent shapes', () => {
    const [v] = poolRows(Float32Array.from([3, 4]), [1, 1, 2], [1], 'cls', true);
    expect(v![0]).toBeCloseTo(0.6, 6);
    expect(v![1]).toBeCloseTo(0.8, 6);
    expect([...l2Normalize(new Float32Array(3))]).toEqual([0, 0, 0]);
    expect(() => poolRows(hidden, [2, 3, 3], [3, 2], 'cls', true)).toThrow(/12 values, expected 2×3×3/);
    expect(() => poolRows(hidden, [2, 3, 2], [3, 0], 'mean', true)).toThrow(/row 1 has length 0/);
    expect(() => poolRows(hidden, [2, 3, 2], [3], 'mean', true)).toThrow(/1 row lengths for a batch of 2/);
  });
});

describe('planBatches', () => {
  it('sorts by length (longest first), keeps every index once, and caps rows per batch', () => {
    const lengths = Array.from({ length: 70 }, (_, i) => (i % 7) + 3);
    const batches = planBatches(lengths);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    expect(Math.max(...batches.map((b) => b.length))).toBe(32);
    const order = batches.flat().map((i) => lengths[i]!);
    expect(order).toEqual([...order].sort((a, b) => b - a));
  });

  it('bounds batch × length² so long texts go in small batches', () => {
    const batches = planBatches(Array.from({ length: 20 }, () => 512));
    expect(batches.map((b) => b.length)).toEqual([8, 8, 4]);
    expect(planBatches([])).toEqual([]);
  });
});

describe('checkEmbedRequest and lanes', () => {
  const codeOf = (p: unknown): string => {
    try {
      checkEmbedRequest(p);
    } catch (e) {
      expect(e).toBeInstanceOf(WorkerError);
      return `${(e as WorkerError).code}: ${(e as Error).message}`;
    }
    return 'ok';
  };

  it('accepts the limits and names what is wrong otherwise', () => {
    expect(codeOf({ texts: [], kind: 'query' })).toBe('ok');
    expect(codeOf({ texts: Array.from({ length: EMBED_LIMITS.maxTexts }, () => 'x'.repeat(EMBED_LIMITS.maxChars)), kind: 'passage' })).toBe(
      'ok',
    );
    // 8,000 emoji are 16,000 UTF-16 units but 8,000 characters.
    expect(codeOf({ texts: ['😀'.repeat(8000)], kind: 'passage' })).toBe('ok');
    expect(codeOf({ texts: ['😀'.repeat(8001)], kind: 'passage' })).toMatch(/^bad_input: .*texts\[0\] has 8001 characters/);
    expect(codeOf({ texts: Array.from({ length: 257 }, () => ''), kind: 'passage' })).toMatch(/^bad_input: .*at most 256 texts/);
    expect(codeOf(null)).toMatch(/^bad_request: .*kind is missing/);
    expect(codeOf({ texts: ['a'], kind: 'QUERY' })).toMatch(/^bad_request: .*kind is "QUERY"/);
    expect(codeOf({ texts: { 0: 'a' }, kind: 'query' })).toMatch(/^bad_request: embed needs \{ texts: string\[\] \}/);
    expect(codeOf({ texts: [null], kind: 'query' })).toMatch(/^bad_request: embed: texts\[0\] is null/);
  });

  it('puts passages in the background lane and everything else in the interactive one', () => {
    expect(embedLane({ texts: [], kind: 'passage' })).toBe('background');
    expect(embedLane({ texts: [], kind: 'query' })).toBe('interactive');
    expect(embedLane(null)).toBe('interactive');
  });
});
