/**
 * @file What the app asks of InternVL: describe a photo (caption, or an answer to a question about
 * it), streaming text as it is generated; and what the worker reports of its environment (doctor).
 * Owns the inference worker's lifetime: started on first use, (re)loaded with whatever bundle the
 * model manager says is active, closed with the app.
 *
 * Runs in main. The worker only ever receives a local bundle folder whose every file the model manager
 * checked against its pinned size and sha256 ([Note: Verified installs] in main/models/bundle-files.ts),
 * never a URL; with no usable model this says why and points to the Models page.
 *
 * [Note: Demo output is labelled] A random-weight bundle writes meaningless text. The model manager only
 * hands one out in demo mode (SHOEBOX_DEMO_MODEL=1), and every result carries `demo: true` so the UI and
 * CLI label it.
 *
 * The caption prompt and the token limit are the worker's defaults (`native/pipelines/caption.ts`,
 * `generate.ts`); this sends them only when the caller gave them.
 *
 * Which variant of the bundle runs is decided here, before any request, by
 * [Note: Which variant runs] (main/inference/variant-choice.ts): a new choice (the setting changed)
 * loads the model again at the next request, as a new bundle does.
 *
 * [Note: Changing the worker's threads] onnxruntime sizes its thread pool when a session is created,
 * from the worker's `SHOEBOX_THREADS` (native/runtime/execution-providers.ts `threadCounts`), so a new
 * thread count (the `understanding.backgroundThreads` setting) takes a new worker: `setThreads` stores
 * it, and when a worker is running with another count it is replaced at the next moment no request is
 * in flight. A request running at the change finishes on the old worker, with the old count; requests
 * made after the change wait until the running ones are done (at most one understanding batch or one
 * Describe), then the old worker stops, a new one starts with `SHOEBOX_THREADS` set ('auto' leaves the
 * environment as it is), loads the model again (seconds) and runs them. Nothing is cancelled or retried.
 *
 * The worker's memory reports ([Note: Worker memory reports] in native/protocol.ts) of the `vlm` role
 * are recorded per model and variant beside the loaded bundle, for the Models page
 * ([Note: Measured memory is kept beside the bundle] in variant-memory.ts).
 */
import { ApiError } from '../../preload/api-error';
import type { DescribeResult } from '../../preload/contract';
import type {
  ChatTurnResult,
  EmbedRequest,
  EmbedResponse,
  MemoryMessage,
  ParamsOf,
  StreamChunk,
  UnderstandRequest,
  UnderstandResponse,
  WorkerInfo,
} from '../../native/protocol';
import type { Log } from '../log';
import { readVariantCheck } from '../models/build/variant-check';
import type { ActiveBundle } from '../models/manager';
import { chooseVariant, expectedProvider, type ProviderKind, type VariantChoice, type VariantSetting } from './variant-choice';
import { createVariantMemoryRecorder } from './variant-memory';
import { createWorkerClient, WorkerClientError, type WorkerClient, type WorkerProcess } from './worker-client';

/** Starts a worker process with this environment (Electron: a utilityProcess). */
export type WorkerSpawner = (env: NodeJS.ProcessEnv) => WorkerProcess;

/** onnxruntime threads of the worker: a count, or 'auto' (every CPU, or the environment's SHOEBOX_THREADS). */
export type WorkerThreads = number | 'auto';

export interface InferenceDeps {
  models: {
    activeBundle(): ActiveBundle | null;
    noModelReason(): string | null;
    /** The text embedder search uses (main/models/manager.ts [Note: Which text embedder]); optional for tests of the VLM path. */
    activeEmbedder?(): { id: string; dir: string } | null;
    noEmbedderReason?(): string | null;
  };
  log: Log;
  /** How to start the worker (Electron passes a utilityProcess spawner); child_process.fork by default. */
  spawn?: WorkerSpawner | undefined;
  /** Threads of the first worker (default 'auto'); see [Note: Changing the worker's threads]. */
  threads?: WorkerThreads | undefined;
  /** The `understanding.variant` setting, read at each choice (default 'auto'): [Note: Which variant runs]. */
  variant?: (() => VariantSetting) | undefined;
  /** Where the worker is expected to run (default: from SHOEBOX_EP and the platform). */
  provider?: ProviderKind | undefined;
}

