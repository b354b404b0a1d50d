/**
 * @file The model manager's bundle build after a hub checkpoint download: where the shipped weightless
 * graphs are (`assets/graphs/<arch>/`, see [Note: Shipped graphs, weights built in Node] in
 * native/export/make_graphs.py), the build with the download's variants, cancel and progress, and the
 * bridge from the build's errors to the downloader's, so a failed build reads like any failed install.
 *
 * Runs in main, inside the model manager (manager.ts) through hub-access.ts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Log } from '../../log';
import { DownloadError } from '../http-client';
import type { HubAccessDeps } from '../hub/hub-access';
import { BuildError } from './build-bundle';
import { buildBundleInWorker } from './build-in-worker';
import { checkVariants, workerMeasure, type MeasureVariants } from './variant-check';

/** The manager's `build` option. */
export interface CheckpointBuildOptions {
  /** Root of the shipped graph sets (default {@link defaultGraphsDir}). */
  graphsDir?: string;
  /** Keep the checkpoint after a verified build (default: removed). */
  keepCheckpoint?: boolean;
  /**
   * How the built variants' accuracy is measured ([Note: Variant accuracy check]); default a worker of
   * its own; false skips the check (benchmarks).
   */
  measure?: MeasureVariants | false;
}

/** The `build` hook of hub-access.ts: builds `modelsDir/<id>` from the checkpoint a download kept. */
export function createCheckpointBuilder(
  o: CheckpointBuildOptions & { modelsDir: string; env: NodeJS.ProcessEnv; log: Log },
): NonNullable<HubAccessDeps['build']> {
  return async ({ entry, source, dir, opts }) => {
    let built;
    try {
      // Off main's event loop: [Note: The build runs in a worker thread] in build-in-worker.ts.
      built = await buildBundleInWorker({
        id: entry.id,
        name: entry.name,
        source: `${source.repo}@${source.revision}`,
        checkpointDir: dir,
        modelsDir: o.modelsDir,
        graphsDir: o.graphsDir ?? defaultGraphsDir(o.env),
        ...(opts.variants ? { variants: opts.variants } : {}),
        ...(o.keepCheckpoint ? { keepCheckpoint: true } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        // Each build step's own units: checkpoint bytes while writing weights, bundle bytes while hashing.
        onProgress: (p) => opts.onProgress?.({ state: 'building', buildStep: p.phase, received: p.done, total: p.total, file: null }),
        log: o.log,
      });
    } catch (err) {
      throw buildErrorToDownload(err, opts.signal);
    }
    if (o.measure === false || opts.signal?.aborted) return;
    opts.onProgress?.({ state: 'building', buildStep: 'accuracy', received: 0, total: 1, file: null });
    await checkVariants({
      id: entry.id,
      dir: built.dir,
      variants: built.variants,
      modelsDir: o.modelsDir,
      measure: o.measure ?? workerMeasure(o.env, o.log),
      log: o.log,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  };
}

/**
 * `SHOEBOX_GRAPHS_DIR`, else the packaged app's `resources/graphs` (electron-builder `extraResources`),
 * else `assets/graphs` found above this module (the source tree, or `out/main/` of a build).
 */
export function defaultGraphsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['SHOEBOX_GRAPHS_DIR']) return path.resolve(env['SHOEBOX_GRAPHS_DIR']);
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources && existsSync(path.join(resources, 'graphs'))) return path.join(resources, 'graphs');
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'assets', 'graphs');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve('assets', 'graphs');
}

/** A build failure as a {@link DownloadError} (a cancel stays a cancel; unknown errors pass through). */
export function buildErrorToDownload(err: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted) return new DownloadError('cancelled', 'the bundle build was cancelled');
  if (!(err instanceof BuildError)) return err;
  switch (err.code) {
    case 'disk-full':
      return new DownloadError('disk-full', err.message);
    case 'busy':
      return new DownloadError('busy', err.message);
    case 'exists':
      return new DownloadError('exists', err.message);
    case 'unsupported':
    case 'bad-checkpoint':
      return new DownloadError('bad-manifest', err.message);
  }
}
