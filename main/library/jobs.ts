/**
 * @file The job runner: takes pending jobs from the persistent queue (jobs.repo.ts), runs each through
 * its pipeline step, and records done / failed-retryable / failed-permanent. Pause, resume, retry.
 *
 * Runs in main. Steps are async and do their heavy work off the main thread (sharp's pool, the
 * inference worker); the runner only keeps up to `concurrency` of them in flight.
 *
 * [Note: Pluggable steps] A step is `{ name, version, rank, kinds, run }`. Registering a step with a new
 * name backfills a pending job for every photo of its kinds; bumping its `version` re-queues exactly that
 * step's jobs (jobs.repo.ts `requeueVersion`), nothing else, or only those of the photos the change
 * touched ([Note: Narrow step versions] in steps.ts). Photos in the Trash are left out of both (no
 * file: a claim could only park the job; [Note: Activity leaves the Trash out] in jobs.repo.ts), and a
 * step that says `keepRemoteMade` keeps what a remote backend made ([Note: Remote results outlive a
 * local model change] in main/understanding/understand-step.ts). Lower `rank` runs first across the whole
 * library, so cheap steps (metadata, thumbnails) finish before expensive ones (previews, understanding).
 * The InternVL 'understand' step plugs in through LibraryService.addStep.
 *
 * A version is a string compared for equality; it may name a model ('understand:1:<model id>:<variant>'),
 * so it can change while the app runs: `revalidateStep` re-applies it (the composition root calls it
 * after `models:select`), and the runner re-applies it itself when it notices the change before a claim
 * or after a run. A job re-queued while it ran keeps its re-queue: its outcome is recorded only if its
 * version is unchanged (jobs.repo.ts `finish`). A step may wait for earlier steps of the same photo
 * (`after`: understanding waits for the thumbnail) and may take several jobs in one call (`runBatch`:
 * one model call for a few photos); each job's outcome is still recorded on its own.
 *
 * [Note: Runner start in chunks] At start every step's version is applied and its missing jobs added
 * (`requeueVersion`, `backfill`). The backfill looks at every photo for every step, at each start: on 100k
 * photos and three steps that held main's event loop for 0.15–0.45 s in one piece. `start` runs it over
 * ranges of photo ids (jobs.repo.ts `backfillInChunks`), yielding between them and between steps, and
 * claims nothing until it is done, as before. `requeueVersion` stays one transaction per step: it keeps
 * remote-made results, narrows by mime and parks trashed photos' jobs together, and when no version is
 * stale (nearly every start) it costs one scan of the step's jobs, ~30–40 ms at 100k, no more than a
 * chunk of the other passes; chunking it would pay only at a real version change (~0.6 s at 100k), and
 * after start it also runs while jobs are claimed, where a half-applied version would let the pump claim
 * jobs of the old one. Each backfill chunk is one statement and the pass
 * is idempotent (it adds only the jobs a photo lacks), so a kill -9 between chunks leaves the photos of the
 * chunks still to come without the step's job, and the next start, which backfills again, adds them.
 * Between chunks, ingest may add jobs (at the current version, `ON CONFLICT DO NOTHING`: what the backfill
 * would add), a photo may go to or come back from the Trash (each chunk leaves out the photos in the Trash
 * when it runs; a restore's `ensure` adds the jobs of a photo a chunk already passed), and the user may
 * retry or clear jobs; a clear made then has the photos of the chunks still to come backfilled again, as a
 * clear made just before a restart would. A step whose version changed meanwhile is applied once more at
 * the end (`applied` still holds the version of its first pass).
 */
import type { StepProgress } from '../../preload/contract';
import type { Db } from '../db/open';
import type { FilesRepo } from '../db/files.repo';
import type { JobRow, JobsRepo } from '../db/jobs.repo';
import type { PhotosRepo } from '../db/photos.repo';
import { errMessage } from '../errors';
import type { Log } from '../log';
import { PermanentError, RequeueJob, type JobOutcome, type PipelineStep, type StepContext } from './pipeline-step';
import type { ProgressTracker } from './progress';

export { PermanentError, RequeueJob, type JobOutcome, type PipelineStep, type StepContext };

export interface RunnerDeps {
  db: Db;
  jobs: JobsRepo;
  photos: PhotosRepo;
  files: FilesRepo;
  log: Log;
  progress: ProgressTracker;
  concurrency: number;
  maxAttempts?: number;
  /** Called after every state change (throttled by the caller). */
  onChange: () => void;
  /** Called when a job hits a full disk: the runner pauses itself with this reason. */
  onDiskFull?: (message: string) => void;
  /** How long stop() waits for running jobs (ms, default 5000). */
  stopGraceMs?: number;
  /** Called when a job found its file gone (marked missing). */
  onFileGone?: () => void;
}

