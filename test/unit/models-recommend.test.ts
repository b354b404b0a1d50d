/**
 * @file Unit test of the first-run offer (main/models/recommend.ts): a table of machines → the model,
 * its variant and the speed estimate ([Note: Speed estimates]); the sizes of what installing costs;
 * the machine as the worker's `info` describes it.
 */
import { describe, expect, it } from 'vitest';
import { approxBundleBytes, catalogEntry } from '../../main/models/catalog';
import { estimateSecondsPerPhoto, machineProfile, recommendModels, type MachineProfile } from '../../main/models/recommend';

const GB = 1024 ** 3;
const machine = (m: Partial<MachineProfile>): MachineProfile => ({
  memBytes: 16 * GB,
  cores: 8,
  threads: 2,
  gpu: null,
  int8Kernels: 'vnni',
  ...m,
});

describe('recommendModels', () => {
  it.each([
    // what the machine has                                              → model, variants, seconds per photo
    ['laptop, AVX-512 VNNI, 2 threads', machine({ memBytes: 8 * GB }), 'internvl3-1b', ['int8'], 2.1],
    ['server, AVX2 only, 2 threads', machine({ int8Kernels: 'avx2' }), 'internvl3-1b', ['int8'], 9.7],
    ['one thread, AVX2', machine({ int8Kernels: 'avx2', threads: 1, cores: 1 }), 'internvl3-1b', ['int8'], 19.4],
    ['8 threads, VNNI: square-root scaling at best', machine({ threads: 8 }), 'internvl3-1b', ['int8'], 1.1],
    ['Apple silicon (no measured int8 figure)', machine({ int8Kernels: 'other' }), 'internvl3-1b', ['int8'], null],
    ['CUDA GPU, 32 GB', machine({ gpu: 'cuda', memBytes: 32 * GB }), 'internvl3-2b', ['fp16'], null],
    ['GPU but 8 GB of memory', machine({ gpu: 'dml', memBytes: 8 * GB }), 'internvl3-1b', ['int8'], 2.1],
    ['unknown threads: min(cores, 4)', machine({ threads: null, cores: 2, int8Kernels: 'avx2' }), 'internvl3-1b', ['int8'], 9.7],
  ])('%s', (_what, m, id, variants, seconds) => {
    const r = recommendModels(m);
    expect(r.model).toMatchObject({ id, variants, secondsPerPhoto: seconds });
    expect(r.model.why.length).toBeGreaterThan(20);
    expect(r.embedder).toMatchObject({ id: 'granite-embedding-97m-multilingual-r2', variants: ['int8'], secondsPerPhoto: null });
  });

  it('says why: GPU found but too little memory, and little memory', () => {
    expect(recommendModels(machine({ gpu: 'dml', memBytes: 8 * GB })).model.why).toMatch(/GPU \(dml\).*too little/);
    expect(recommendModels(machine({ memBytes: 3 * GB })).model.why).toMatch(/slow.*2 GB/);
    expect(recommendModels(machine({ int8Kernels: 'avx2' })).model.why).toMatch(/AVX2 but no VNNI/);
  });

  it('costs: the bf16 checkpoint is downloaded, fp32 + the variant are kept, both at the peak', () => {
    const one = catalogEntry('internvl3-1b')!;
    const { model } = recommendModels(machine({}));
    // 0.938e9 parameters at 2 bytes: the size the authors' model.safetensors has (1.88 GB) plus tokenizer.
    expect(model.downloadBytes).toBe(one.approxBytes['fp16']);
    expect(model.downloadBytes / 1e9).toBeCloseTo(1.89, 2);
    const tokenizer = 2 * one.approxBytes['fp16']! - one.approxBytes['fp32']!;
    expect(model.installedBytes).toBe(one.approxBytes['fp32']! + one.approxBytes['int8']! - tokenizer);
    expect(model.installedBytes).toBeLessThan(approxBundleBytes(one));
    expect(model.diskBytes).toBe(model.downloadBytes + model.installedBytes);
    const { embedder } = recommendModels(machine({}));
    expect(embedder!.downloadBytes).toBe(98_247_878 + 25_301_672);
    expect(embedder!.diskBytes).toBe(embedder!.downloadBytes);
  });
});

describe('estimateSecondsPerPhoto', () => {
  it('is linear below 2 threads, square root above, capped at 8', () => {
    expect(estimateSecondsPerPhoto('vnni', 2)).toBe(2.1);
    expect(estimateSecondsPerPhoto('vnni', 1)).toBe(4.2);
    expect(estimateSecondsPerPhoto('avx2', 4)).toBe(6.9);
    expect(estimateSecondsPerPhoto('avx2', 64)).toBe(estimateSecondsPerPhoto('avx2', 8));
    expect(estimateSecondsPerPhoto('other', 4)).toBeNull();
  });
});

const info = () => ({ cpu: { features: ['x64'], int8Kernels: 'other' as const }, threads: { intraOp: 2, interOp: 1 }, providers: [] });

describe('machineProfile', () => {
  it('takes the first usable GPU provider, the threads and the int8 kernels from the worker', () => {
    const p = machineProfile({
      cpu: { features: ['x64', 'avx2'], int8Kernels: 'avx2' },
      threads: { intraOp: 3, interOp: 1 },
      providers: [
        { name: 'cuda', available: false, reason: 'no CUDA' },
        { name: 'webgpu', available: true, reason: 'a Vulkan loader, maybe a software adapter' },
        { name: 'dml', available: true, reason: 'ok' },
        { name: 'cpu', available: true, reason: 'always' },
      ],
    });
    // webgpu is not taken for a GPU: a Vulkan loader alone makes it available.
    expect(p).toMatchObject({ gpu: 'dml', threads: 3, int8Kernels: 'avx2' });
    expect(machineProfile({ ...info(), providers: [{ name: 'webgpu', available: true, reason: '' }] }).gpu).toBeNull();
    expect(p.memBytes).toBeGreaterThan(0);
    expect(machineProfile(null)).toMatchObject({ gpu: null, threads: null, int8Kernels: 'other' });
  });
});
