/**
 * @file A loaded InternVL bundle: its three onnxruntime sessions (vision encoder, token embedding,
 * decoder with KV cache), its tokenizer, and the tensor plumbing between them.
 *
 * Runs in the inference worker. Pipelines (`native/pipelines/*`) build on the primitives here:
 * {@link InternVLModel.encodeImages}, {@link InternVLModel.embedWithImages},
 * {@link InternVLModel.decode}. Session I/O follows `native/export/BUNDLE-SPEC.md`.
 */
import os from 'node:os';
import { checkGraph } from '../bundle/graph-check';
import { BundleError, GRAPH_ROLES, loadBundle, type Bundle, type GraphRole, type Manifest } from '../bundle/manifest';
import { WorkerError, type LoadResult, type ProviderChoice } from '../protocol';
import type { PixelValues } from '../preprocess/normalize';
import { BundleTokenizer } from '../preprocess/tokenizer';
import { providersFromEnv } from './execution-providers';
import {
  assertUsable,
  DeviceTensors,
  identityModel,
  isDeviceTensor,
  kvPlacement,
  KvPlacementState,
  presentOutputLocations,
  releaseCache,
} from './kv-location';
import { pickVariant } from './registry';
import { createSession, float32Tensor, int64Tensor, type ort } from './sessions';

/**
 * Decoder KV cache: `2·layers` tensors [B, KV, P, Hd] (key, value per layer) plus its length. The
 * tensors are host memory, or GPU buffers on WebGPU: see [Note: KV cache on the device].
 */
export interface KvCache {
  tensors: ort.Tensor[];
  batch: number;
  length: number;
}

/** Options of {@link InternVLModel.load}. */
export interface LoadOptions {
  variant?: string;
  verifySha256?: boolean;
  executionProviders?: readonly string[];
}

/** Raised when a cancel request arrives; pipelines check the token between session runs. */
export interface CancelToken {
  cancelled: boolean;
}

/** Throws the protocol's `cancelled` error when the token is set. */
export function throwIfCancelled(token: CancelToken | undefined): void {
  if (token?.cancelled === true) throw new WorkerError('cancelled', 'request cancelled');
}

function decoderError(e: unknown): WorkerError {
  const msg = (e as Error).message;
  return new WorkerError(/bad_alloc|allocate/i.test(msg) ? 'out_of_memory' : 'internal', `decoder failed: ${msg}`);
}

/** A loaded model. */
export class InternVLModel {
  /** Device tensors handed out, disposed by {@link release}. */
  private readonly live = new DeviceTensors();
  /** Host copies of device tensors (each is downloaded once). */
  private readonly hostCopies = new WeakMap<ort.Tensor, ort.Tensor>();
  /** Session that copies a device tensor to the host, created on first use. */
  private download: ort.InferenceSession | null = null;
  /** Decoder sessions replaced after a device failure; caches they made may still be in use. */
  private readonly retired: ort.InferenceSession[] = [];

  private constructor(
    readonly bundle: Bundle,
    readonly manifest: Manifest,
    readonly tokenizer: BundleTokenizer,
    readonly variant: string,
    private readonly sessions: Record<GraphRole, ort.InferenceSession>,
    readonly providers: Record<GraphRole, ProviderChoice>,
    readonly loadMs: number,
    private readonly hasLogitsToKeep: boolean,
    private readonly kv: KvPlacementState,
    private readonly decoderFile: string,
  ) {}