export interface JobRunner {
  addStep(step: PipelineStep): void;
  steps(): PipelineStep[];
  /**
   * Applies a step's current `version`: its jobs of another version (done ones included) go back to
   * pending. Call it when the version may have changed (the active model did). A blocked step keeps its
   * jobs as they are: with no model there is nothing to compare against. Returns how many were re-queued.
   */
  revalidateStep(name: string): number;
  /**
   * Runs up to `limit` pending jobs of one step now, outside the pump (the CLI's `shoebox understand`):
   * applies the step's version, queues missing jobs, then claims and runs batches until the limit or
   * nothing claimable is left. Throws the step's blocked reason when it cannot run.
   */
  drain(name: string, limit: number): Promise<JobOutcome[]>;
  /** A step's progress row with what the step itself reports: blocked reason, detail, time per item (and an ETA from it). */
  describe(p: StepProgress): StepProgress;
  /** Resets interrupted jobs, applies pipeline versions and backfills (yielding between chunks), then starts pumping. */
  start(): Promise<void>;
  stop(): Promise<void>;
  pause(reason?: string): void;
  resume(): void;
  paused(): boolean;
  blockedReason(): string | null;
  /** Wakes the runner after new jobs were queued. */
  kick(): void;
  active(): number;
  /** Resolves when no job is pending or running (failed ones do not count). */
  whenIdle(): Promise<void>;
}

const MISSING = 'no file holds this photo right now (missing); it resumes when the file is back';
const isGone = (err: unknown) =>
  (err as NodeJS.ErrnoException)?.code === 'ENOENT' ||
  /Input file is missing|no such file or directory/i.test((err as Error)?.message ?? '');
const isDiskFull = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'ENOSPC' || (err as NodeJS.ErrnoException)?.code === 'EDQUOT';

