/**
 * @file The library service: folders, scanning, watching, the job queue, and the read side the API
 * serves (grid pages, timeline, photo details, job status). Composition of the small modules beside it.
 *
 * Runs in main (and the CLI, headless host and tests). Never blocks: scans and jobs are async, and
 * database reads are single indexed queries.
 */
import { existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { ApiError } from '../../preload/api-error';
import type { FolderDto, JobsStatus } from '../../preload/contract';
import { createFilesRepo } from '../db/files.repo';
import { createFoldersRepo, type FolderRow } from '../db/folders.repo';
import { createJobsRepo, VISIBLE_PRIORITY } from '../db/jobs.repo';
import type { Db } from '../db/open';
import { createPhotosRepo } from '../db/photos.repo';
import { createPlacesRepo } from '../db/places.repo';
import type { Emit } from '../events';
import type { Log } from '../log';
import { createGeocodeStep } from '../places/geocode-step';
import type { AppPaths } from '../paths';
import { createIngest } from './ingest';
import { createJobRunner, type JobOutcome, type PipelineStep } from './jobs';
import { createNotifier, type Notifier } from './notify';
import { createPreviews } from './previews';
import { createProgressTracker } from './progress';
import { createAreaRead } from './area-read';
import { createLayoutRead } from './layout-read';
import { createReadSide } from './read-side';
import { viewKey } from '../db/collections-views.repo';
import { checkNewRoot } from './roots';
import { builtinSteps } from './steps';
import { createScans } from './scans';
import { ingestPaths, type SyncDeps } from './sync';
import { cacheFile, sweepTempFiles } from './thumbnails';
import type { LibraryService } from './types';
import type { WatchFactory } from './watcher';
import { createWatching } from './watching';

export interface LibraryOptions {
  /** Jobs in flight at once (default: 2 × cores, at most 8: sharp runs one thread per job here). */
  concurrency?: number;
  /** Pixel limit against decompression bombs (default 200 MP). */
  limitPixels?: number;
  /** Watch folders with chokidar (default true). */
  watch?: boolean;
  /** awaitWriteFinish stability threshold in ms (default 400). */
  settleMs?: number;
  /** Periodic rescan interval for folders that cannot be watched, and the check for missing folders (ms, default 30 s). */
  rescanIntervalMs?: number;
  maxDepth?: number;
  /** Tests: wrap chokidar (e.g. to inject a watch-limit error). */
  watchFactory?: WatchFactory;
  /** Extra pipeline steps (the InternVL understanding step). */
  steps?: PipelineStep[];
  /** How long `start()` waits before watching and rescanning the folders (ms, default 2 s; see [Note: Reads before the startup rescan]). */
  startupRescanDelayMs?: number;
}

export interface LibraryDeps {
  db: Db;
  paths: AppPaths;
  log: Log;
  emit: Emit;
  options?: LibraryOptions;
}

/** The library as the API, CLI and host see it, plus `addStep` for later pipeline steps. */
export interface Library extends LibraryService {
  addStep(step: PipelineStep): void;
  /** Moves these photos' pending jobs to the front of the queue (the grid's visible cells). */
  prioritize(photoIds: number[]): void;
  /** Removes pending and failed jobs (of one step or all); a rescan or restart queues them again. */
  clearJobs(step?: string): number;
  /** Forgets files marked missing, and photos left without any file; returns how many photos went. */
  forgetMissing(): number;
  /** Records a change made outside the library's own modules (favourites, albums, trash): clears cached counts, emits `library:changed`. */
  noteChanged(folderId: number | null, counts: { added: number; updated: number; removed: number }): void;
  /** Tells the queue to look again: call when a step's `blocked()` answer may have changed (a model was installed). */
  wake(): void;
  /** Re-applies a step's version (it names the active model): jobs made by another version are queued again. */
  revalidateStep(name: string): number;
  /** Queues a step again for these photos (at the front of the queue); returns how many jobs were (re)queued. */
  requeueStep(name: string, photoIds: readonly number[]): number;
  /** Runs up to `limit` pending jobs of one step now (the CLI), without starting the library. */
  runStep(name: string, limit: number): Promise<JobOutcome[]>;
}

/** Default wait before the startup rescan ([Note: Reads before the startup rescan]). */
const STARTUP_RESCAN_DELAY_MS = 2000;

/** Builds the library service. Nothing runs until `start()` (or `addFolder`). */
export function createLibrary(deps: LibraryDeps): Library {
  const { db, paths, log, emit } = deps;
  const opt = deps.options ?? {};
  const cores = availableParallelism();
  const concurrency = opt.concurrency ?? Math.min(8, Math.max(2, cores * 2));
  const limitPixels = opt.limitPixels ?? 200_000_000;
  const maxDepth = opt.maxDepth ?? 64;
  const rescanIntervalMs = opt.rescanIntervalMs ?? 30_000;

  const folders = createFoldersRepo(db);
  const files = createFilesRepo(db);
  const photos = createPhotosRepo(db);
  const jobs = createJobsRepo(db);
  const progress = createProgressTracker();
  const read = createReadSide({ db, photos, files, jobs, folders });
  const area = createAreaRead(db);
  const layoutOf = createLayoutRead(db);

  // Timeline and photo totals scan every photo (~100 ms at 100k): cached until the library changes.
  const cache = new Map<string, unknown>();
  const cached = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) {
      const value = make();
      cache.set(key, value);
      // A read that fails (an async one, such as the layout) is not kept: the next request asks again
      // instead of getting the same error until the library changes.
      if (value instanceof Promise) {
        value.catch(() => {
          if (cache.get(key) === value) cache.delete(key);
        });
      }
    }
    return cache.get(key) as T;
  };
  const notify = createNotifier(
    emit,
    () => status(),
    () => cache.clear(),
  );
  const noteChanged: Notifier['changed'] = (folderId, c) => notify.changed(folderId, c);
  const noteProgress = () => notify.progress();
  const status = () => read.status(runner, progress, () => cached('totals', () => read.totals()));
  const warn = (code: string, message: string) => {
    log.warn(message, { code });
    emit('app:warning', { code, message });
  };

  /** Deletes cached thumbnails/previews of photos that left the library (best effort, off the hot path). */
  const freeCache = (keys: string[]) => {
    for (const key of keys) {
      const file = cacheFile(paths.thumbsDir, key);
      if (file) void unlink(file).catch(() => {});
    }
  };
  const ingest = createIngest({
    onCacheKeysFreed: freeCache,
    db,
    photos,
    files,
    jobs,
    steps: () => runner.steps().filter((s) => s.kinds.length > 0),
    readStep: { name: 'read', rank: -1, version: '1', kinds: [] },
  });
  const runner = createJobRunner({
    db,
    jobs,
    photos,
    files,
    log: log.child('jobs'),
    progress,
    concurrency,
    onChange: noteProgress,
    onDiskFull: (message) => warn('cache-disk-full', message),
    onFileGone: () => noteChanged(null, { added: 0, updated: 0, removed: 1 }),
  });
  const stepDeps = {
    photos,
    jobs,
    files,
    thumbsDir: paths.thumbsDir,
    limitPixels,
    onPhotoChanged: () => noteChanged(null, { added: 0, updated: 1, removed: 0 }),
    reread: async (folderId: number, relPath: string) => {
      const folder = folders.get(folderId);
      if (!folder) return 'the folder was removed from the library';
      const r = await ingest.file(folder, relPath, null, true);
      noteChanged(folderId, { added: 0, updated: 1, removed: 0 });
      return r.outcome === 'error' ? (r.error ?? 'cannot read the file') : null;
    },
  };
  for (const s of builtinSteps(stepDeps)) runner.addStep(s);
  runner.addStep(
    createGeocodeStep({ places: createPlacesRepo(db), onChanged: (n) => noteChanged(null, { added: 0, updated: n, removed: 0 }) }),
  );
  const previews = createPreviews({ ...stepDeps, onFileGone: () => noteChanged(null, { added: 0, updated: 0, removed: 1 }) });
  for (const s of opt.steps ?? []) runner.addStep(s);

  const syncDeps: SyncDeps = {
    files,
    ingest,
    log,
    maxDepth,
    parallel: 4,
    onChanged: (folderId, c) => {
      noteChanged(folderId, c);
      runner.kick();
    },
    onWarning: (folderId, message) => warn('scan-warning', `${folders.get(folderId)?.path ?? 'folder'}: ${message}`),
  };

  const inFlight = new Set<Promise<unknown>>();
  let started = false;
  let periodic: NodeJS.Timeout | null = null;
  /** Ends the wait before the startup rescan (at close, it resolves without rescanning). */
  let skipStartupWait: (() => void) | null = null;

  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => {});
    return p;
  };

  const emitFolders = () => emit('library:folders', read.listFolders());

  const scans = createScans({
    folders,
    files,
    sync: syncDeps,
    isPolled: (folderId) => watching.isPolled(folderId),
    noteChanged,
    warn,
    emitFolders,
    track,
    kick: () => runner.kick(),
  });

  const watching = createWatching({
    folders,
    files,
    enabled: opt.watch !== false,
    settleMs: opt.settleMs ?? 400,
    maxDepth,
    rescanIntervalMs,
    ...(opt.watchFactory ? { factory: opt.watchFactory } : {}),
    ingest: (f, rels) => ingestPaths(syncDeps, f, rels, { signal: scans.signalFor(f.id) }).then(() => runner.kick()),
    scan: (folder) => scans.scan(folder),
    skip(f, relPath, reason) {
      if (!folders.get(f.id)) return; // removed meanwhile
      ingest.recordError(f.id, relPath, reason);
      noteChanged(f.id, { added: 0, updated: 1, removed: 0 });
    },
    track,
    changed: noteChanged,
    warn,
    foldersChanged: emitFolders,
  });

  let runnerRetry: NodeJS.Timeout | null = null;
  /**
   * The runner's start pass; one that fails (a database busy with another process, a disk error) is tried
   * again, later each time, so the queue does not stay stopped for the session (the failure is logged).
   */
  function startRunner(attempt: number): Promise<void> {
    return runner.start().catch((err: unknown) => {
      log.error('could not start the job runner; trying again', { error: err, attempt });
      runnerRetry = setTimeout(() => void track(startRunner(attempt + 1)), Math.min(60_000, 2_000 * attempt));
      runnerRetry.unref();
    });
  }

  async function start(): Promise<void> {
    if (started) return;
    started = true;
    // Thumbnails a kill interrupted mid-write ([Note: Cache temp files] in thumbnails.ts).
    void track(
      sweepTempFiles(paths.thumbsDir).then(
        (n) => n && log.info('removed temp files left in the cache by an interrupted run', { count: n }),
        (err: unknown) => log.warn('could not sweep the cache for temp files', { error: err }),
      ),
    );
    // Not awaited: the runner applies versions and backfills in chunks ([Note: Runner start in chunks] in
    // jobs.ts) and claims nothing until done; the reconcile may go on meanwhile (ingest's jobs are the same).
    void track(startRunner(1));
    // [Note: Reads before the startup rescan] Watching and rescanning 100k files queues ~200k stat calls
    // (chokidar's walk, the scanner's) ahead of every read's file I/O: a library opened at once showed its
    // first thumbnail after 3.6–5.2 s instead of 0.7 (bench:grid, issue 14). So the reconcile starts after
    // the first screen. Nothing is missed: the watch still starts before the scan, which finds what changed.
    // For a page opened during the rescan, see [Note: Bounded watch walk] in bounded-watch.ts.
    const delay = opt.startupRescanDelayMs ?? STARTUP_RESCAN_DELAY_MS;
    if (delay === 0 || folders.list().length === 0) return reconcileFolders();
    let closing = false;
    const waited = new Promise<void>((resolveWait) => {
      const timer = setTimeout(resolveWait, delay);
      skipStartupWait = () => {
        closing = true;
        clearTimeout(timer);
        resolveWait();
      };
    });
    void track(
      waited.then(() => {
        skipStartupWait = null;
        if (!closing) reconcileFolders();
      }),
    );
  }

  /** Watches and rescans every folder (at start); then checks them periodically. */
  function reconcileFolders(): void {
    for (const folder of folders.list()) {
      // A folder that fell back to rescans last time gets another try at watching.
      if (folder.status === 'polling') folders.setStatus(folder.id, 'ok', null);
      // Watch before scanning, so nothing changed during the scan is missed; a folder that is not
      // there now is watched by periodicCheck once it is back.
      if (existsSync(folder.path)) watching.watch(folder);
      void scans.inBackground(folder);
    }
    periodic = setInterval(() => watching.periodicCheck(), rescanIntervalMs);
    periodic.unref();
  }

  return {
    start,
    async close() {
      skipStartupWait?.();
      if (runnerRetry) clearTimeout(runnerRetry);
      scans.abortAll();
      if (periodic) clearInterval(periodic);
      await watching.close();
      await Promise.allSettled([...inFlight]);
      await runner.stop();
      notify.stop();
    },
    listFolders: () => read.listFolders(),
    async addFolder(path) {
      const real = await checkNewRoot(path, folders.list());
      // Started first: a folder just added is scanned at once, not after the startup wait.
      if (!started) await start();
      const id = folders.insert(real, Date.now());
      cache.clear();
      const folder = folders.get(id)!;
      void scans.inBackground(folder);
      watching.watch(folder);
      emitFolders();
      return read.folderDto(folders.get(id)!) satisfies FolderDto;
    },
    async removeFolder(folderId) {
      scans.abort(folderId);
      await watching.unwatch(folderId);
      const removed = db.transaction(() => {
        const ok = folders.remove(folderId);
        if (ok) freeCache(photos.deleteOrphans().keys);
        return ok;
      })();
      if (removed) {
        noteChanged(folderId, { added: 0, updated: 0, removed: 1 });
        emitFolders();
      }
      return removed;
    },
    async rescan(folderId) {
      const list = folderId === undefined ? folders.list() : [folders.get(folderId)].filter((f): f is FolderRow => f !== null);
      if (folderId !== undefined && list.length === 0) throw new ApiError('not-found', `no folder with id ${folderId}`);
      const counts = await Promise.all(list.map((f) => scans.inBackground(f)));
      return counts.reduce((a, b) => a + b, 0);
    },
    async whenIdle() {
      for (;;) {
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        await runner.whenIdle();
        if (inFlight.size === 0) break;
      }
      notify.flush();
    },
    page(args) {
      if (args.bbox) return area.page({ ...args, bbox: args.bbox });
      // With a single folder, its filter selects every photo: skip the per-row folder check.
      const folderId =
        args.folderId !== undefined && cached('folders', () => folders.count()) === 1 && folders.get(args.folderId)
          ? undefined
          : args.folderId;
      const view = args.view;
      return read.page(
        args.offset,
        args.limit,
        folderId,
        () => cached(`count:${viewKey(view, folderId)}`, () => read.count(view, folderId)),
        view,
      );
    },
    layout: (folderId, bbox, view) =>
      cached(`layout:${viewKey(view, folderId)}:${bbox ? JSON.stringify(bbox) : ''}`, () => layoutOf(folderId, bbox, view)),
    timeline: (folderId, bbox, view) =>
      bbox
        ? cached(`timeline:${viewKey(view, folderId)}:${JSON.stringify(bbox)}`, () => area.timeline(bbox, folderId, view))
        : cached(`timeline:${viewKey(view, folderId)}`, () => read.timeline(folderId, view)),
    getPhoto: (id) => read.photo(id),
    jobsStatus: (): JobsStatus => status(),
    pause() {
      runner.pause();
      noteProgress();
      return status();
    },
    resume() {
      runner.resume();
      noteProgress();
      return status();
    },
    retryFailed(step) {
      const n = jobs.retryFailed(step, Date.now());
      runner.kick();
      noteProgress();
      return n;
    },
    failures: (offset, limit) => read.failures(offset, limit),
    cachePath: (key) => cacheFile(paths.thumbsDir, key),
    ensurePreview: (key) => previews.ensure(key),
    folderRoot: (folderId) => folders.get(folderId)?.path ?? null,
    isIndexed: (folderId, relPath) => read.isIndexed(folderId, relPath),
    addStep: (step) => runner.addStep(step),
    prioritize(photoIds) {
      jobs.prioritize(photoIds);
      runner.kick();
    },
    wake() {
      runner.kick();
      noteProgress();
    },
    revalidateStep(name) {
      const n = runner.revalidateStep(name);
      noteProgress();
      return n;
    },
    requeueStep(name, photoIds) {
      const step = runner.steps().find((s) => s.name === name);
      if (!step) return 0;
      const n = jobs.requeuePhotos(photoIds, step, VISIBLE_PRIORITY, Date.now());
      runner.kick();
      noteProgress();
      return n;
    },
    runStep: (name, limit) => runner.drain(name, limit),
    noteChanged,
    forgetMissing() {
      const gone = db.transaction(() => {
        files.dropAllMissing();
        const { count, keys } = photos.deleteOrphans();
        freeCache(keys);
        return count;
      })();
      if (gone) noteChanged(null, { added: 0, updated: 0, removed: gone });
      return gone;
    },
    clearJobs(step) {
      const n = jobs.clear(step);
      noteProgress();
      return n;
    },
  };
}