  /** Loads and checks a bundle, then creates its sessions. Errors are `model_invalid` WorkerErrors. */
  static async load(dir: string, options: LoadOptions = {}): Promise<InternVLModel> {
    const t0 = performance.now();
    let bundle: Bundle;
    try {
      bundle = await loadBundle(dir, { verifySha256: options.verifySha256 ?? false });
    } catch (e) {
      throw new WorkerError('model_invalid', (e as Error).message);
    }
    const { variant, files } = pickVariant(bundle.manifest.id, bundle.variants, options.variant);
    for (const role of GRAPH_ROLES) {
      try {
        checkGraph(files[role], role, bundle.manifest);
      } catch (e) {
        throw new WorkerError('model_invalid', e instanceof BundleError ? e.message : String(e));
      }
    }
    let tokenizer: BundleTokenizer;
    try {
      tokenizer = await BundleTokenizer.fromFile(bundle.tokenizerPath);
    } catch (e) {
      throw new WorkerError('model_invalid', (e as Error).message);
    }
    const sessions = {} as Record<GraphRole, ort.InferenceSession>;
    const providers = {} as Record<GraphRole, ProviderChoice>;
    let kv = new KvPlacementState({ location: 'host', reason: 'not decided' });
    try {
      for (const role of GRAPH_ROLES) {
        const layers = bundle.manifest.llm.num_layers;
        const created = await createSession(files[role], options.executionProviders ?? providersFromEnv(), {
          ...(role === 'decoder_model_merged'
            ? { outputsOnDevice: (p) => (kvPlacement(p).location === 'device' ? presentOutputLocations(layers) : undefined) }
            : {}),
        });
        sessions[role] = created.session;
        providers[role] = created.choice;
        if (role !== 'decoder_model_merged') continue;
        const placement = kvPlacement(created.choice.chosen);
        kv = new KvPlacementState(
          created.deviceOutputs || placement.location === 'host'
            ? placement
            : { location: 'host', reason: `the session refused device outputs: ${created.deviceOutputsError ?? 'unknown'}` },
        );
      }
    } catch (e) {
      await Promise.all(Object.values(sessions).map((s) => s.release()));
      const msg = (e as Error).message;
      throw new WorkerError(/bad_alloc|out of memory/i.test(msg) ? 'out_of_memory' : 'model_invalid', msg);
    }
    const hasKeep = sessions.decoder_model_merged.inputNames.includes('num_logits_to_keep');
    const model = new InternVLModel(
      bundle,
      bundle.manifest,
      tokenizer,
      variant,
      sessions,
      providers,
      performance.now() - t0,
      hasKeep,
      kv,
      files.decoder_model_merged,
    );
    if (kv.onDevice) await model.probeDeviceCache();
    return model;
  }

  /**
   * Two decoder runs that feed a device cache back, then one copy to the host: a provider that
   * cannot do this falls back to host outputs at load, not in a request.
   */
  private async probeDeviceCache(): Promise<void> {
    const D = this.hidden;
    try {
      const a = await this.decode(new Float32Array(D), 1, 1, BigInt64Array.of(1n), BigInt64Array.of(0n), this.emptyCache(1), true);
      if (!this.kv.onDevice) return;
      if (!a.cache.tensors.every(isDeviceTensor)) throw new Error('present.* came back on the host');
      const b = await this.decode(new Float32Array(D), 1, 1, BigInt64Array.of(1n, 1n), BigInt64Array.of(1n), a.cache, true);
      releaseCache(a.cache);
      const host = await this.hostCache(b.cache);
      releaseCache(b.cache);
      const t = host.tensors[0]!;
      if (t.dims[2] !== 2 || (t.data as Float32Array).length !== 2 * t.dims[1]! * t.dims[3]!) {
        throw new Error(`a downloaded cache tensor has shape [${t.dims.join(',')}]`);
      }
    } catch (e) {
      await this.fallBack(`probe: ${(e as Error).message}`);
      // Only the probe's caches came from the replaced session: free it now, not at release().
      this.live.disposeAll();
      await Promise.all(this.retired.splice(0).map((s) => s.release()));
    }
  }

  /** Host outputs for the rest of this model's life ([Note: KV cache on the device]). */
  private async fallBack(reason: string): Promise<void> {
    if (!this.kv.onDevice) return;
    this.kv.fallBack(reason);
    const created = await createSession(this.decoderFile, [this.providers.decoder_model_merged.chosen]);
    this.retired.push(this.sessions.decoder_model_merged);
    this.sessions.decoder_model_merged = created.session;
  }

