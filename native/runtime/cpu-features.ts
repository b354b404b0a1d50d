/**
 * @file The CPU instruction-set features that decide ONNX Runtime's CPU speed and int8 kernels.
 *
 * Runs anywhere (worker, benchmarks). On x86 Linux it reads `/proc/cpuinfo`; elsewhere it reports the
 * architecture only. int8 speed differs about 3x between a CPU with AVX-512 VNNI (or AVX-VNNI) and one
 * with AVX2 only, and the int8 graphs are quantized so that both compute the same results
 * ([Note: int8 reduced-range weights] in native/export/quantize.py), so benchmarks print these features
 * beside every figure.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The flags that matter for ORT's MLAS kernels, in this order. */
const RELEVANT = ['avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512_vnni', 'avx_vnni', 'avx512_bf16', 'amx_int8', 'amx_bf16'];

/** e.g. `['x64', 'avx2', 'fma', 'avx512f', 'avx512_vnni']`; the architecture comes first. */
export function cpuFeatures(cpuinfo?: string): string[] {
  const arch = os.arch();
  let text = cpuinfo;
  if (text === undefined) {
    if (os.platform() !== 'linux') return [arch];
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return [arch];
    }
  }
  const line = text.split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
  const flags = new Set((line?.split(':')[1] ?? '').trim().split(/\s+/));
  return [arch, ...RELEVANT.filter((f) => flags.has(f))];
}

/** Which u8 x s8 kernel family ORT uses for int8 on this CPU (x86 only). */
export function int8KernelFamily(features: readonly string[]): 'vnni' | 'avx2' | 'other' {
  if (features.includes('avx512_vnni') || features.includes('avx_vnni')) return 'vnni';
  if (features.includes('avx2')) return 'avx2';
  return 'other';
}