export interface DescribeOptions {
  /** A question about the photo; the worker's caption prompt when absent. */
  prompt?: string | undefined;
  /** Token limit; the worker's default when absent. */
  maxNewTokens?: number | undefined;
  onText?: ((text: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** The model the worker runs for the active bundle: its id and the variant main asks for. */
export interface ModelChoice {
  id: string;
  name: string;
  variant: string;
  /** Random weights (demo mode): output must be labelled. */
  demo: boolean;
}

/** The model loaded in the worker now, with the execution provider it got ('cpu', 'cuda'…). */
export interface LoadedModel extends ModelChoice {
  provider: string;
}

/** The inference worker as the rest of main sees it. */
export interface InferenceService {
  /** The model a request would run with now (the active bundle and its variant), or null when there is none. */
  activeModel(): ModelChoice | null;
  /** The variant a request would load now and why ([Note: Which variant runs]), or null without a model. */
  variantChoice(): VariantChoice | null;
  /** The model loaded in the worker, or null before the first load (or after a restart of the service). */
  loadedModel(): LoadedModel | null;
  /**
   * Understands a batch of photos in the worker's background lane (caption, tags, text in the image).
   * Worker failures reject with a {@link WorkerClientError} carrying the worker's code, for the caller's
   * retry policy; per-photo failures are in the result.
   */
  understand(params: UnderstandRequest, opts?: { signal?: AbortSignal | undefined }): Promise<UnderstandResponse>;
  /**
   * One photo-chat turn in the interactive lane, with the active model (loaded first); text streams
   * through `onChunk`. Worker failures reject with a {@link WorkerClientError} (cancelled, crashed…):
   * what they mean for the conversation is the chat service's policy.
   */
  chat(
    params: ParamsOf<'chat'>,
    opts?: { onChunk?: ((chunk: StreamChunk) => void) | undefined; signal?: AbortSignal | undefined },
  ): Promise<{ result: ChatTurnResult; model: LoadedModel }>;
  /** Frees a chat session's cache in the worker; does nothing when no worker runs. */
  chatEnd(sessionId: string): Promise<void>;
  /** The text embedder `embed` would use now, or null (see {@link noEmbedderReason}). */
  activeEmbedder(): { id: string } | null;
  /** Why there is no text embedder, in words for the user; null when there is one. */
  noEmbedderReason(): string | null;
  /**
   * The worker's `embed` with the active text embedder (role `text-embedder`, loaded first): a query in
   * the interactive lane, passages in the background lane. Rejects with `unavailable` without one.
   */
  embed(params: EmbedRequest, opts?: { signal?: AbortSignal | undefined }): Promise<EmbedResponse>;
  /** Captions (or answers `prompt` about) the image at `imagePath`, streaming text through `onText`. */
  describe(imagePath: string, opts?: DescribeOptions): Promise<Omit<DescribeResult, 'requestId'>>;
  /**
   * The worker's environment: CPU features, execution providers, threads, loaded models. Starts the
   * worker when it is not running; never loads a model.
   */
  workerInfo(opts?: { timeoutMs?: number }): Promise<WorkerInfo>;
  /** Sets the worker's onnxruntime threads: see [Note: Changing the worker's threads]. */
  setThreads(threads: WorkerThreads): void;
  /** Stops the worker. */
  close(): Promise<void>;
}

export function createInference({
  models,
  log,
  spawn,
  threads: initialThreads = 'auto',
  variant: variantSetting = () => 'auto',
  provider: expected = expectedProvider(),
}: InferenceDeps): InferenceService {
  let client: WorkerClient | null = null;
  let threads: WorkerThreads = initialThreads;
  /** The threads the running worker was started with. */
  let clientThreads: WorkerThreads = threads;
  /** Requests sent and not settled, and who waits for them all to settle. */
  let inFlight = 0;
  let drained: (() => void) | null = null;
  /** A pending worker replacement: new requests wait for it. */
  let replacing: Promise<void> | null = null;
  /** The bundle in the worker, the variant main asked for (a new choice loads again) and what the worker reported. */
  let loaded: { dir: string; sha: string; asked: string; model: LoadedModel } | null = null;
  /** The text-embedder bundle the worker holds in its `text-embedder` role. */
  let loadedEmbedder: { dir: string; id: string } | null = null;
  const memory = createVariantMemoryRecorder(log);
  /** A `vlm` memory report that came before its load's result (the worker sends it first). */
  let earlyReport: MemoryMessage | null = null;

  /** Records a `vlm` memory report against the loaded bundle, or keeps it until its load's result arrives. */
  const onMemory = (r: MemoryMessage): void => {
    if (r.role !== 'vlm') return;
    if (loaded === null || loaded.model.id !== r.model.id || loaded.model.variant !== r.model.variant) {
      earlyReport = r;
      return;
    }
    earlyReport = null;
    memory.record(loaded.dir, r.model.variant, {
      rssBytes: r.rssBytes,
      basis: r.after === 'load' ? 'loaded' : 'running',
      peakRssBytes: r.peakRssBytes,
      provider: loaded.model.provider,
      measuredAt: new Date().toISOString(),
    });
  };

  // The build's accuracy check is read at each choice (one small file): it is written after the
  // bundle is installed, so a copy kept from before could miss it.
  const variantFor = (active: ActiveBundle): VariantChoice =>
    chooseVariant({
      setting: variantSetting(),
      variants: Object.keys(active.manifest.variants),
      demo: active.manifest.random_weights,
      accuracy: readVariantCheck(active.dir),
      provider: expected,
    });
  const choice = (active: ActiveBundle): ModelChoice => ({
    id: active.manifest.id,
    name: active.manifest.name,
    variant: variantFor(active).variant,
    demo: active.manifest.random_weights,
  });

  const worker = (): WorkerClient => {
    if (client) return client;
    const t = threads;
    const env = t === 'auto' ? process.env : { ...process.env, SHOEBOX_THREADS: String(t) };
    client = createWorkerClient({ ...(spawn ? { spawn: () => spawn(env) } : { env }), log: (m) => log.info(m), onMemory });
    clientThreads = t;
    return client;
  };

  /** Runs one request, after a pending worker replacement, counting it in flight. */
  async function tracked<T>(fn: () => Promise<T>): Promise<T> {
    while (replacing) await replacing;
    inFlight++;
    try {
      return await fn();
    } finally {
      inFlight--;
      if (inFlight === 0) drained?.();
    }
  }

  /** Replaces the worker once nothing is in flight (new requests wait), unless its threads match again. */
  function replaceWorker(): void {
    replacing ??= (async () => {
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      drained = null;
      if (!client || clientThreads === threads) return;
      log.info('restarting the inference worker for a new thread count', { from: clientThreads, to: threads });
      const old = client;
      client = null;
      loaded = null;
      loadedEmbedder = null;
      await old.close();
    })().finally(() => {
      replacing = null;
    });
  }

  /** Loads the active text embedder into the worker's `text-embedder` role unless it already is. */
  async function ensureEmbedder(): Promise<{ id: string; dir: string }> {
    const active = models.activeEmbedder?.() ?? null;
    if (!active) throw new ApiError('unavailable', models.noEmbedderReason?.() ?? 'No text embedder is installed.');
    if (loadedEmbedder?.dir !== active.dir) {
      const r = await worker().request('load', { dir: active.dir, role: 'text-embedder' });
      log.info('text embedder loaded', { id: r.id, variant: r.variant, ms: Math.round(r.loadMs) });
      loadedEmbedder = { dir: active.dir, id: active.id };
    }
    return active;
  }

  /** Loads the active bundle into the worker unless it already is. */
  async function ensureModel(): Promise<ActiveBundle> {
    const active = models.activeBundle();
    if (!active) throw new ApiError('unavailable', models.noModelReason() ?? 'No model is available. Open the Models page.');
    const sha = JSON.stringify(active.manifest.files);
    const want = choice(active);
    if (loaded?.dir !== active.dir || loaded.sha !== sha || loaded.asked !== want.variant) {
      const r = await worker().request('load', { dir: active.dir, variant: want.variant });
      log.info('model loaded', { id: r.id, variant: r.variant, ms: Math.round(r.loadMs), providers: r.providers });
      const provider = [...new Set(Object.values(r.providers).map((p) => p.chosen))].join('+') || 'cpu';
      loaded = { dir: active.dir, sha, asked: want.variant, model: { ...want, variant: r.variant, provider } };
      if (earlyReport !== null) onMemory(earlyReport);
    }
    return active;
  }

  return {
    describe: (imagePath, opts = {}) =>
      tracked(async () => {
        const active = await ensureModel();
        const started = performance.now();
        try {
          const r = await worker().request(
            'caption',
            {
              image: { path: imagePath },
              ...(opts.prompt !== undefined ? { prompt: opts.prompt } : {}),
              ...(opts.maxNewTokens !== undefined ? { sampling: { maxNewTokens: opts.maxNewTokens } } : {}),
            },
            {
              ...(opts.onText ? { onChunk: (c) => c.text && opts.onText?.(c.text) } : {}),
              ...(opts.signal ? { signal: opts.signal } : {}),
            },
          );
          return {
            text: r.text,
            finishReason: r.finishReason,
            modelId: active.manifest.id,
            modelName: active.manifest.name,
            demo: active.manifest.random_weights,
            numTiles: r.numTiles,
            ms: Math.round(performance.now() - started),
          };
        } catch (err) {
          if (err instanceof WorkerClientError) {
            const code = err.code === 'cancelled' ? 'cancelled' : err.code === 'bad_input' ? 'bad-argument' : 'unavailable';
            throw new ApiError(code, err.message);
          }
          throw err;
        }
      }),

    activeModel() {
      const active = models.activeBundle();
      return active ? choice(active) : null;
    },

    variantChoice() {
      const active = models.activeBundle();
      return active ? variantFor(active) : null;
    },

    loadedModel: () => loaded?.model ?? null,

    understand: (params, opts = {}) =>
      tracked(async () => {
        await ensureModel();
        return worker().request('understand', params, { priority: 'background', ...(opts.signal ? { signal: opts.signal } : {}) });
      }),

    workerInfo: (opts = {}) => tracked(() => worker().request('info', {}, opts)),

    chat: (params, opts = {}) =>
      tracked(async () => {
        await ensureModel();
        const result = await worker().request('chat', params, {
          ...(opts.onChunk ? { onChunk: opts.onChunk } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
        return { result, model: loaded!.model };
      }),

    activeEmbedder() {
      const a = models.activeEmbedder?.() ?? null;
      return a ? { id: a.id } : null;
    },

    noEmbedderReason: () => models.noEmbedderReason?.() ?? (models.activeEmbedder ? null : 'No text embedder is installed.'),

    embed: (params, opts = {}) =>
      tracked(async () => {
        await ensureEmbedder();
        return worker().request('embed', params, opts.signal ? { signal: opts.signal } : {});
      }),

    async chatEnd(sessionId) {
      if (client) await tracked(() => worker().request('chatEnd', { sessionId }));
    },

    setThreads(t) {
      threads = t;
      if (client && clientThreads !== t) replaceWorker();
    },

    async close() {
      const c = client;
      client = null;
      loaded = null;
      loadedEmbedder = null;
      await c?.close();
      await memory.flushed();
    },
  };
}
