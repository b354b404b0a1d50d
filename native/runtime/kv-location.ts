/**
 * @file Where the decoder's KV cache lives between decoder runs (host memory or GPU buffers): the
 * decision per execution provider, the `SHOEBOX_KV_ON_DEVICE` switch, the fallback after a failure,
 * and the ownership rule that frees device caches. Also the tiny ONNX graph that copies a device
 * tensor back to the host.
 *
 * Runs in the inference worker; `internvl-model.ts` applies it, the pipelines release caches with
 * {@link releaseCache}. Pure logic over a minimal tensor shape, so it is tested without a GPU.
 *
 * [Note: KV cache on the device] On the CPU provider every `present.*` output is host memory and is
 * fed back as `past_key_values.*` unchanged. On a GPU that round trip copies the whole cache down and
 * up again at every token. onnxruntime-node 1.30 can leave outputs on the device only for WebGPU
 * (`preferredOutputLocation: 'gpu-buffer'`, bound with the `WebGPU_Buf` allocator; CUDA and DirectML
 * sessions in Node always return host tensors), so with WebGPU the decoder session keeps every
 * `present.*` in GPU buffers and only the logits come back. Such a tensor cannot be read in JS (its
 * `download` is "not implemented" in 1.30): the few places that need cache data on the host (picking
 * or repeating rows: `gatherRows`, `tileCache`) copy it once through {@link identityModel}.
 * Ownership: onnxruntime never writes a tensor in place, so a cache may feed any number of decoder
 * runs (a shared prefix branches into several questions) until it is released. **A function
 * releases the device caches it created and does not return; a cache it was given belongs to its
 * caller.** {@link releaseCache} disposes GPU tensors only (host caches are left to the GC, so the
 * CPU path is unchanged), never one that a kept cache shares (a branch of all rows in order is the
 * prefix itself), never twice; feeding a released cache is an error, not a crash. Whatever a failed
 * or cancelled request leaves behind is freed by the binding's finalizers, and
 * `InternVLModel.release` disposes every device tensor still alive before its sessions go.
 * If a device-located run fails, the model falls back to host outputs for the rest of its life
 * and records why (`describe().kvCache`); `SHOEBOX_KV_ON_DEVICE=0` turns the device cache off.
 */

/** Where a model's KV cache lives between decoder runs. */
export type KvLocation = 'host' | 'device';

/** The decision and the reason shown by `describe()` / doctor. */
export interface KvPlacement {
  location: KvLocation;
  reason: string;
}

/** The part of an onnxruntime tensor this module needs (fakes in tests). */
export interface CacheTensor {
  readonly location: string;
  dispose(): void;
}

/** Providers whose outputs onnxruntime-node 1.30 can leave on the device. */
export const DEVICE_OUTPUT_PROVIDERS: readonly string[] = ['webgpu'];

/** Where the KV cache of a decoder on `provider` lives, honouring `SHOEBOX_KV_ON_DEVICE`. */
export function kvPlacement(provider: string, env: Record<string, string | undefined> = process.env): KvPlacement {
  if (provider === 'cpu') return { location: 'host', reason: 'CPU provider: the cache is in host memory already' };
  if (!DEVICE_OUTPUT_PROVIDERS.includes(provider)) {
    return { location: 'host', reason: `onnxruntime-node 1.30 leaves outputs on the device only for WebGPU, not ${provider}` };
  }
  if (env.SHOEBOX_KV_ON_DEVICE === '0') return { location: 'host', reason: 'turned off by SHOEBOX_KV_ON_DEVICE=0' };
  return { location: 'device', reason: `${provider}: present.* stay in GPU buffers between decoder runs` };
}

/** `preferredOutputLocation` of the decoder session: every `present.*` on the device, logits on the host. */
export function presentOutputLocations(numLayers: number): Record<string, 'gpu-buffer'> {
  const out: Record<string, 'gpu-buffer'> = {};
  for (let i = 0; i < numLayers; i++) {
    out[`present.${i}.key`] = 'gpu-buffer';
    out[`present.${i}.value`] = 'gpu-buffer';
  }
  return out;
}

/** A model's placement, which can only move from device to host (after a failure). */
export class KvPlacementState {
  private current: KvPlacement;
  constructor(initial: KvPlacement) {
    this.current = initial;
  }

