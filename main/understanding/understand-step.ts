/**
 * @file The 'understand' pipeline step: sends a few photos at a time to the inference worker's
 * `understand` method (background lane) with the enabled tag labels, and hands each photo's answer to
 * the understanding service, which re-checks the maker and stores it. Registered by main/services.ts
 * through `library.addStep`, so the library never imports inference.
 *
 * Runs in main; the work runs in the worker. Still photos (images and RAWs, not videos) are taken after their thumbnail
 * (`after`), newest and visible first (the queue's order), one call at a time (`concurrency: 1`) in a
 * slot of its own (`ownSlots`: the call mostly waits on the worker). The version names the active
 * model, `understand:1:<id>:<variant>`, so selecting another model re-queues every photo it understood
 * (not those a remote backend did: [Note: Remote results outlive a local model change]); with no
 * usable model the step is blocked (its jobs stay pending, with the reason shown) and keeps its last
 * version, so selecting the same model again re-queues nothing.
 *
 * [Note: Remote results outlive a local model change] A remote backend ([Note: Remote backends are a
 * transport] in main/remote/remote-step.ts) is a GPU server that usually runs a larger InternVL than
 * the laptop: a photo it understood is not re-done (and its record not overwritten) by a 1B model
 * installed, selected or switched to another variant later. The registered step (the remote wrapper)
 * declares `keepRemoteMade`: a version change moves a done job whose photo's current record was made
 * remotely (maker `remote:<model>@<host>`, not an error) to the new version without re-queueing it
 * (main/db/jobs.repo.ts `requeueVersion`, one transaction with the re-queue of the rest), and
 * `photos:understanding` calls such a record current. Everything else keeps the version semantics:
 * what a local model made is re-queued, and a job running during the change is re-queued and its
 * outcome dropped ([Note: Pluggable steps] in main/library/jobs.ts). A remote-made photo is re-done
 * when the user asks: "Redo with the current model" (`photos:redoUnderstanding`) clears its record first.
 *
 * [Note: Transient and permanent understanding failures] A worker error code decides what happens to
 * a photo's job (after Ente's note of the same name in its ML worker):
 * - `bad_input` (an image that does not decode or does not fit the context, labels the worker refuses)
 *   and `model_invalid` (the bundle's graphs are broken), and `bad_request` (a request this build made
 *   wrong): retrying cannot help. The photo gets an 'error' state with the message, the job fails at
 *   once (PermanentError); `jobs:retryFailed` tries again after the cause is fixed.
 * - `worker_crashed`, `out_of_memory`, `timeout`, `model_not_loaded`, `internal`: the next try may
 *   work (a fresh worker, a smaller batch). The job fails retryably and the queue tries again, at most
 *   three times. The worker client already re-sent the call once to a fresh worker after a crash
 *   (`understand` is idempotent: it writes nothing), so a single crash costs no attempt at all.
 *   Out of memory also halves the batch for the rest of the session.
 * - `cancelled` (the app is closing) and a result whose model is no longer the active one: the job
 *   goes back to pending without using an attempt (RequeueJob).
 * Results are written one photo per transaction, as upserts keyed by photo, so a worker killed
 * mid-batch loses nothing that was written and doubles nothing when the batch runs again.
 */
import { ApiError } from '../../preload/api-error';
import type { ErrorCode, UnderstandRequest } from '../../native/protocol';
import type { Maker } from '../db/understanding.repo';
import type { InferenceService } from '../inference/inference.service';
import { WorkerClientError } from '../inference/worker-client';
import { PermanentError, RequeueJob, type PipelineStep, type StepContext } from '../library/jobs';
import { modelInputFor } from '../library/model-input';
import type { LibraryService } from '../library/types';
import type { Log } from '../log';
import { UNDERSTAND_STEP, versionFor, type UnderstandingService } from './understanding.service';

/** Worker codes that retrying cannot fix. */
const PERMANENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['bad_input', 'model_invalid', 'bad_request']);
/** How long the active model and the blocked reason are trusted (they read the models folder). */
const CACHE_MS = 2000;

export interface UnderstandStepDeps {
  inference: Pick<InferenceService, 'activeModel' | 'loadedModel' | 'understand'>;
  /** Why no model can run (the model manager's), or null. */
  noModelReason: () => string | null;
  understanding: Pick<UnderstandingService, 'labelSet' | 'record' | 'recordError'>;
  library: Pick<LibraryService, 'getPhoto' | 'ensurePreview'>;
  log: Log;
  /** Photos per worker call: on the CPU (memory-bound decode, 4 is where it stops paying) and on an accelerator. */
  batch?: { cpu: number; accelerator: number };
  now?: () => number;
}

/** The step, plus the hooks the composition root and the shell call. */
export interface UnderstandStep extends PipelineStep {
  /** Pauses the step with a reason shown to the user ('paused on battery'); null resumes. */
  setPaused(reason: string | null): void;
  /** Forget the cached active model (call after `models:select` or a delete). */
  modelChanged(): void;
}

