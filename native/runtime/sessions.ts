/**
 * @file Creating onnxruntime sessions with provider fallback, and small tensor helpers.
 *
 * Runs in the inference worker; the only module besides the pipelines that touches onnxruntime.
 * See [Note: Execution-provider fallback] in `execution-providers.ts`.
 */
import * as ort from 'onnxruntime-node';
import type { ProviderChoice, ProviderStatus } from '../protocol';
import { providerCandidates, threadCounts, type ProviderName } from './execution-providers';

/** A created session with the provider that runs it. */
export interface CreatedSession {
  session: ort.InferenceSession;
  choice: ProviderChoice;
  /** True when the session leaves the outputs named by `outputsOnDevice` in GPU buffers. */
  deviceOutputs: boolean;
  /** Why a provider that was asked for device outputs got host outputs (its session refused them). */
  deviceOutputsError?: string;
}

/** Options of {@link createSession}. */
export interface CreateSessionOptions {
  /**
   * Outputs to leave on the device for a provider (`preferredOutputLocation`), or undefined for host
   * outputs. A session that cannot be created with them is created again without them.
   */
  outputsOnDevice?: (provider: ProviderName) => Record<string, 'gpu-buffer'> | undefined;
}

function providerOption(name: ProviderName): ort.InferenceSession.ExecutionProviderConfig {
  return name;
}

function open(file: string | Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  return typeof file === 'string' ? ort.InferenceSession.create(file, options) : ort.InferenceSession.create(file, options);
}

function isOutOfMemory(msg: string): boolean {
  return /bad_alloc|out of memory|Failed to allocate|std::bad_alloc/i.test(msg);
}

/**
 * Creates a session for a graph file, trying providers in order. Throws with every provider's
 * reason when none works.
 */
export async function createSession(
  file: string | Uint8Array,
  preferred?: readonly string[],
  create: CreateSessionOptions = {},
): Promise<CreatedSession> {
  const threads = threadCounts();
  const tried: ProviderChoice['tried'] = [];
  let lastError = '';
  for (const c of providerCandidates(preferred)) {
    if (c.skip !== undefined) {
      tried.push({ name: c.name, ok: false, reason: c.skip });
      continue;
    }
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: c.name === 'cpu' ? ['cpu'] : [providerOption(c.name), 'cpu'],
      intraOpNumThreads: threads.intraOp,
      interOpNumThreads: threads.interOp,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    };
    const onDevice = create.outputsOnDevice?.(c.name);
    let deviceOutputsError: string | undefined;
    if (onDevice !== undefined) {
      try {
        const session = await open(file, { ...options, preferredOutputLocation: onDevice });
        tried.push({ name: c.name, ok: true, reason: 'session created' });
        return { session, choice: { chosen: c.name, tried }, deviceOutputs: true };
      } catch (e) {
        deviceOutputsError = (e as Error).message.split('\n')[0]!.slice(0, 300);
      }
    }
    try {
      const session = await open(file, options);
      tried.push({ name: c.name, ok: true, reason: 'session created' });
      return {
        session,
        choice: { chosen: c.name, tried },
        deviceOutputs: false,
        ...(deviceOutputsError !== undefined ? { deviceOutputsError } : {}),
      };
    } catch (e) {
      lastError = (e as Error).message;
      tried.push({ name: c.name, ok: false, reason: lastError.split('\n')[0]!.slice(0, 300) });
      if (isOutOfMemory(lastError)) break;
    }
  }
  const summary = tried.map((t) => `${t.name}: ${t.reason}`).join('; ');
  throw new Error(`cannot create an onnxruntime session for ${typeof file === 'string' ? file : 'an in-memory graph'} (${summary})`, {
    cause: lastError,
  });
}

/**
 * Every provider onnxruntime-node lists for this platform, with whether this worker can use it and
 * why: a provider is usable when its binary is there and {@link providerCandidates} would try it.
 */
export function providerStatus(): ProviderStatus[] {
  const candidates = providerCandidates();
  return ort.listSupportedBackends().map(({ name, bundled }): ProviderStatus => {
    const candidate = candidates.find((c) => c.name === name);
    if (candidate === undefined) {
      return {
        name,
        available: false,
        reason: `${bundled ? 'bundled with' : 'not bundled with'} onnxruntime-node; Shoebox does not use it`,
      };
    }
    if (candidate.skip !== undefined) return { name, available: false, reason: candidate.skip };
    // ORT lists CUDA as not bundled; providerCandidates found its provider library installed.
    if (name === 'cuda') return { name, available: true, reason: 'CUDA provider installed next to onnxruntime-node' };
    return bundled
      ? { name, available: true, reason: 'bundled with onnxruntime-node' }
      : { name, available: false, reason: 'not bundled for this platform' };
  });
}

/** An int64 tensor from numbers. */
export function int64Tensor(values: readonly number[] | BigInt64Array, dims: readonly number[]): ort.Tensor {
  const data = values instanceof BigInt64Array ? values : BigInt64Array.from(values, (v) => BigInt(v));
  return new ort.Tensor('int64', data, dims);
}

/** A float32 tensor. */
export function float32Tensor(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

export { ort };
