/**
 * CPU feature detection for benchmarks: the ISA flags ORT's kernels depend on, read from
 * /proc/cpuinfo text, and the int8 kernel family they select.
 */
import { describe, expect, it } from 'vitest';
import { cpuFeatures, int8KernelFamily } from '../../native/runtime/cpu-features';

const avx2Only = 'processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu sse2 avx fma f16c avx2 bmi2\n';
const vnni = 'flags\t\t: fpu avx2 fma avx512f avx512bw avx512_vnni avx512_bf16\n';

describe('cpuFeatures', () => {
  it('lists the relevant flags after the architecture, and nothing else', () => {
    const f = cpuFeatures(avx2Only);
    expect(f.slice(1)).toEqual(['avx2', 'fma', 'f16c']);
    expect(cpuFeatures(vnni).slice(1)).toEqual(['avx2', 'fma', 'avx512f', 'avx512bw', 'avx512_vnni', 'avx512_bf16']);
  });

  it('tells the int8 kernel family: VNNI, AVX2 only, or neither', () => {
    expect(int8KernelFamily(cpuFeatures(avx2Only))).toBe('avx2');
    expect(int8KernelFamily(cpuFeatures(vnni))).toBe('vnni');
    expect(int8KernelFamily(cpuFeatures('flags\t: avx2 avx_vnni\n'))).toBe('vnni');
    expect(int8KernelFamily(cpuFeatures('Features\t: fp asimd\n'))).toBe('other');
  });
});
