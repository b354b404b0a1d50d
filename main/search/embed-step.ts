/**
 * @file The 'embed' pipeline step: embeds each photo's description (./description.ts) with the active
 * text embedder, in the worker's background lane, `BATCH` descriptions per call, and stores the vectors
 * (main/db/embeddings.repo.ts) for dense search. Registered by main/services.ts through
 * `library.addStep`, beside the understanding step.
 *
 * Runs in main; the work runs in the worker.
 *
 * [Note: Embedding ingestion]
 * - When: every photo has an 'embed' job (any kind: a video's caption may be the user's). The job runs
 *   whenever it is pending; a photo with nothing said of it yet finishes at once with no vector. Any
 *   change to a caption, a text, a tag or a label re-queues the job in the same transaction as the
 *   change (triggers of migration 0007), whether the understanding step or the user made it, so a
 *   crash can never leave a description newer than its vector's job.
 * - Skips: the description's sha256 is stored with the vector; a job whose description hashes the same
 *   for the active model finishes without a worker call (a re-run that says the same, a switch back to
 *   an earlier embedder).
 * - Model: the version is `embed:1:<embedder id>`, so installing or switching the embedder re-queues
 *   every job (the backfill) while the old model's vectors stay until search stops reading them; with
 *   no embedder the step is blocked, its jobs pending, the reason shown on the Activity page.
 * - Writes: the vectors of a call are stored in one transaction that first builds each description
 *   again: one that changed while the worker worked is not stored and its job goes back to pending
 *   (RequeueJob), and vectors from a model that is no longer active are dropped (Immich's rule, as in
 *   [Note: Derived data knows its maker]). kill -9 at any point leaves either the old vectors or the
 *   new ones, and the job queue re-runs what was running ([Note: Crash-safe jobs]).
 * - Failures follow [Note: Transient and permanent understanding failures]: codes retrying cannot fix
 *   fail the job at once, the rest are retried by the queue, `cancelled` goes back to pending.
 */
import type { ErrorCode } from '../../native/protocol';
import type { EmbeddingsRepo } from '../db/embeddings.repo';
import { errMessage } from '../errors';
import { WorkerClientError } from '../inference/worker-client';
import { PermanentError, RequeueJob, type PipelineStep, type StepContext } from '../library/jobs';
import type { Log } from '../log';
import { describePhoto, descriptionHash } from './description';
import type { TextEmbedder } from './text-embedder';

/** The step's name in the queue. */
export const EMBED_STEP = 'embed';
/** Bump when the description's recipe or the stored shape changes; the model id is appended. */
export const EMBED_VERSION = 1;
/** Descriptions per worker call. */
export const BATCH = 32;
/** The step version for an embedder: `embed:1:<model id>`. */
export const embedVersionFor = (modelId: string) => `${EMBED_STEP}:${EMBED_VERSION}:${modelId}`;

/** Worker codes that retrying cannot fix. */
const PERMANENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['bad_input', 'model_invalid', 'bad_request']);
/** How long the active embedder is trusted between looks (it reads the models folder). */
const CACHE_MS = 2000;
/** Removal-log entries older than this are forgotten ([Note: Dense index]). */
const REMOVALS_KEPT_MS = 7 * 86_400_000;

export interface EmbedStepDeps {
  embedder: TextEmbedder;
  repo: EmbeddingsRepo;
  log: Log;
  now?: () => number;
}

export interface EmbedStep extends PipelineStep {
  /** Pauses the step with a reason shown to the user; null resumes. */
  setPaused(reason: string | null): void;
  /** Forget the cached active embedder (call after a model was selected, installed or deleted). */
  modelChanged(): void;
}

