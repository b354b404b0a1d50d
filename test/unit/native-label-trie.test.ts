/**
 * @file The label trie: its feed paths cover every internal node once, and trie scoring equals
 * scoring each label on its own (sum and mean log-prob per token, as `classify.ts`).
 */
import { describe, expect, it } from 'vitest';
import { buildLabelTrie, childLogProbs, internalNodeCount, labelScores } from '../../native/pipelines/label-trie';
import { logSoftmaxAt } from '../../native/pipelines/sampler';

const V = 12;

/** Deterministic fake logits for "the question followed by `prefix`". */
function fakeLogits(prefix: readonly number[]): Float32Array {
  const x = new Float32Array(V);
  let h = 17;
  for (const t of prefix) h = (h * 31 + t + 7) % 1009;
  for (let i = 0; i < V; i++) x[i] = Math.sin(h * (i + 1)) * 3;
  return x;
}

function naive(ids: readonly number[]): { sum: number; mean: number } {
  let sum = 0;
  for (let k = 0; k < ids.length; k++) sum += logSoftmaxAt(fakeLogits(ids.slice(0, k)), ids[k]!);
  return { sum, mean: sum / ids.length };
}

/** Scores through the trie, reading each internal node's logits at its feed path position. */
function viaTrie(labels: number[][]) {
  const trie = buildLabelTrie(labels);
  const perNode = new Map([[0, childLogProbs(trie, 0, fakeLogits([]))]]);
  trie.paths.forEach((path, p) =>
    trie.pathNodes[p]!.forEach((node, k) => {
      const src = trie.source.get(node);
      if (src?.[0] === p && src[1] === k) perNode.set(node, childLogProbs(trie, node, fakeLogits(path.slice(0, k + 1))));
    }),
  );
  return { trie, scores: labelScores(trie, perNode) };
}

describe('label trie', () => {
  it('needs no decoder positions when every label is one token', () => {
    const trie = buildLabelTrie([[1], [2], [3], [2]]);
    expect(trie.paths).toEqual([]);
    expect(internalNodeCount(trie)).toBe(0);
  });

  it('feeds each shared prefix once and reads each internal node once', () => {
    // 5 6 7 | 5 6 8 | 5 9 | 4 | 5 6 7 3 (a label that extends another) | 5 6 (a label that is a prefix)
    const labels = [[5, 6, 7], [5, 6, 8], [5, 9], [4], [5, 6, 7, 3], [5, 6]];
    const trie = buildLabelTrie(labels);
    // Internal nodes: 5, 5·6, 5·6·7. One path reaches all three.
    expect(internalNodeCount(trie)).toBe(3);
    expect(trie.paths).toEqual([[5, 6, 7]]);
    const { scores } = viaTrie(labels);
    labels.forEach((l, i) => {
      const ref = naive(l);
      expect(scores[i]!.numTokens).toBe(l.length);
      expect(scores[i]!.sumLogProb).toBeCloseTo(ref.sum, 10);
      expect(scores[i]!.meanLogProb).toBeCloseTo(ref.mean, 10);
    });
  });

  it('splits into one path per deepest internal node', () => {
    const labels = [
      [1, 2, 3],
      [1, 4, 5],
      [1, 2, 6],
      [7, 8],
    ];
    const { trie, scores } = viaTrie(labels);
    expect(trie.paths).toEqual([[1, 2], [1, 4], [7]]);
    // Node 1 is read on the first path only.
    expect(internalNodeCount(trie)).toBe(4);
    labels.forEach((l, i) => expect(scores[i]!.sumLogProb).toBeCloseTo(naive(l).sum, 10));
  });

  it('refuses a label without tokens', () => {
    expect(() => buildLabelTrie([[1], []])).toThrow(/no tokens/);
  });
});