/** Builds the step. */
export function createUnderstandStep(deps: UnderstandStepDeps): UnderstandStep {
  const { inference, understanding, log } = deps;
  const now = deps.now ?? Date.now;
  const batch = deps.batch ?? { cpu: 4, accelerator: 8 };
  let paused: string | null = null;
  let shrink = 1;
  let lastVersion = `${UNDERSTAND_STEP}:1`;
  let cached: { at: number; model: ReturnType<typeof inference.activeModel>; reason: string | null } | null = null;
  let secondsPerPhoto: number | null = null;

  const current = () => {
    if (!cached || now() - cached.at > CACHE_MS) {
      const model = inference.activeModel();
      cached = { at: now(), model, reason: model ? null : (deps.noModelReason() ?? 'no model installed') };
    }
    return cached;
  };

  const codeOf = (err: unknown): ErrorCode | null => (err instanceof WorkerClientError ? err.code : null);

  /** The outcome of a failed photo (or a failed call, for each of its photos). */
  function failure(photoId: number, code: ErrorCode | null, message: string, maker: Maker | null): Error {
    if (code === 'cancelled') return new RequeueJob(message);
    if (code !== null && PERMANENT_CODES.has(code)) {
      if (maker) understanding.recordError(photoId, `${code}: ${message}`, maker);
      return new PermanentError(message);
    }
    if (code === 'out_of_memory' && shrink < 8) {
      shrink *= 2;
      log.warn('understanding ran out of memory: smaller batches from now on', { batch: step.maxBatch!() });
    }
    return new Error(code ? `${code}: ${message}` : message);
  }

  async function runBatch(ctxs: StepContext[]): Promise<(Error | null)[]> {
    const model = inference.activeModel();
    if (!model) return ctxs.map(() => new RequeueJob('no model is active'));
    const maker: Maker = { modelId: model.id, variant: model.variant, version: versionFor(model), demo: model.demo };
    const labels = understanding.labelSet();
    const outcomes: (Error | null)[] = ctxs.map(() => null);
    const sent: { i: number; photoId: number; path: string }[] = [];
    for (const [i, ctx] of ctxs.entries()) {
      try {
        sent.push({ i, photoId: ctx.photo.id, path: await modelInputFor(deps.library, ctx.photo.id) });
      } catch (err) {
        // A photo that cannot be read is the photo's problem; a preview that cannot be made now may be later.
        const permanent = err instanceof ApiError && err.code === 'bad-argument';
        outcomes[i] = permanent ? failure(ctx.photo.id, 'bad_input', err.message, maker) : (err as Error);
      }
    }
    if (sent.length === 0) return outcomes;
    const request: UnderstandRequest = {
      images: sent.map((s) => ({ path: s.path })),
      ...(labels.labels.length > 0
        ? { tags: { labels: labels.labels, textLabels: labels.textLabels, offsets: 'content-free' as const } }
        : {}),
    };
    const started = performance.now();
    let res;
    try {
      res = await inference.understand(request, { signal: ctxs[0]!.signal });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      for (const s of sent) outcomes[s.i] = failure(s.photoId, codeOf(err), message, maker);
      return outcomes;
    }
    const ms = (performance.now() - started) / sent.length;
    secondsPerPhoto = secondsPerPhoto === null ? ms / 1000 : 0.7 * secondsPerPhoto + 0.3 * (ms / 1000);
    // Immich's rule: what the worker ran must be what is active now, else the answers are dropped.
    const made: Maker = { ...maker, modelId: res.model.id, variant: res.model.variant, version: versionFor(res.model) };
    sent.forEach((s, k) => {
      const r = res.photos[k];
      if (!r) outcomes[s.i] = new Error('the worker returned fewer results than photos');
      else if (!understanding.record(s.photoId, r, { maker: made, labels, calibrated: res.calibrated, msPerPhoto: ms }))
        outcomes[s.i] = new RequeueJob(`the active model changed while ${res.model.id} was working; queued again`);
      else if (!r.ok) outcomes[s.i] = failure(s.photoId, r.error.code, r.error.message, null); // its state is written
    });
    return outcomes;
  }

  const step: UnderstandStep = {
    name: UNDERSTAND_STEP,
    rank: 30,
    kinds: ['image', 'raw'],
    concurrency: 1,
    ownSlots: true,
    after: ['thumbnail'],
    get version() {
      const m = current().model;
      if (m) lastVersion = versionFor(m);
      return lastVersion;
    },
    blocked: () => paused ?? current().reason,
    maxBatch() {
      const provider = inference.loadedModel()?.provider ?? 'cpu';
      return Math.max(1, Math.floor((provider === 'cpu' ? batch.cpu : batch.accelerator) / shrink));
    },
    runBatch,
    async run(ctx) {
      const [outcome] = await runBatch([ctx]);
      if (outcome) throw outcome;
    },
    report() {
      const loaded = inference.loadedModel();
      const active = current().model;
      const detail =
        loaded && active && loaded.id === active.id ? `${loaded.provider.toUpperCase()} · ${loaded.variant}` : (active?.variant ?? null);
      return { detail, secondsPerItem: secondsPerPhoto === null ? null : Math.round(secondsPerPhoto * 100) / 100 };
    },
    setPaused(reason) {
      paused = reason;
    },
    modelChanged() {
      cached = null;
    },
  };
  return step;
}
