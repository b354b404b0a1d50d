/**
 * @file Runs the bundle build (build-bundle.ts) in a worker thread of its own and gives main the same
 * promise, progress, log lines, cancel and errors as a direct call.
 *
 * Runs in main (the app, the CLI, the headless host). Plain Node; no Electron.
 *
 * [Note: The build runs in a worker thread] Converting and quantizing a checkpoint is minutes of
 * synchronous arithmetic in chunks of up to a second or more per tensor (the InternVL3-1B lm_head);
 * on main's event loop it froze the window's IPC and the host's requests for up to 3.7 s at a time
 * (test/bench/install.ts, `max_stall_ms`). The whole build — reads, arithmetic, writes, hashing —
 * runs in a `worker_threads` Worker instead: a thread, not a process, so its memory counts with
 * Shoebox's, a kill -9 of Shoebox ends it too ([Note: Bundle build staging] still holds: the next
 * start throws the staging folder away), and the lock it takes carries Shoebox's pid. Cancel is a
 * message; the worker stops at the next tensor and cleans up as a direct call does.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BuildError, type BuildOptions, type BuildResult } from './build-bundle';
import type { BuildErrorCode, FromBuildWorker, ToBuildWorker, WorkerBuildOptions, WorkerError } from './build-worker-protocol';

/**
 * Where the worker's entry is: the bundled `build-worker.js` (beside this module's bundle, or one level
 * up from a shared chunk in `out/main/chunks/`), else the TS source beside this file (dev and tests,
 * loaded through tsx).
 */
export function resolveBuildWorkerEntry(): { file: string; ts: boolean } {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const dir of [here, ...(path.basename(here) === 'chunks' ? [path.dirname(here)] : [])]) {
    const bundled = path.join(dir, 'build-worker.js');
    if (existsSync(bundled)) return { file: bundled, ts: false };
  }
  const src = path.join(here, 'build-worker.ts');
  if (existsSync(src)) return { file: src, ts: true };
  throw new Error(`cannot find the bundle build worker (looked for build-worker.js and ${src})`);
}

/** Starts the worker; a TS entry gets tsx's loader registered first (`--import` does not reach a worker's entry on Node 20). */
function startWorker(workerData: WorkerBuildOptions): Worker {
  const entry = resolveBuildWorkerEntry();
  if (!entry.ts) return new Worker(entry.file, { workerData });
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(pathToFileURL(entry.file).href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

function toError(e: WorkerError): Error {
  const err = e.buildError ? new BuildError(e.message, e.code as BuildErrorCode) : Object.assign(new Error(e.message), { name: e.name });
  if (!e.buildError && e.code !== undefined) (err as NodeJS.ErrnoException).code = e.code;
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}

/** {@link buildBundle} in a worker thread ([Note: The build runs in a worker thread]); same options, same result. */
export function buildBundleInWorker(o: BuildOptions): Promise<BuildResult> {
  const { signal, onProgress, log, ...data } = o;
  signal?.throwIfAborted();
  return new Promise<BuildResult>((resolve, reject) => {
    const worker = startWorker(data);
    let settled: { ok: true; result: BuildResult } | { ok: false; error: Error } | null = null;
    const cancel = () => worker.postMessage({ type: 'cancel' } satisfies ToBuildWorker);
    signal?.addEventListener('abort', cancel, { once: true });
    worker.on('message', (m: FromBuildWorker) => {
      switch (m.type) {
        case 'progress':
          onProgress?.(m.progress);
          break;
        case 'log':
          log[m.level](m.msg, m.fields);
          break;
        case 'done':
          settled = { ok: true, result: m.result };
          break;
        case 'error':
          settled = { ok: false, error: toError(m.error) };
          break;
      }
    });
    worker.on('error', (err) => {
      settled ??= { ok: false, error: err };
    });
    // Settle on exit: by then the worker has closed its files and released the build lock.
    worker.on('exit', (code) => {
      signal?.removeEventListener('abort', cancel);
      const s = settled ?? {
        ok: false as const,
        error: new Error(`the bundle build worker stopped without an answer (exit code ${code})`),
      };
      if (s.ok) resolve(s.result);
      else reject(s.error);
    });
  });
}