  /** Copies of `feeds` with every device tensor on the host. */
  private async hostFeeds(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
    const out: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(feeds)) out[k] = isDeviceTensor(t) ? await this.hostTensor(t) : t;
    return out;
  }

  private async hostTensor(t: ort.Tensor): Promise<ort.Tensor> {
    const hit = this.hostCopies.get(t);
    if (hit !== undefined) return hit;
    this.download ??= (await createSession(identityModel(), [this.providers.decoder_model_merged.chosen])).session;
    const y = (await this.download.run({ x: t })).y;
    if (y === undefined || isDeviceTensor(y)) throw new WorkerError('internal', 'copying a KV cache tensor to the host failed');
    this.hostCopies.set(t, y);
    return y;
  }

  /**
   * The cache with every tensor in host memory: the cache itself when it is there already, else a
   * copy (each device tensor is copied once). The device tensors stay valid.
   */
  async hostCache(cache: KvCache): Promise<KvCache> {
    assertUsable(cache.tensors);
    if (!cache.tensors.some(isDeviceTensor)) return cache;
    const tensors: ort.Tensor[] = [];
    for (const t of cache.tensors) tensors.push(isDeviceTensor(t) ? await this.hostTensor(t) : t);
    return { tensors, batch: cache.batch, length: cache.length };
  }

  /** Summary for the protocol's `load` / `info` results (the registry adds the role). */
  describe(): Omit<LoadResult, 'role'> {
    return {
      id: this.manifest.id,
      name: this.manifest.name,
      variant: this.variant,
      randomWeights: this.manifest.random_weights,
      providers: this.providers,
      loadMs: Math.round(this.loadMs),
      kvCache: { ...this.kv.placement },
    };
  }

  /**
   * Tile limit used when a request names none. [Note: One tile on CPU] A 448 px tile costs ~3-5 s in
   * InternViT-300M on a 2-core CPU (design/environment.md), so with the CPU provider an image gets one
   * tile (the whole picture resized, like the reference with max_num=1) unless the request asks for
   * more or `SHOEBOX_CPU_MAX_TILES` says otherwise; GPU providers use the bundle's `max_tiles`.
   */
  defaultMaxTiles(): number {
    if (this.providers.vision_encoder.chosen !== 'cpu') return this.manifest.image.max_tiles;
    const env = Number(process.env.SHOEBOX_CPU_MAX_TILES);
    return Number.isInteger(env) && env >= this.manifest.image.min_tiles ? env : Math.max(1, this.manifest.image.min_tiles);
  }

  /** Frees the sessions, after every device tensor they allocated. */
  async release(): Promise<void> {
    this.live.disposeAll();
    const all = [...Object.values(this.sessions), ...this.retired, ...(this.download === null ? [] : [this.download])];
    await Promise.all(all.map((s) => s.release()));
  }

  /** Hidden size of the LLM. */
  get hidden(): number {
    return this.manifest.llm.hidden_size;
  }

  /** Vocabulary size (logits width). */
  get vocab(): number {
    return this.manifest.llm.vocab_size;
  }

  /**
   * Runs the vision encoder over all tiles, `batch` tiles per run (bounds activation memory).
   * Returns image features [T, 256, D] flattened.
   */
  async encodeImages(px: PixelValues, cancel?: CancelToken, batch = 4): Promise<Float32Array> {
    const [T, C, H, W] = px.dims;
    const per = C * H * W;
    const rows = this.manifest.image.num_image_token * this.hidden;
    const out = new Float32Array(T * rows);
    for (let t = 0; t < T; t += batch) {
      throwIfCancelled(cancel);
      const n = Math.min(batch, T - t);
      const input = float32Tensor(px.data.subarray(t * per, (t + n) * per), [n, C, H, W]);
      const res = await this.sessions.vision_encoder.run({ pixel_values: input });
      const f = res.image_features;
      if (f === undefined) throw new WorkerError('model_invalid', 'vision encoder returned no image_features');
      if (f.dims.length !== 3 || f.dims[0] !== n || f.dims[1]! * f.dims[2]! !== rows) {
        throw new WorkerError('model_invalid', `vision encoder returned image_features of shape [${f.dims.join(',')}]`);
      }
      out.set(f.data as Float32Array, t * rows);
      f.dispose();
    }
    return out;
  }

  /** Token embeddings of a [B, S] id matrix (row-major), flattened [B, S, D]. */
  async embed(ids: readonly number[], batch: number, seq: number): Promise<Float32Array> {
    if (ids.length !== batch * seq) throw new Error('ids length does not match batch × seq');
    const res = await this.sessions.embed_tokens.run({ input_ids: int64Tensor(ids, [batch, seq]) });
    const e = res.inputs_embeds;
    if (e === undefined) throw new WorkerError('model_invalid', 'embed_tokens returned no inputs_embeds');
    return e.data as Float32Array;
  }

  /**
   * Embeds one sequence and writes image feature rows into its `<IMG_CONTEXT>` positions, in order
   * (the LLaVA merge). The number of positions must equal the number of feature rows.
   */
  async embedWithImages(ids: readonly number[], features: Float32Array | null): Promise<Float32Array> {
    const D = this.hidden;
    const emb = await this.embed(ids, 1, ids.length);
    const ctx = this.manifest.tokens.img_context;
    const rows = features === null ? 0 : features.length / D;
    let r = 0;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] !== ctx) continue;
      if (features === null || r >= rows) {
        throw new WorkerError('bad_input', `prompt has more <IMG_CONTEXT> tokens than image feature rows (${rows})`);
      }
      emb.set(features.subarray(r * D, (r + 1) * D), i * D);
      r++;
    }
    if (r !== rows) throw new WorkerError('bad_input', `${r} <IMG_CONTEXT> tokens but ${rows} image feature rows`);
    return emb;
  }

  /** An empty cache for a batch. */
  emptyCache(batch: number): KvCache {
    const { num_layers, num_kv_heads, head_dim } = this.manifest.llm;
    const tensors: ort.Tensor[] = [];
    for (let i = 0; i < 2 * num_layers; i++) {
      tensors.push(float32Tensor(new Float32Array(0), [batch, num_kv_heads, 0, head_dim]));
    }
    return { tensors, batch, length: 0 };
  }

  /**
   * Repeats a batch-1 cache N times along the batch axis (shared prefix for N continuations), in
   * host memory (a device cache is copied down once). `cache` stays valid.
   */
  async tileCache(cache: KvCache, n: number): Promise<KvCache> {
    if (cache.batch !== 1) throw new Error('only a batch-1 cache can be tiled');
    const host = await this.hostCache(cache);
    const tensors = host.tensors.map((t) => {
      const src = t.data as Float32Array;
      const data = new Float32Array(src.length * n);
      for (let b = 0; b < n; b++) data.set(src, b * src.length);
      return float32Tensor(data, [n, t.dims[1]!, t.dims[2]!, t.dims[3]!]);
    });
    return { tensors, batch: n, length: cache.length };
  }

  /**
   * One decoder run. `embeds` is [B, S, D]; `mask` is [B, P+S]; `positions` is [B, S].
   * Returns logits [B, S, V] (or [B, 1, V] when `lastOnly` and the graph supports
   * `num_logits_to_keep`) and the new cache. `cache` is left valid and still belongs to the caller
   * ([Note: KV cache on the device]).
   */
  async decode(
    embeds: Float32Array,
    batch: number,
    seq: number,
    mask: BigInt64Array,
    positions: BigInt64Array,
    cache: KvCache,
    lastOnly = false,
  ): Promise<{ logits: Float32Array; logitsSeq: number; cache: KvCache }> {
    const { num_layers } = this.manifest.llm;
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: float32Tensor(embeds, [batch, seq, this.hidden]),
      attention_mask: int64Tensor(mask, [batch, cache.length + seq]),
      position_ids: int64Tensor(positions, [batch, seq]),
    };
    for (let i = 0; i < num_layers; i++) {
      feeds[`past_key_values.${i}.key`] = cache.tensors[2 * i]!;
      feeds[`past_key_values.${i}.value`] = cache.tensors[2 * i + 1]!;
    }
    if (this.hasLogitsToKeep) feeds.num_logits_to_keep = int64Tensor([lastOnly ? 1 : 0], []);
    assertUsable(cache.tensors);
    let res: ort.InferenceSession.OnnxValueMapType;
    try {
      res = await this.sessions.decoder_model_merged.run(feeds);
    } catch (e) {
      if (!this.kv.onDevice) throw decoderError(e);
      // A device-located run failed: host outputs from now on, and this run again from host inputs.
      try {
        await this.fallBack((e as Error).message);
        res = await this.sessions.decoder_model_merged.run(await this.hostFeeds(feeds));
      } catch (e2) {
        throw decoderError(e2);
      }
    }
    const logits = res.logits;
    if (logits === undefined) throw new WorkerError('model_invalid', 'decoder returned no logits');
    const tensors: ort.Tensor[] = [];
    for (let i = 0; i < num_layers; i++) {
      const k = res[`present.${i}.key`];
      const v = res[`present.${i}.value`];
      if (k === undefined || v === undefined) throw new WorkerError('model_invalid', `decoder returned no present.${i}.*`);
      tensors.push(k, v);
    }
    if (this.kv.onDevice) this.live.track(tensors);
    return {
      logits: logits.data as Float32Array,
      logitsSeq: logits.dims[1]!,
      cache: { tensors, batch, length: cache.length + seq },
    };
  }

  /** Tokens a prefill run may take at once so its logits stay under ~256 MB. */
  prefillChunk(): number {
    if (this.hasLogitsToKeep) return 4096;
    return Math.max(64, Math.min(4096, Math.floor((256 * 2 ** 20) / (this.vocab * 4))));
  }

  /** Rough bytes a prompt of `tokens` tokens and `tiles` tiles needs (KV cache + features + logits). */
  memoryEstimate(tokens: number, tiles: number): number {
    const { num_layers, num_kv_heads, head_dim } = this.manifest.llm;
    const kv = tokens * num_layers * 2 * num_kv_heads * head_dim * 4;
    const features = tiles * this.manifest.image.num_image_token * this.hidden * 4 * 2;
    const pixels = tiles * 3 * this.manifest.image.size ** 2 * 4;
    const logits = Math.min(tokens, this.prefillChunk()) * this.vocab * 4;
    return kv * 2 + features + pixels + logits;
  }

  /** Throws `bad_input` when a request would not fit in context or in memory. */
  checkBudget(promptTokens: number, tiles: number): void {
    const ctx = this.manifest.llm.max_position_embeddings;
    if (promptTokens >= ctx) {
      throw new WorkerError(
        'bad_input',
        `prompt is ${promptTokens} tokens (${tiles} tiles × ${this.manifest.image.num_image_token}), longer than the model's context of ${ctx}; use fewer tiles or a shorter text`,
      );
    }
    const need = this.memoryEstimate(promptTokens, tiles);
    const budget = Number(process.env.SHOEBOX_MEMORY_BUDGET_MB) * 2 ** 20 || os.totalmem() * 0.5;
    if (need > budget) {
      throw new WorkerError(
        'bad_input',
        `${tiles} tiles need about ${Math.round(need / 2 ** 20)} MB, more than the ${Math.round(budget / 2 ** 20)} MB budget; use fewer tiles`,
      );
    }
  }
}
