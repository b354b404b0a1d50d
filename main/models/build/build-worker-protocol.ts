/**
 * @file The messages between main and the bundle build's worker thread (build-worker.ts,
 * build-in-worker.ts): structured-clone data only.
 *
 * Types only; used in main and in the worker thread.
 */
import type { LogLevel } from '../../log';
import type { BuildError, BuildOptions, BuildProgress, BuildResult } from './build-bundle';

/** The build's options that cross to the worker (functions and the signal stay in main). */
export type WorkerBuildOptions = Omit<BuildOptions, 'signal' | 'onProgress' | 'log'>;

/** main → worker. */
export type ToBuildWorker = { type: 'cancel' };

/** An error as it crosses the thread boundary (an Error's own fields, which structured clone drops). */
export interface WorkerError {
  name: string;
  message: string;
  /** A BuildError's code or a system error's (ENOSPC, …). */
  code?: string;
  /** True for a {@link BuildError}: `code` is one of its codes. */
  buildError: boolean;
  stack?: string;
}

/** worker → main. */
export type FromBuildWorker =
  | { type: 'progress'; progress: BuildProgress }
  | { type: 'log'; level: LogLevel; msg: string; fields?: Record<string, unknown> }
  | { type: 'done'; result: BuildResult }
  | { type: 'error'; error: WorkerError };

export type BuildErrorCode = BuildError['code'];