/** Builds a runner over the jobs table. */
export function createJobRunner(deps: RunnerDeps): JobRunner {
  const { jobs, photos, files, log } = deps;
  const maxAttempts = deps.maxAttempts ?? 3;
  const registry = new Map<string, PipelineStep>();
  const inFlight = new Map<number, { step: string; done: Promise<void> }>();
  const perStep = new Map<string, number>();
  /** The version each step's jobs were last brought to. */
  const applied = new Map<string, string>();
  let started = false;
  /** `start` is applying versions and backfilling ([Note: Runner start in chunks]). */
  let starting = false;
  let closed = false;
  let isPaused = false;
  let pauseReason: string | null = null;
  let idleWaiters: (() => void)[] = [];
  let retryTimer: NodeJS.Timeout | null = null;
  const abort = new AbortController();

  const checkIdle = () => {
    if (inFlight.size > 0 || idleWaiters.length === 0 || (starting && !closed)) return;
    const runnable = [...registry.values()].filter((s) => !s.blocked?.()).map((s) => s.name);
    const pending = jobs.openCount(runnable);
    if (pending > 0 && !isPaused && !closed) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  /** Registered steps that can take another job now: not blocked, below their own concurrency, and a slot free. */
  function allowedSteps(): string[] {
    let shared = 0;
    for (const f of inFlight.values()) if (!registry.get(f.step)?.ownSlots) shared++;
    const out: string[] = [];
    for (const s of registry.values()) {
      if (s.blocked?.() || (perStep.get(s.name) ?? 0) >= (s.concurrency ?? Infinity)) continue;
      if (s.ownSlots || shared < deps.concurrency) out.push(s.name);
    }
    return out;
  }

  /** A claimed job with what its step needs, or null when the runner settled it already. */
  type Prepared = { job: JobRow; ctx: StepContext; file: { root: string; rel_path: string; folder_id: number } | null };

  /**
   * Claims the next work: the best plain job (the queue's order: rank, then priority), else a batch of a
   * step that batches or waits for earlier steps. Such steps rank last today (understanding), so asking
   * them only when no plain job is claimable keeps the rank order.
   */
  function claimNext(now: number): { step: PipelineStep; jobs: JobRow[] } | null {
    const allowed = allowedSteps().map((n) => registry.get(n)!);
    const special = (s: PipelineStep) => s.after !== undefined || s.runBatch !== undefined;
    const job = jobs.claim(
      allowed.filter((s) => !special(s)).map((s) => s.name),
      now,
    );
    if (job) return { step: registry.get(job.step)!, jobs: [job] };
    for (const s of allowed.filter(special).sort((a, b) => a.rank - b.rank)) {
      if (applied.get(s.name) !== s.version) revalidate(s, now);
      const batch = jobs.claimStep(s.name, s.runBatch ? Math.max(1, s.maxBatch?.() ?? 1) : 1, s.after ?? [], now);
      if (batch.length > 0) return { step: s, jobs: batch };
    }
    return null;
  }

  function pump(): void {
    if (!started || closed || isPaused) return checkIdle();
    for (;;) {
      const claimed = claimNext(Date.now());
      if (!claimed) break;
      const { step, jobs: batch } = claimed;
      const key = batch[0]!.id;
      perStep.set(step.name, (perStep.get(step.name) ?? 0) + 1);
      const done = runJobs(step, batch)
        .then(() => {})
        .finally(() => {
          inFlight.delete(key);
          perStep.set(step.name, (perStep.get(step.name) ?? 1) - 1);
          deps.onChange();
          setImmediate(pump);
        });
      inFlight.set(key, { step: step.name, done });
    }
    checkIdle();
  }

  /** Finds the photo and its file; parks (or drops) the job when there is nothing to work on. */
  function prepare(step: PipelineStep, job: JobRow): Prepared | null {
    const photo = photos.get(job.photo_id);
    if (!photo) return null; // the photo was removed meanwhile; its job went with it
    let file: Prepared['file'] = null;
    if (step.needsFile !== false) {
      file = files.firstOkPath(photo.id);
      if (!file) {
        jobs.park(job.id, MISSING, Date.now());
        return null;
      }
    }
    const ctx = { photo, absPath: file ? `${file.root}/${file.rel_path}` : null, attempt: job.attempts, signal: abort.signal };
    return { job, ctx, file };
  }

  async function runJobs(step: PipelineStep, batch: JobRow[]): Promise<JobOutcome[]> {
    const ready: Prepared[] = [];
    const out: JobOutcome[] = [];
    const note = (job: JobRow, outcome: JobOutcome['outcome'], err: unknown) =>
      out.push({ jobId: job.id, photoId: job.photo_id, outcome, error: err === null ? null : errMessage(err) });
    for (const job of batch) {
      try {
        const p = prepare(step, job);
        if (p) ready.push(p);
        else note(job, 'skipped', null);
      } catch (err) {
        note(job, settle(step, { job, file: null }, err), err);
      }
    }
    if (ready.length === 0) return out;
    let outcomes: unknown[]; // null: done
    try {
      if (step.runBatch) outcomes = await step.runBatch(ready.map((p) => p.ctx));
      else outcomes = [await step.run(ready[0]!.ctx).then(() => null)];
    } catch (err) {
      outcomes = ready.map(() => err);
    }
    // The step's version moved while it ran (the active model changed): its jobs of the old version go
    // back to pending first, so recording these outcomes (at the old version) changes nothing.
    if (applied.get(step.name) !== step.version) revalidate(step, Date.now());
    ready.forEach((p, i) => note(p.job, settle(step, p, outcomes[i] ?? null), outcomes[i] ?? null));
    return out;
  }

  /** Records one job's outcome. */
  function settle(step: PipelineStep, { job, file }: Pick<Prepared, 'job' | 'file'>, err: unknown): JobOutcome['outcome'] {
    const now = Date.now();
    const version = job.pipeline_version;
    try {
      if (err === null) {
        jobs.finish(job.id, 'done', null, now, version);
        return 'done';
      }
      const message = errMessage(err);
      if (err instanceof RequeueJob) {
        jobs.release(job.id, now);
        return 'requeued';
      }
      if (file && isGone(err)) {
        // The file went away before the watcher (or a rescan) told us: record that, park the work.
        files.markMissing(file.folder_id, file.rel_path, now);
        jobs.park(job.id, MISSING, now);
        deps.onFileGone?.();
        return 'requeued';
      }
      if (isDiskFull(err)) {
        jobs.finish(job.id, 'pending', null, now, version);
        const reason = `the disk holding the cache is full (${message}); free some space, then resume`;
        pause(reason);
        deps.onDiskFull?.(reason);
        return 'requeued';
      }
      const permanent = err instanceof PermanentError || job.attempts >= maxAttempts;
      jobs.finish(job.id, permanent ? 'failed-permanent' : 'failed-retryable', message, now, version);
      log.warn('job failed', { step: step.name, photoId: job.photo_id, permanent, error: message });
      return 'failed';
    } finally {
      deps.progress.record(step.name);
    }
  }

  /** Re-queues a step's jobs of other versions, unless the step is blocked (see `revalidateStep`). */
  function revalidate(step: PipelineStep, now: number): number {
    if (step.blocked?.()) return 0;
    const version = step.version;
    const n = jobs.requeueVersion(step, now);
    applied.set(step.name, version);
    if (n) log.info('pipeline version changed: re-queued', { step: step.name, version, count: n });
    return n;
  }

  function pause(reason?: string) {
    isPaused = true;
    pauseReason = reason ?? 'paused';
    checkIdle();
  }

  return {
    addStep(step) {
      if (registry.has(step.name)) throw new Error(`step ${step.name} is already registered`);
      registry.set(step.name, step);
      if (started) {
        const now = Date.now();
        revalidate(step, now);
        jobs.backfill(step, now);
        setImmediate(pump);
      }
    },
    steps: () => [...registry.values()].sort((a, b) => a.rank - b.rank),
    async drain(name, limit) {
      const step = registry.get(name);
      if (!step) throw new Error(`no step ${name}`);
      const reason = step.blocked?.();
      if (reason) throw new Error(reason);
      revalidate(step, Date.now());
      jobs.backfill(step, Date.now());
      const out: JobOutcome[] = [];
      while (out.length < limit && !closed) {
        const size = Math.min(limit - out.length, step.runBatch ? Math.max(1, step.maxBatch?.() ?? 1) : 1);
        const batch = jobs.claimStep(name, size, step.after ?? [], Date.now());
        if (batch.length === 0) break;
        const done = await runJobs(step, batch);
        out.push(...done);
        deps.onChange();
        if (done.every((o) => o.outcome === 'requeued')) break; // the step cannot make progress now
      }
      return out;
    },
    describe(p) {
      const s = registry.get(p.step);
      if (!s) return p;
      const r = s.report?.() ?? null;
      const left = p.pending + p.running;
      const spi = r?.secondsPerItem ?? null;
      return {
        ...p,
        ...(s.blocked ? { blockedReason: s.blocked() } : {}),
        ...(r ? { detail: r.detail, secondsPerItem: spi } : {}),
        etaSeconds: p.etaSeconds ?? (spi !== null && spi > 0 ? Math.ceil(left * spi) : null),
      };
    },
    revalidateStep(name) {
      const step = registry.get(name);
      if (!step || !started || applied.get(name) === step.version) return 0;
      const n = revalidate(step, Date.now());
      setImmediate(pump);
      return n;
    },
    async start() {
      if (started || starting) return;
      starting = true;
      const now = Date.now();
      const pause = async () => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (closed) throw new Error('job runner stopped');
      };
      try {
        // Inside the try: a start that fails here (a busy database) must be able to run again.
        const reset = jobs.resetRunning(now);
        if (reset) log.info('re-queued interrupted jobs', { count: reset });
        // A Map's iteration also visits steps added meanwhile.
        for (const s of registry.values()) {
          // A turn before each step: its version check (~30-40 ms at 100k jobs) does not add to the previous
          // step's last backfill chunk.
          await pause();
          // One transaction, unchunked: it scans the step's jobs once and returns when none is stale (nearly
          // every start); a real version change keeps its all-or-nothing semantics (jobs.repo.ts `requeueVersion`).
          revalidate(s, now);
          if (s.kinds.length) await jobs.backfillInChunks(s, now, pause);
        }
      } catch (err) {
        if (closed) return;
        throw err;
      } finally {
        starting = false;
      }
      if (closed) return;
      for (const s of registry.values()) if (applied.get(s.name) !== s.version) revalidate(s, Date.now());
      jobs.retryRetryable(maxAttempts, now);
      started = true;
      retryTimer = setInterval(() => {
        if (jobs.retryRetryable(maxAttempts, Date.now()) > 0) pump();
      }, 15_000);
      retryTimer.unref();
      pump();
    },
    async stop() {
      closed = true;
      abort.abort();
      if (retryTimer) clearInterval(retryTimer);
      // Running jobs get a few seconds to finish (steps see the abort signal); one that does not stays
      // 'running' in the database and is re-queued at the next start ([Note: Crash-safe jobs]).
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((r) => (timer = setTimeout(r, deps.stopGraceMs ?? 5000)));
      await Promise.race([Promise.allSettled([...inFlight.values()].map((f) => f.done)), grace]);
      clearTimeout(timer);
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    },
    pause,
    resume() {
      isPaused = false;
      pauseReason = null;
      pump();
    },
    paused: () => isPaused,
    blockedReason() {
      if (isPaused) return pauseReason;
      for (const s of registry.values()) {
        const r = s.blocked?.();
        if (r) return `${s.name}: ${r}`;
      }
      return null;
    },
    kick: () => setImmediate(pump),
    active: () => inFlight.size,
    whenIdle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        setImmediate(pump);
      });
    },
  };
}
