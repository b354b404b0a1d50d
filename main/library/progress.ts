/**
 * @file Per-step throughput and ETA for the progress panel and `shoebox status`.
 *
 * Runs in main. Keeps the completion times of the last minute per step in memory (nothing persisted:
 * after a restart the rate starts again from zero and the ETA says "unknown" until it has data).
 */
import type { StepProgress } from '../../preload/contract';

const WINDOW_MS = 60_000;

/** Counts completions and turns job counts into StepProgress rows. */
export interface ProgressTracker {
  /** Records one finished job (done or failed) of `step`. */
  record(step: string, now?: number): void;
  rate(step: string, now?: number): number;
  progress(step: string, counts: { pending: number; running: number; done: number; failed: number }, now?: number): StepProgress;
}

/** Builds a tracker; `startedAt` bounds the window right after startup so early rates are not diluted. */
export function createProgressTracker(startedAt = Date.now()): ProgressTracker {
  const times = new Map<string, number[]>();
  const prune = (list: number[], now: number) => {
    let i = 0;
    while (i < list.length && list[i]! < now - WINDOW_MS) i++;
    if (i > 0) list.splice(0, i);
  };
  const rate = (step: string, now = Date.now()) => {
    const list = times.get(step);
    if (!list || list.length === 0) return 0;
    prune(list, now);
    if (list.length === 0) return 0;
    const span = Math.max(1_000, Math.min(WINDOW_MS, now - Math.max(startedAt, now - WINDOW_MS, list[0]! - 1_000)));
    return list.length / (span / 1000);
  };
  return {
    record(step, now = Date.now()) {
      let list = times.get(step);
      if (!list) times.set(step, (list = []));
      list.push(now);
      if (list.length > 4096) prune(list, now);
    },
    rate,
    progress(step, c, now = Date.now()) {
      const r = rate(step, now);
      const left = c.pending + c.running;
      return {
        step,
        ...c,
        rate: Math.round(r * 100) / 100,
        etaSeconds: left === 0 ? 0 : r > 0 ? Math.ceil(left / r) : null,
      };
    },
  };
}
