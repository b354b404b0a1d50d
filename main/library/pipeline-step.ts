/**
 * @file The contract between the job runner (./jobs.ts) and every pipeline step: what a step declares,
 * what it gets to work on, and the errors by which it tells the runner what to do with a job. See
 * [Note: Pluggable steps] in ./jobs.ts, which re-exports all of this.
 *
 * Runs in main. Types and two error classes only.
 */
import type { MediaKind } from '../../preload/contract';
import type { StepKey } from '../db/jobs.repo';
import type { PhotoRow } from '../db/photos.repo';

/**
 * Thrown by a step when retrying cannot help (a corrupt or unsupported file): the runner marks the job
 * failed-permanent at once instead of spending its remaining attempts.
 */
export class PermanentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}

/**
 * Thrown (or returned by `runBatch`) when a job cannot finish for a reason outside its photo (the model
 * changed while it ran): the job goes back to pending without using up an attempt.
 */
export class RequeueJob extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequeueJob';
  }
}

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
  /** Steps whose job for the same photo must be done (or failed) before this step's job may start. */
  after?: readonly string[];
  /** Most jobs handed to `runBatch` at once (read at each claim); 1 when absent. */
  maxBatch?(): number;
  /**
   * Runs several photos in one go (one model call); resolves with one outcome per context, in order:
   * null when done, else the error (PermanentError, RequeueJob, or any other for a retry). Without it
   * the runner calls `run`, one job at a time.
   */
  runBatch?(ctxs: StepContext[]): Promise<(Error | null)[]>;
  /** What the progress row shows beside the counts: where the step runs, and its own time per item. */
  report?(): { detail: string | null; secondsPerItem: number | null };
  /** Does the work; throw PermanentError when retrying cannot help. */
  run(ctx: StepContext): Promise<void>;
}

/** What became of one job run by `drain`. */
export interface JobOutcome {
  jobId: number;
  photoId: number;
  outcome: 'done' | 'failed' | 'requeued' | 'skipped';
  error: string | null;
}
