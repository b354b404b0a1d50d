/**
 * @file Unit tests of token selection: greedy, seeded sampling, top-k/top-p, repetition penalty.
 */
import { describe, expect, it } from 'vitest';
import { argmax, logSoftmaxAt, mulberry32, Sampler, samplerConfig } from '../../native/pipelines/sampler';

const logits = Float32Array.from([1, 3, 2.5, -1, 3, 0.5]);

describe('sampler', () => {
  it('greedy picks the first maximum', () => {
    expect(argmax(logits)).toBe(1);
    expect(new Sampler(samplerConfig({})).next(logits, new Set())).toBe(1);
  });

  it('applies the repetition penalty before choosing', () => {
    const s = new Sampler(samplerConfig({ repetitionPenalty: 2 }));
    expect(s.next(logits, new Set([1, 4]))).toBe(2);
  });

  it('is reproducible with a seed and varies across seeds', () => {
    const run = (seed: number) => {
      const s = new Sampler(samplerConfig({ temperature: 1.5, seed }));
      return Array.from({ length: 40 }, () => s.next(logits, new Set()));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
    expect(new Set(run(7)).size).toBeGreaterThan(2);
  });

  it('top-k 1 and a tiny top-p are greedy', () => {
    const k = new Sampler(samplerConfig({ temperature: 1, topK: 1, seed: 3 }));
    const p = new Sampler(samplerConfig({ temperature: 1, topP: 0.01, seed: 3 }));
    for (let i = 0; i < 20; i++) {
      expect(k.next(logits, new Set())).toBe(1);
      expect(p.next(logits, new Set())).toBe(1);
    }
  });

  it('top-k 3 never picks outside the top 3', () => {
    const s = new Sampler(samplerConfig({ temperature: 5, topK: 3, seed: 1 }));
    for (let i = 0; i < 100; i++) expect([1, 4, 2]).toContain(s.next(logits, new Set()));
  });

  it('sampling frequencies follow the softmax', () => {
    const two = Float32Array.from([0, Math.log(3)]);
    const s = new Sampler(samplerConfig({ temperature: 1, seed: 42 }));
    let ones = 0;
    for (let i = 0; i < 4000; i++) ones += s.next(two, new Set());
    expect(ones / 4000).toBeGreaterThan(0.72);
    expect(ones / 4000).toBeLessThan(0.78);
  });

  it('rejects bad settings', () => {
    expect(() => samplerConfig({ temperature: -1 })).toThrow(/temperature/);
    expect(() => samplerConfig({ topP: 0 })).toThrow(/topP/);
    expect(() => samplerConfig({ topK: 1.5 })).toThrow(/topK/);
    expect(() => samplerConfig({ seed: 0.5 })).toThrow(/seed/);
  });

  it('log-softmax and PRNG are sane', () => {
    const lp = [0, 1, 2, 3, 4, 5].map((i) => Math.exp(logSoftmaxAt(logits, i)));
    expect(lp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const r = mulberry32(1);
    const xs = Array.from({ length: 1000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
});
