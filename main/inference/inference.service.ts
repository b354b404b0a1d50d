/**
 * @file What the app asks of InternVL: describe a photo (caption, or an answer to a question about
 * it), streaming text as it is generated; and what the worker reports of its environment (doctor).
 * Owns the inference worker's lifetime: started on first use, (re)loaded with whatever bundle the
 * model manager says is active, closed with the app.
 *
 * Runs in main. The worker only ever receives the verified local bundle folder from the model manager
 * (style.md §6); with no usable model this says why and points to the Models page.
 *
 * [Note: Demo output is labelled] A random-weight bundle writes meaningless text. The model manager only
 * hands one out in demo mode (SHOEBOX_DEMO_MODEL=1), and every result carries `demo: true` so the UI and
 * CLI label it.
 *
 * The caption prompt and the token limit are the worker's defaults (`native/pipelines/caption.ts`,
 * `generate.ts`); this sends them only when the caller gave them.
 */
import { ApiError } from '../../preload/api-error';
import type { DescribeResult } from '../../preload/contract';
import type { WorkerInfo } from '../../native/protocol';
import type { Log } from '../log';
import type { ActiveBundle } from '../models/manager';
import { createWorkerClient, WorkerClientError, type Spawner, type WorkerClient } from './worker-client';

export interface InferenceDeps {
  models: { activeBundle(): ActiveBundle | null; noModelReason(): string | null };
  log: Log;
  /** How to start the worker (Electron passes a utilityProcess spawner); child_process.fork by default. */
  spawn?: Spawner | undefined;
}

export interface DescribeOptions {
  /** A question about the photo; the worker's caption prompt when absent. */
  prompt?: string | undefined;
  /** Token limit; the worker's default when absent. */
  maxNewTokens?: number | undefined;
  onText?: ((text: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** The inference worker as the rest of main sees it. */
export interface InferenceService {
  /** Captions (or answers `prompt` about) the image at `imagePath`, streaming text through `onText`. */
  describe(imagePath: string, opts?: DescribeOptions): Promise<Omit<DescribeResult, 'requestId'>>;
  /**
   * The worker's environment: CPU features, execution providers, threads, loaded models. Starts the
   * worker when it is not running; never loads a model.
   */
  workerInfo(opts?: { timeoutMs?: number }): Promise<WorkerInfo>;
  /** Stops the worker. */
  close(): Promise<void>;
}

export function createInference({ models, log, spawn }: InferenceDeps): InferenceService {
  let client: WorkerClient | null = null;
  let loaded: { dir: string; sha: string } | null = null;

  const worker = (): WorkerClient => {
    client ??= createWorkerClient({ ...(spawn ? { spawn } : {}), log: (m) => log.info(m) });
    return client;
  };

  /** Loads the active bundle into the worker unless it already is. */
  async function ensureModel(): Promise<ActiveBundle> {
    const active = models.activeBundle();
    if (!active) throw new ApiError('unavailable', models.noModelReason() ?? 'No model is available. Open the Models page.');
    const sha = JSON.stringify(active.manifest.files);
    if (loaded?.dir !== active.dir || loaded.sha !== sha) {
      const r = await worker().request('load', { dir: active.dir });
      log.info('model loaded', { id: r.id, variant: r.variant, ms: Math.round(r.loadMs), providers: r.providers });
      loaded = { dir: active.dir, sha };
    }
    return active;
  }

  return {
    async describe(imagePath, opts = {}) {
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
          { ...(opts.onText ? { onChunk: (c) => c.text && opts.onText?.(c.text) } : {}), ...(opts.signal ? { signal: opts.signal } : {}) },
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
    },

    workerInfo: (opts = {}) => worker().request('info', {}, opts),

    async close() {
      const c = client;
      client = null;
      loaded = null;
      await c?.close();
    },
  };
}
