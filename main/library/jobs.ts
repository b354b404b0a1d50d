/**
 * @file The job runner: takes pending jobs from the persistent queue (jobs.repo.ts), runs each through
 * its pipeline step, and records done / failed-retryable / failed-permanent. Pause, resume, retry.
 *
 * Runs in main. Steps are async and do their heavy work off the main thread (sharp's pool, the
 * inference worker); the runner only keeps up to `concurrency` of them in flight.
 *
 * [Note: Pluggable steps] A step is `{ name, version, rank, kinds, run }`. Registering a step with a new
 * name backfills a pending job for every photo of its kinds; bumping its `version` re-queues exactly that
 * step's jobs (jobs.repo.ts `requeueVersion`), nothing else. Lower `rank` runs first across the whole
 * library, so cheap steps (metadata, thumbnails) finish before expensive ones (previews, understanding).
 * The InternVL 'understand' step plugs in through LibraryService.addStep.
 */
import type { Db } from '../db/open';
import type { FilesRepo } from '../db/files.repo';
import type { JobRow, JobsRepo, StepKey } from '../db/jobs.repo';
import type { MediaKind, PhotoRow, PhotosRepo } from '../db/photos.repo';
import type { Log } from '../log';
import { PermanentError } from './decoders';
import type { ProgressTracker } from './progress';

/** What a step gets to work on. */
export interface StepContext {
  photo: PhotoRow;
  /** Absolute path of a readable file with this content (null only for steps with `needsFile: false`). */
  absPath: string | null;
  attempt: number;
  signal: AbortSignal;
}

/** One pipeline step after discovery. */
export interface PipelineStep extends StepKey {
  kinds: readonly MediaKind[];
  /** At most this many of this step's jobs at once (e.g. 1 for a wasm decoder or a GPU model). */
  concurrency?: number;
  /** Runs in slots of its own (up to `concurrency`), beside the shared ones: for light, mostly waiting steps. */
  ownSlots?: boolean;
  /** Set false for steps that work without an ok file (the 'read' retry step). */
  needsFile?: boolean;
  /** Why the step cannot run now (e.g. 'no model installed'), or null. Blocked steps stay pending. */
  blocked?(): string | null;
  /** Does the work; throw PermanentError when retrying cannot help. */
  run(ctx: StepContext): Promise<void>;
}

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
  /** Resets interrupted jobs, applies pipeline versions and backfills, then starts pumping. */
  start(): void;
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
  let started = false;
  let closed = false;
  let isPaused = false;
  let pauseReason: string | null = null;
  let idleWaiters: (() => void)[] = [];
  let retryTimer: NodeJS.Timeout | null = null;
  const abort = new AbortController();

  const checkIdle = () => {
    if (inFlight.size > 0 || idleWaiters.length === 0) return;
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

  function pump(): void {
    if (!started || closed || isPaused) return checkIdle();
    for (;;) {
      const now = Date.now();
      const job = jobs.claim(allowedSteps(), now);
      if (!job) break;
      const step = registry.get(job.step)!;
      perStep.set(step.name, (perStep.get(step.name) ?? 0) + 1);
      const done = runOne(step, job).finally(() => {
        inFlight.delete(job.id);
        perStep.set(step.name, (perStep.get(step.name) ?? 1) - 1);
        deps.onChange();
        setImmediate(pump);
      });
      inFlight.set(job.id, { step: step.name, done });
    }
    checkIdle();
  }

  async function runOne(step: PipelineStep, job: JobRow): Promise<void> {
    let file: { root: string; rel_path: string; folder_id: number } | null = null;
    try {
      const photo = photos.get(job.photo_id);
      if (!photo) return; // the photo was removed meanwhile; its job went with it
      if (step.needsFile !== false) {
        file = files.firstOkPath(photo.id);
        if (!file) {
          jobs.park(job.id, MISSING, Date.now());
          return;
        }
      }
      await step.run({ photo, absPath: file ? `${file.root}/${file.rel_path}` : null, attempt: job.attempts, signal: abort.signal });
      jobs.finish(job.id, 'done', null, Date.now());
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (file && isGone(err)) {
        // The file went away before the watcher (or a rescan) told us: record that, park the work.
        files.markMissing(file.folder_id, file.rel_path, Date.now());
        jobs.park(job.id, MISSING, Date.now());
        deps.onFileGone?.();
        return;
      }
      if (isDiskFull(err)) {
        jobs.finish(job.id, 'pending', null, Date.now());
        const reason = `the disk holding the cache is full (${message}); free some space, then resume`;
        pause(reason);
        deps.onDiskFull?.(reason);
        return;
      }
      const permanent = err instanceof PermanentError || job.attempts >= maxAttempts;
      jobs.finish(job.id, permanent ? 'failed-permanent' : 'failed-retryable', message, Date.now());
      log.warn('job failed', { step: step.name, photoId: job.photo_id, permanent, error: message });
    } finally {
      deps.progress.record(step.name);
    }
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
        jobs.requeueVersion(step, now);
        jobs.backfill(step, now);
        setImmediate(pump);
      }
    },
    steps: () => [...registry.values()].sort((a, b) => a.rank - b.rank),
    start() {
      if (started) return;
      const now = Date.now();
      const reset = jobs.resetRunning(now);
      if (reset) log.info('re-queued interrupted jobs', { count: reset });
      for (const s of registry.values()) {
        const requeued = jobs.requeueVersion(s, now);
        if (requeued) log.info('pipeline version changed: re-queued', { step: s.name, version: s.version, count: requeued });
        if (s.kinds.length) jobs.backfill(s, now);
      }
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
