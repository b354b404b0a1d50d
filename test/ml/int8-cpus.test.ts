/**
 * @file The int8 variant gives the same logits on x86 CPUs with and without AVX-512 VNNI.
 *
 * [Note: int8 on CPUs without VNNI] onnxruntime's u8 x s8 kernels for AVX2 (and AVX-512 without VNNI)
 * add pairs of products in a saturating int16; with full-range int8 weights the tiny bundle's
 * first-logits cosine to fp32 fell to 0.968 there (0.997 with VNNI). The export quantizes
 * MatMulInteger weights to 7 bits ([Note: int8 reduced-range weights] in native/export/quantize.py),
 * so the integer products are exact on every kernel. This test proves it on whatever machine runs it:
 * it computes the int8 logits again under QEMU's user-mode emulation of a Haswell CPU (AVX2 and FMA,
 * no AVX-512), where onnxruntime picks its AVX2 kernels, and compares them with this machine's.
 * QEMU comes from Debian's `qemu-user` (scripts/install-test-deps.sh); CI must have it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cosine, firstLogits } from './helpers/first-logits';
import { findQemu } from './helpers/qemu';

const BUNDLE = 'test/fixtures/models/tiny-internvl';
const HELPER = 'test/ml/helpers/first-logits.ts';

const qemu = findQemu();
if (qemu === null && process.env['CI'] && os.platform() === 'linux' && os.arch() === 'x64') {
  throw new Error('CI needs qemu-x86_64 for the AVX2 int8 test: run scripts/install-test-deps.sh (Debian: qemu-user)');
}
const tmp = mkdtempSync(path.join(os.tmpdir(), 'shoebox-int8-cpus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The helper's logits with onnxruntime on an emulated CPU model (QEMU's `-cpu` name). */
function emulatedLogits(cpu: string, variant: string): Float32Array {
  const out = path.join(tmp, `${cpu}-${variant}.f32`);
  const r = spawnSync(qemu!, ['-cpu', cpu, process.execPath, '--import', 'tsx', HELPER, BUNDLE, variant, out], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (r.status !== 0)
    throw new Error(`first-logits under qemu -cpu ${cpu} failed (${String(r.status ?? r.signal)}): ${r.stderr.slice(-2000)}`);
  const buf = readFileSync(out);
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
}

describe.skipIf(qemu === null)('int8 across x86 CPUs (QEMU)', () => {
  it('int8 logits on an AVX2-only CPU equal this CPU’s and stay within the fp32 bar', async () => {
    const fp32 = await firstLogits(BUNDLE, 'fp32');
    const here = await firstLogits(BUNDLE, 'int8');
    const avx2 = emulatedLogits('Haswell', 'int8');
    const cosAvx2 = cosine(avx2, fp32);
    console.log(`tiny bundle int8 first-logits cosine to fp32: here ${cosine(here, fp32).toFixed(5)}, AVX2-only ${cosAvx2.toFixed(5)}`);
    expect(cosAvx2).toBeGreaterThan(0.98);
    // The integer products are exact on both kernels: only float rounding in the fp32 ops may differ.
    let maxDiff = 0;
    for (let i = 0; i < here.length; i++) maxDiff = Math.max(maxDiff, Math.abs(here[i]! - avx2[i]!));
    expect(maxDiff).toBeLessThan(1e-3);
  }, 240_000);
});
