/**
 * @file The int8 dot-product kernel of dense search (main/search/vector-kernel.ts): the hand-assembled
 * SIMD module is valid WebAssembly, runs here, and gives exactly the products of a plain loop, for whole
 * scans and for lists of vectors, at the extremes of int8 and for every padded dimension count.
 */
import { describe, expect, it } from 'vitest';
import { createKernel, jsKernel, kernelModuleBytes, LANES } from '../../main/search/vector-kernel';
import { rng as rand } from '../bench/bench-helpers';

/** Fills the query (at 0) and `n` vectors (from `base`) with int8 values from `value`. */
function fill(memory: { buffer: ArrayBuffer }, stride: number, n: number, base: number, value: (i: number) => number) {
  const m = new Int8Array(memory.buffer);
  for (let i = 0; i < stride; i++) m[i] = value(i);
  for (let i = 0; i < n * stride; i++) m[base + i] = value(i + stride);
}

/** The products by a plain loop. */
function reference(memory: { buffer: ArrayBuffer }, stride: number, base: number, slots: readonly number[]): number[] {
  const m = new Int8Array(memory.buffer);
  return slots.map((v) => {
    let s = 0;
    for (let d = 0; d < stride; d++) s += m[d]! * m[base + v * stride + d]!;
    return s;
  });
}

describe('int8 SIMD kernel', () => {
  it('is valid WebAssembly and runs as SIMD here', () => {
    expect(WebAssembly.validate(kernelModuleBytes())).toBe(true);
    expect(createKernel(1).simd).toBe(true);
    expect(createKernel(1, true).simd).toBe(false);
  });

  for (const stride of [LANES, 384, 1024]) {
    it(`scans ${stride}-byte vectors exactly as a plain loop does, whole and by list`, () => {
      const n = 97;
      const base = 4096;
      const out = base + n * stride;
      const list = out + n * 4;
      const k = createKernel(Math.ceil((list + n * 4) / 65536));
      const r = rand(stride);
      fill(k.memory, stride, n, base, () => Math.floor(r() * 256) - 128);
      k.scan(0, base, n, stride, out);
      const all = Array.from({ length: n }, (_, i) => i);
      expect([...new Int32Array(k.memory.buffer, out, n)]).toEqual(reference(k.memory, stride, base, all));

      const slots = [96, 0, 5, 5, 42];
      new Int32Array(k.memory.buffer, list, slots.length).set(slots);
      k.scanList(0, base, slots.length, stride, out, list);
      expect([...new Int32Array(k.memory.buffer, out, slots.length)]).toEqual(reference(k.memory, stride, base, slots));

      // The JS fallback over the same memory agrees.
      const js = jsKernel(k.memory);
      js.scan(0, base, n, stride, out);
      expect([...new Int32Array(k.memory.buffer, out, n)]).toEqual(reference(k.memory, stride, base, all));
    });
  }

  it('does not overflow at the extremes of int8 over 4096 dimensions', () => {
    const stride = 4096;
    const base = 4096;
    const k = createKernel(2);
    fill(k.memory, stride, 2, base, (i) => (i < stride ? -128 : i < 2 * stride ? -128 : 127));
    k.scan(0, base, 2, stride, base + 2 * stride);
    expect([...new Int32Array(k.memory.buffer, base + 2 * stride, 2)]).toEqual([128 * 128 * 4096, -128 * 127 * 4096]);
  });
});
