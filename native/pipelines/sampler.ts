/**
 * @file Next-token selection: greedy, or sampling with temperature, top-k, top-p and a
 * repetition penalty, driven by a seeded PRNG so a seed reproduces the same tokens.
 *
 * Runs in the inference worker. Semantics follow the usual HF logits processors: repetition
 * penalty (CTRL: divide positive logits, multiply negative ones, for every id seen), then
 * temperature, then top-k, then top-p (keep the smallest set whose probability reaches p).
 */
import type { SamplingParams } from '../protocol';
import { WorkerError } from '../protocol';

/** mulberry32: a small, fast, seedable 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Validated sampling settings. */
export interface SamplerConfig {
  temperature: number;
  topP: number;
  topK: number;
  repetitionPenalty: number;
  seed: number;
}

/** Checks and fills sampling params; bad values are `bad_input`. */
export function samplerConfig(p: SamplingParams | undefined): SamplerConfig {
  const c: SamplerConfig = {
    temperature: p?.temperature ?? 0,
    topP: p?.topP ?? 1,
    topK: p?.topK ?? 0,
    repetitionPenalty: p?.repetitionPenalty ?? 1,
    seed: p?.seed ?? 0,
  };
  if (!(c.temperature >= 0 && Number.isFinite(c.temperature))) throw new WorkerError('bad_input', 'temperature must be ≥ 0');
  if (!(c.topP > 0 && c.topP <= 1)) throw new WorkerError('bad_input', 'topP must be in (0, 1]');
  if (!(Number.isInteger(c.topK) && c.topK >= 0)) throw new WorkerError('bad_input', 'topK must be an integer ≥ 0');
  if (!(c.repetitionPenalty > 0 && Number.isFinite(c.repetitionPenalty))) {
    throw new WorkerError('bad_input', 'repetitionPenalty must be > 0');
  }
  if (!Number.isInteger(c.seed)) throw new WorkerError('bad_input', 'seed must be an integer');
  return c;
}

/** Index of the largest value (first one on ties, like torch.argmax). */
export function argmax(x: Float32Array): number {
  let best = 0;
  let bv = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (x[i]! > bv) {
      bv = x[i]!;
      best = i;
    }
  }
  return best;
}

/** log-softmax value of one index. */
export function logSoftmaxAt(x: Float32Array, index: number): number {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i]! > max) max = x[i]!;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i]! - max);
  return x[index]! - max - Math.log(sum);
}

/** Picks tokens from logits according to a config; keeps its PRNG state across steps. */
export class Sampler {
  private readonly rand: () => number;
  constructor(readonly config: SamplerConfig) {
    this.rand = mulberry32(config.seed);
  }

  /** Chooses the next token. `seen` are the ids the repetition penalty applies to. */
  next(logits: Float32Array, seen: ReadonlySet<number>): number {
    const c = this.config;
    let x = logits;
    if (c.repetitionPenalty !== 1 && seen.size > 0) {
      x = Float32Array.from(logits);
      for (const id of seen) {
        if (id < 0 || id >= x.length) continue;
        const v = x[id]!;
        x[id] = v > 0 ? v / c.repetitionPenalty : v * c.repetitionPenalty;
      }
    }
    if (c.temperature === 0) return argmax(x);
    // Candidates sorted by logit, descending; top-k cuts the list.
    let idx = Array.from({ length: x.length }, (_, i) => i);
    idx.sort((a, b) => x[b]! - x[a]! || a - b);
    if (c.topK > 0 && c.topK < idx.length) idx = idx.slice(0, c.topK);
    const max = x[idx[0]!]!;
    const probs = idx.map((i) => Math.exp((x[i]! - max) / c.temperature));
    let total = probs.reduce((s, p) => s + p, 0);
    if (c.topP < 1) {
      let acc = 0;
      let keep = 0;
      while (keep < probs.length) {
        acc += probs[keep]! / total;
        keep++;
        if (acc >= c.topP) break;
      }
      idx = idx.slice(0, keep);
      probs.length = keep;
      total = probs.reduce((s, p) => s + p, 0);
    }
    let r = this.rand() * total;
    for (let k = 0; k < idx.length; k++) {
      r -= probs[k]!;
      if (r < 0) return idx[k]!;
    }
    return idx[idx.length - 1]!;
  }
}
