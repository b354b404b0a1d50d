/**
 * @file chokidar's watcher with the walk that starts a watch kept to a bounded number of file-system calls
 * in flight, for every folder together. Runs in main (the library's watcher.ts, Electron and the CLI).
 *
 * [Note: Bounded watch walk] Watching a folder starts with a walk of its whole tree, and chokidar 6 runs
 * it as one readdirp stream per folder, all at once, each lstat()ing up to 256 entries together (the
 * stat calls and readdirp's batch are fixed in chokidar's `createScanStream`; no option reaches them;
 * upstream: https://github.com/paulmillr/chokidar/issues/410, "blasting the filesystem with a huge
 * number of parallel requests"). On the 100k-photo bench library (100 folders) that kept ~25,600 calls
 * in libuv's threadpool for as long as the walk ran. Two things followed: every other file access (a
 * page file or thumbnail the host serves, the scanner's own stats) waited behind that queue, 0.4–1.8 s
 * per trip through the pool; and the answers came back to the event loop by the thousand per turn, so
 * the loop stalled 0.5–2 s at a time. A page opened during the startup rescan showed its first thumbnail
 * after 2.9–3.4 s on a quiet machine, 3.8–5.2 s on a busy one (bench:grid, "mid-rescan"; target 1.5 s).
 * A larger pool (UV_THREADPOOL_SIZE 16 or 64) did not help: one thumbnail request still took 5.0–11 s
 * (one first-come-first-served queue, drained by two cores). Reading the host's small files
 * synchronously, off the pool, made a lone thumbnail request quick but not the page (3.8 s: the loop
 * stalls remained).
 *
 * So every walk's stat goes through one process-wide gate of `WALK_STATS_IN_FLIGHT` (64), in order, and
 * each stream takes 16 entries at a time instead of 256 (fewer wait at the gate). 64 keeps the pool's
 * four threads fed, so the walk takes as long: the host's rescan of the 100k library scanned in 4.6–4.7 s
 * before and 4.4–5.0 s after (load 2.3–2.8), and watch plus scan alone took 3.2–9.1 s before and 3.2–8.8
 * s after, with the same CPU time, side by side at a load of 10–12. A loop turn now handles at most 64
 * answers: the longest stall of that run went from 0.5–2.0 s to 4–170 ms, a thumbnail requested 0.5 s
 * into the rescan took 80 ms instead of 2.2 s, and the mid-rescan first thumbnail is 0.85–1.45 s (load
 * 2–7). A per-stream batch alone would grow with the number of folders walked
 * at once; the gate does not. This wraps readdirp's `_stat` (declared in its types, but internal): a
 * version without it is walked unbounded, and test/integration/watch-walk.test.ts fails.
 */
import { FSWatcher, type ChokidarOptions } from 'chokidar';
import type { WatchFactory } from './watcher';

/** At most this many of the watch walks' stats are in the threadpool at once ([Note: Bounded watch walk]). */
export const WALK_STATS_IN_FLIGHT = 64;
/** Entries a folder's readdirp stream takes at once (its default: 256). */
const WALK_BATCH = 16;

export interface Gate {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** The most tasks seen running at once. */
  readonly peak: number;
}

/** Runs at most `max` tasks at once; the others start in the order they came. */
export function concurrencyGate(max: number): Gate {
  let running = 0;
  let peak = 0;
  // A queue with a moving head: Array#shift copies a large array (thousands may wait here).
  let waiting: ((() => void) | undefined)[] = [];
  let head = 0;
  const release = () => {
    const next = waiting[head];
    if (!next) {
      running--;
      return;
    }
    waiting[head++] = undefined;
    if (head > 1024 && head * 2 > waiting.length) {
      waiting = waiting.slice(head);
      head = 0;
    }
    next(); // the slot passes to it
  };
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running < max) running++;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      peak = Math.max(peak, running);
      try {
        return await task();
      } finally {
        release();
      }
    },
    get peak() {
      return peak;
    },
  };
}

/** chokidar's watcher, its walk's stats through `gate` ([Note: Bounded watch walk]). */
class BoundedWalkWatcher extends FSWatcher {
  constructor(
    options: ChokidarOptions,
    private readonly gate: Gate,
  ) {
    super(options);
  }

  override createScanStream(root: string, opts?: Parameters<FSWatcher['createScanStream']>[1]) {
    const stream = super.createScanStream(root, { highWaterMark: WALK_BATCH, ...opts });
    if (typeof stream?._stat !== 'function') return stream;
    const stat = stream._stat as (path: string) => Promise<unknown>;
    stream._stat = (path: string) => this.gate.run(() => stat(path));
    return stream;
  }
}

const walkGate = concurrencyGate(WALK_STATS_IN_FLIGHT);

/** A watch factory whose walks go through `gate`: by default one gate for every folder of the process. */
export const boundedWatch =
  (gate: Gate = walkGate): WatchFactory =>
  (root, options) =>
    new BoundedWalkWatcher(options, gate).add(root);
