/**
 * @file Labels as a token trie, and label log-likelihoods read off the trie's logits.
 *
 * Pure data code, run by the inference worker (`label-scoring.ts`) and unit-tested on its own.
 *
 * [Note: Label trie] A label's log-likelihood after the tag question is the sum, over its tokens,
 * of the log-probability of each token given the question and the label's earlier tokens. Labels
 * share those conditionals wherever they share a token prefix: the question's last logits score
 * every label's first token, and each further conditional belongs to a trie node (a token prefix)
 * that some label continues. Only those *internal* nodes need decoder work. The trie turns them
 * into feed paths: one path per internal node without internal children (root → that node), so a
 * decoder run over a path's tokens yields, at each position, the logits of one internal node; an
 * internal node lies on the first path through it, so each is read once (a node with several
 * internal children is *fed* once per such child, which is the price of not keeping per-node
 * caches). Scores follow `classify.ts`: the sum of log-probabilities and its mean per token.
 */

/** One trie node; node 0 is the root (no token). */
export interface TrieNode {
  token: number;
  depth: number;
  children: Map<number, number>;
}

/** A trie over the labels' token ids, with the feed paths of its internal nodes. */
export interface LabelTrie {
  labelIds: readonly (readonly number[])[];
  nodes: TrieNode[];
  /** Token paths to feed after the question; every internal node but the root ends a prefix of one. */
  paths: number[][];
  /** Node id at each position of each path. */
  pathNodes: number[][];
  /** Where an internal node's next-token logits are read: path index and position; root: none. */
  source: Map<number, readonly [number, number]>;
}

/** Builds the trie. Every label needs at least one token. */
export function buildLabelTrie(labelIds: readonly (readonly number[])[]): LabelTrie {
  const nodes: TrieNode[] = [{ token: -1, depth: 0, children: new Map() }];
  labelIds.forEach((ids, i) => {
    if (ids.length === 0) throw new RangeError(`label ${i} has no tokens`);
    let n = 0;
    for (const t of ids) {
      let c = nodes[n]!.children.get(t);
      if (c === undefined) {
        c = nodes.length;
        nodes.push({ token: t, depth: nodes[n]!.depth + 1, children: new Map() });
        nodes[n]!.children.set(t, c);
      }
      n = c;
    }
  });
  const internal = (n: number): boolean => nodes[n]!.children.size > 0;
  const paths: number[][] = [];
  const pathNodes: number[][] = [];
  const source = new Map<number, readonly [number, number]>();
  // Depth-first, children in insertion order: paths come out in label order.
  const walk = (n: number, tokens: number[], chain: number[]): void => {
    const deeper = [...nodes[n]!.children.values()].filter(internal);
    if (deeper.length === 0 && n !== 0) {
      const p = paths.length;
      paths.push(tokens);
      pathNodes.push(chain);
      chain.forEach((node, k) => {
        if (!source.has(node)) source.set(node, [p, k]);
      });
      return;
    }
    for (const c of deeper) walk(c, [...tokens, nodes[c]!.token], [...chain, c]);
  };
  walk(0, [], []);
  return { labelIds, nodes, paths, pathNodes, source };
}

/** Number of internal nodes besides the root: the decoder positions that scoring cannot avoid. */
export function internalNodeCount(trie: LabelTrie): number {
  return trie.source.size;
}

/** Max and log of the sum of exp(x − max): the log-softmax normaliser, computed as `logSoftmaxAt` does. */
export function logNormaliser(x: Float32Array): { max: number; logSum: number } {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i]! > max) max = x[i]!;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i]! - max);
  return { max, logSum: Math.log(sum) };
}

/** Sum and mean log-probability of one label. */
export interface LabelLogProb {
  sumLogProb: number;
  meanLogProb: number;
  numTokens: number;
}

/** Log-probabilities of an internal node's child tokens, given that node's next-token logits. */
export function childLogProbs(trie: LabelTrie, node: number, logits: Float32Array): Map<number, number> {
  const { max, logSum } = logNormaliser(logits);
  const out = new Map<number, number>();
  for (const t of trie.nodes[node]!.children.keys()) out.set(t, logits[t]! - max - logSum);
  return out;
}

/** Label log-likelihoods from every internal node's child log-probabilities (node 0: the root). */
export function labelScores(trie: LabelTrie, nodeLogProbs: ReadonlyMap<number, ReadonlyMap<number, number>>): LabelLogProb[] {
  return trie.labelIds.map((ids) => {
    let node = 0;
    let sum = 0;
    for (const t of ids) {
      const lp = nodeLogProbs.get(node)?.get(t);
      if (lp === undefined) throw new Error(`no log-probability for token ${t} after trie node ${node}`);
      sum += lp;
      node = trie.nodes[node]!.children.get(t)!;
    }
    return { sumLogProb: sum, meanLogProb: sum / ids.length, numTokens: ids.length };
  });
}
