/**
 * @file Execution-provider choice and thread sizing for onnxruntime-node sessions.
 *
 * Runs in the inference worker. Order per platform (design/architecture.md, "Models"):
 * CUDA when its provider library is installed → DirectML (Windows) → CoreML (macOS) → WebGPU → CPU.
 * Each candidate is tried by actually creating the session; a failure is recorded with its reason
 * and the next one is tried, so the user can see why the app runs where it runs.
 *
 * [Note: Execution-provider fallback] A provider "works" when a session is created with it. ORT
 * places nodes a provider cannot run on CPU by itself (we always append `cpu`), so a created
 * session is a usable one. WebGPU is tried last before CPU because on machines without an adapter
 * it fails fast, and because ORT marks it experimental in Node.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** Names used in `executionProviders` and in reports. */
export type ProviderName = 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu';

/** A provider that will be tried, or the reason it was skipped before trying. */
export interface Candidate {
  name: ProviderName;
  /** When set, the provider is not tried and this is recorded as the reason. */
  skip?: string;
}

/** Folder of onnxruntime-node's native binding for this platform. */
export function ortBinDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const bin = path.join(pkg, 'bin');
    for (const napi of readdirSync(bin)) {
      const dir = path.join(bin, napi, process.platform, process.arch);
      if (existsSync(dir)) return dir;
    }
  } catch {
    // fall through
  }
  return null;
}

/** True when onnxruntime's CUDA provider library was installed next to the binding. */
export function cudaInstalled(): boolean {
  const dir = ortBinDir();
  if (dir === null) return false;
  try {
    return readdirSync(dir).some((f) => f.startsWith('libonnxruntime_providers_cuda'));
  } catch {
    return false;
  }
}

/** True when a Vulkan loader library is installed (Linux), which Dawn's WebGPU needs. */
export function vulkanLoaderPresent(): boolean {
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  const extra = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== '');
  return [...extra, ...dirs].some((d) => existsSync(path.join(d, 'libvulkan.so.1')));
}

/** Candidates in preference order for this platform. `only` restricts and orders them. */
export function providerCandidates(only?: readonly string[]): Candidate[] {
  const all: Candidate[] = [];
  if (process.platform === 'linux' && process.arch === 'x64') {
    all.push(
      cudaInstalled()
        ? { name: 'cuda' }
        : {
            name: 'cuda',
            skip: 'CUDA provider not installed: with CUDA 12 on this machine, reinstall with `npm install --onnxruntime-node-install=cuda12`',
          },
    );
  } else {
    all.push({ name: 'cuda', skip: `CUDA provider not available on ${process.platform}-${process.arch}` });
  }
  all.push(process.platform === 'win32' ? { name: 'dml' } : { name: 'dml', skip: 'DirectML is Windows only' });
  all.push(process.platform === 'darwin' ? { name: 'coreml' } : { name: 'coreml', skip: 'CoreML is macOS only' });
  if (process.env.SHOEBOX_DISABLE_WEBGPU === '1') all.push({ name: 'webgpu', skip: 'disabled by SHOEBOX_DISABLE_WEBGPU' });
  else if (only === undefined && process.platform === 'linux' && !vulkanLoaderPresent()) {
    // Auto mode only: without a Vulkan loader Dawn cannot find an adapter, and the failed attempt
    // costs start-up time and log noise. An explicit request still tries it.
    all.push({ name: 'webgpu', skip: 'no Vulkan loader (libvulkan.so.1) found, so no WebGPU adapter' });
  } else all.push({ name: 'webgpu' });
  all.push({ name: 'cpu' });
  if (only === undefined || only.length === 0) return all;
  const out: Candidate[] = [];
  for (const n of only) {
    const c = all.find((x) => x.name === n);
    if (c === undefined) throw new Error(`unknown execution provider "${n}" (known: cuda, dml, coreml, webgpu, cpu)`);
    out.push(c);
  }
  return out;
}

/** Parses `SHOEBOX_EP` (comma-separated provider names) into a preference list. */
export function providersFromEnv(): string[] | undefined {
  const v = process.env.SHOEBOX_EP;
  if (v === undefined || v.trim() === '') return undefined;
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Threads for ORT's intra-op pool: the machine's parallelism (CPU EP runs one request at a time in
 * the worker), overridable with `SHOEBOX_THREADS`. Inter-op stays 1 (sequential graphs).
 */
export function threadCounts(): { intraOp: number; interOp: number } {
  const env = Number(process.env.SHOEBOX_THREADS);
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const intraOp = Number.isInteger(env) && env > 0 ? env : Math.max(1, cores);
  return { intraOp, interOp: 1 };
}