/** Builds the step. */
export function createEmbedStep(deps: EmbedStepDeps): EmbedStep {
  const { embedder, repo, log } = deps;
  const now = deps.now ?? Date.now;
  let paused: string | null = null;
  let lastVersion = `${EMBED_STEP}:${EMBED_VERSION}`;
  let cached: { at: number; model: string | null; reason: string | null } | null = null;
  let secondsPerItem: number | null = null;
  let pruned = 0;

  const current = () => {
    if (!cached || now() - cached.at > CACHE_MS) {
      const model = embedder.active()?.modelId ?? null;
      cached = { at: now(), model, reason: model ? null : (embedder.unavailableReason() ?? 'no text embedder installed') };
    }
    return cached;
  };

  function failure(err: unknown, single: boolean): Error {
    const code = err instanceof WorkerClientError ? err.code : null;
    const message = errMessage(err);
    if (code === 'cancelled') return new RequeueJob(message);
    // A batch refused as bad input may hold one bad text: retried (alone, in time) before it counts.
    if (code !== null && PERMANENT_CODES.has(code) && (single || code !== 'bad_input')) return new PermanentError(`${code}: ${message}`);
    return new Error(code ? `${code}: ${message}` : message);
  }

  async function runBatch(ctxs: StepContext[]): Promise<(Error | null)[]> {
    const modelId = embedder.active()?.modelId ?? null;
    if (!modelId) return ctxs.map(() => new RequeueJob('no text embedder is active'));
    if (now() - pruned > 3_600_000) {
      pruned = now();
      repo.pruneRemovals(now() - REMOVALS_KEPT_MS);
    }
    const ids = ctxs.map((c) => c.photo.id);
    const wanted = new Map(repo.sources(ids).map((s) => [s.photoId, describePhoto(s)]));
    const stored = new Map(repo.stored(modelId, ids).map((s) => [s.photoId, s.textHash]));
    const outcomes: (Error | null)[] = ctxs.map(() => null);
    const todo: { i: number; photoId: number; text: string; hash: string }[] = [];
    const emptied: number[] = [];
    ctxs.forEach((c, i) => {
      const text = wanted.get(c.photo.id) ?? '';
      const hash = descriptionHash(text);
      if (!text) {
        if (stored.has(c.photo.id)) emptied.push(c.photo.id);
      } else if (stored.get(c.photo.id) !== hash) todo.push({ i, photoId: c.photo.id, text, hash });
    });
    if (emptied.length) repo.atomically(() => emptied.forEach((id) => repo.remove(id, modelId)));
    if (todo.length === 0) return outcomes;

    const started = performance.now();
    let res;
    try {
      res = await embedder.embed(
        todo.map((t) => t.text),
        'passage',
        { signal: ctxs[0]!.signal },
      );
    } catch (err) {
      const e = failure(err, todo.length === 1);
      for (const t of todo) outcomes[t.i] = e;
      return outcomes;
    }
    const perItem = (performance.now() - started) / 1000 / todo.length;
    secondsPerItem = secondsPerItem === null ? perItem : 0.7 * secondsPerItem + 0.3 * perItem;
    if (res.vectors.length !== todo.length) {
      const e = new Error(`the embedder returned ${res.vectors.length} vectors for ${todo.length} texts`);
      log.warn('embedding batch failed', { error: e.message });
      for (const t of todo) outcomes[t.i] = e;
      return outcomes;
    }
    repo.atomically(() => {
      // Immich's rule: what the worker ran must be what is active now, else the vectors are dropped.
      if (embedder.active()?.modelId !== res.modelId) {
        for (const t of todo) outcomes[t.i] = new RequeueJob(`the text embedder changed while ${res.modelId} was working; queued again`);
        return;
      }
      const fresh = new Map(repo.sources(todo.map((t) => t.photoId)).map((s) => [s.photoId, describePhoto(s)]));
      todo.forEach((t, k) => {
        if (fresh.get(t.photoId) !== t.text) outcomes[t.i] = new RequeueJob('the description changed while it was embedded; queued again');
        else repo.write({ photoId: t.photoId, modelId: res.modelId, text: t.text, textHash: t.hash, vector: res.vectors[k]! }, now());
      });
    });
    return outcomes;
  }

  return {
    name: EMBED_STEP,
    rank: 40,
    kinds: ['image', 'raw', 'video'],
    needsFile: false,
    concurrency: 1,
    ownSlots: true,
    get version() {
      const m = current().model;
      if (m) lastVersion = embedVersionFor(m);
      return lastVersion;
    },
    blocked: () => paused ?? current().reason,
    maxBatch: () => BATCH,
    runBatch,
    async run(ctx) {
      const [outcome] = await runBatch([ctx]);
      if (outcome) throw outcome;
    },
    report: () => ({
      detail: current().model,
      secondsPerItem: secondsPerItem === null ? null : Math.round(secondsPerItem * 1000) / 1000,
    }),
    setPaused(reason) {
      paused = reason;
    },
    modelChanged() {
      cached = null;
    },
  };
}