  get placement(): KvPlacement {
    return this.current;
  }

  get onDevice(): boolean {
    return this.current.location === 'device';
  }

  /** Host outputs from now on; the first failure's reason is the one kept. */
  fallBack(reason: string): void {
    if (!this.onDevice) return;
    this.current = { location: 'host', reason: `device cache failed, host from now on: ${reason.split('\n')[0]!.slice(0, 300)}` };
  }
}

/** True when a tensor lives in a GPU buffer. */
export function isDeviceTensor(t: CacheTensor): boolean {
  return t.location === 'gpu-buffer';
}

/** Throws when a cache holds a released tensor (onnxruntime sets a disposed tensor's location to 'none'). */
export function assertUsable(tensors: readonly CacheTensor[]): void {
  if (tensors.some((t) => t.location === 'none')) {
    throw new Error('KV cache used after it was released (see [Note: KV cache on the device])');
  }
}

/**
 * Disposes the device tensors of `cache` that none of the `keep` caches holds. Host tensors and
 * tensors already released are left alone. See [Note: KV cache on the device].
 */
export function releaseCache(
  cache: { tensors: readonly CacheTensor[] } | null | undefined,
  ...keep: ({ tensors: readonly CacheTensor[] } | null | undefined)[]
): void {
  if (cache === null || cache === undefined) return;
  const kept = new Set<CacheTensor>();
  for (const k of keep) for (const t of k?.tensors ?? []) kept.add(t);
  for (const t of cache.tensors) if (isDeviceTensor(t) && !kept.has(t)) t.dispose();
}

/**
 * Device tensors a model handed out, weakly held, so that `release()` can free those a caller still
 * holds (a chat's cache) before the session that allocated them goes.
 */
export class DeviceTensors {
  private readonly refs = new Set<WeakRef<CacheTensor>>();

  track(tensors: readonly CacheTensor[]): void {
    for (const t of tensors) if (isDeviceTensor(t)) this.refs.add(new WeakRef(t));
    if (this.refs.size > 4096) this.prune();
  }

  /** Live device tensors (for tests and diagnostics). */
  get size(): number {
    this.prune();
    return this.refs.size;
  }

  /** Disposes every tracked tensor still on the device. */
  disposeAll(): void {
    for (const r of this.refs) {
      const t = r.deref();
      if (t !== undefined && isDeviceTensor(t)) t.dispose();
    }
    this.refs.clear();
  }

  private prune(): void {
    for (const r of this.refs) {
      const t = r.deref();
      if (t === undefined || !isDeviceTensor(t)) this.refs.delete(r);
    }
  }
}

// A minimal protobuf writer for the one graph below (onnx.proto field numbers in the comments).
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const field = (no: number, bytes: readonly number[]): number[] => [...varint((no << 3) | 2), ...varint(bytes.length), ...bytes];
const num = (no: number, v: number): number[] => [...varint(no << 3), ...varint(v)];
const str = (no: number, s: string): number[] => field(no, [...new TextEncoder().encode(s)]);

/** ValueInfoProto of a float32 tensor of rank 4 with named (dynamic) dimensions. */
function float32Rank4(name: string): number[] {
  const dims = ['b', 'h', 'l', 'd'].flatMap((d) => field(1, str(2, d))); // Dimension.dim_param
  const tensor = [...num(1, 1), ...field(2, dims)]; // elem_type FLOAT, shape
  return [...str(1, name), ...field(2, field(1, tensor))]; // name, type.tensor_type
}

/**
 * ONNX bytes of `y = Identity(x)` over float32 [b, h, l, d]: run on the decoder's provider with host
 * outputs, it copies a device cache tensor to the host (the binding's `download` is not implemented).
 */
export function identityModel(): Uint8Array {
  const node = [...str(1, 'x'), ...str(2, 'y'), ...str(3, 'copy'), ...str(4, 'Identity')];
  const graph = [...field(1, node), ...str(2, 'kv_download'), ...field(11, float32Rank4('x')), ...field(12, float32Rank4('y'))];
  const opset = [...str(1, ''), ...num(2, 17)];
  return Uint8Array.from([...num(1, 8), ...str(2, 'shoebox'), ...field(7, graph), ...field(8, opset)]);
}
