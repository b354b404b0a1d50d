/**
 * @file A counting limiter: at most `size()` tasks run at once, the rest wait in order. The remote
 * understander sends every request through one, so `remote.inFlight` requests reach the server at once
 * (enough for it to batch them) whatever the number of photos being worked on.
 *
 * Runs in main. Pure; the size is read at every start, so a changed setting applies at once.
 */

export interface Limiter {
  /** Runs `task` when a slot is free; a task still waiting when `signal` aborts rejects with its reason. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Tasks running now. */
  active(): number;
}

/** Builds a limiter of `size()` slots (at least 1). */
export function createLimiter(size: () => number): Limiter {
  let active = 0;
  const waiting: (() => Promise<void>)[] = [];
  const next = () => {
    while (waiting.length > 0 && active < Math.max(1, size())) {
      active++;
      void waiting.shift()!();
    }
  };
  return {
    active: () => active,
    run(task, signal) {
      return new Promise((resolve, reject) => {
        const start = async () => {
          signal?.removeEventListener('abort', onAbort);
          try {
            resolve(await task());
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          } finally {
            // Freed before the caller resumes, so `active()` is exact when it does.
            active--;
            next();
          }
        };
        const onAbort = () => {
          const i = waiting.indexOf(start);
          if (i >= 0) waiting.splice(i, 1);
          reject(signal?.reason instanceof Error ? signal.reason : new Error('cancelled'));
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(start);
        next();
      });
    },
  };
}
