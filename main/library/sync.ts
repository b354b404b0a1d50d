/**
 * @file Bringing one folder's rows in line with the disk: a full walk with the stat fast path (startup
 * reconcile, rescan, periodic rescans when watching is not possible), and small batches of changed
 * paths from the watcher.
 *
 * Runs in main. Hashing runs a few files at a time (async I/O); database writes are short transactions, and
 * the passes over all of a folder's rows yield to the event loop between chunks ([Note: Folder passes in
 * chunks] in main/db/files.repo.ts).
 */
import type { FileStamp, FilesRepo } from '../db/files.repo';
import type { Log } from '../log';
import type { Ingest, IngestOutcome } from './ingest';
import { scanFolder } from './scanner';

export interface SyncDeps {
  files: FilesRepo;
  ingest: Ingest;
  log: Log;
  maxDepth: number;
  /** Files hashed at once. */
  parallel: number;
  /** Called after each batch of ingested files with what changed (for events and the runner). */
  onChanged: (folderId: number, counts: { added: number; updated: number; removed: number }) => void;
  onWarning: (folderId: number, message: string) => void;
}

/** Rows per chunk of the passes over all of a folder's rows ([Note: Folder passes in chunks]): ~5–30 ms each. */
const CHUNK_ROWS = 5000;

/** Lets the event loop run (I/O, timers, the UI's requests) between two chunks of a long pass. */
const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface ScanReport {
  seen: number;
  queued: number;
  added: number;
  updated: number;
  removed: number;
  errors: number;
  warnings: string[];
  /** Sub-trees that could not be read (their files keep their state). */
  unread: string[];
}

/** Thrown when a scan stops because its folder was removed or the library closed. */
export class ScanAborted extends Error {
  constructor() {
    super('scan aborted');
    this.name = 'ScanAborted';
  }
}

/** Runs `fn` over `items`, at most `parallel` at a time, in order of start; stops taking items once `signal` aborts. */
export async function forEachLimit<T>(
  items: readonly T[],
  parallel: number,
  fn: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
}

/** Full reconcile of one folder. Throws only when the root itself cannot be read (the caller marks it missing). */
export async function syncFolder(
  deps: SyncDeps,
  folder: { id: number; path: string },
  onQueued?: (n: number) => void,
  signal?: AbortSignal,
): Promise<ScanReport> {
  const started = Date.now();
  const chunk = CHUNK_ROWS;
  const known = await deps.files.stamps(folder.id, yieldToEvents, chunk);
  const walk = await scanFolder(folder.path, { maxDepth: deps.maxDepth, ...(signal ? { signal } : {}) }).catch((err: unknown) => {
    throw signal?.aborted ? new ScanAborted() : err;
  });
  if (signal?.aborted) throw new ScanAborted();
  const report: ScanReport = {
    seen: walk.files.length,
    queued: 0,
    added: 0,
    updated: 0,
    removed: 0,
    errors: 0,
    warnings: walk.warnings,
    unread: walk.unread,
  };
  for (const w of walk.warnings) deps.onWarning(folder.id, w);

  const unchanged: number[] = [];
  const changed: { relPath: string; mtimeMs: number }[] = [];
  for (const f of walk.files) {
    const k = known.get(f.relPath);
    if (k && k.status === 'ok' && k.photo_id !== null && k.size === f.size && k.mtime_ms === f.mtimeMs) unchanged.push(k.id);
    else changed.push(f);
  }
  for (let i = 0; i < unchanged.length; i += chunk) {
    // Only `seen_at` changes: whatever runs between chunks (a watcher batch) is unaffected by it.
    if (i > 0) await yieldToEvents();
    deps.files.touch(unchanged.slice(i, i + chunk), Date.now());
  }
  for (const e of walk.errors) {
    deps.ingest.recordError(folder.id, e.relPath, e.error);
    report.errors++;
  }
  if (walk.errors.length) deps.onChanged(folder.id, { added: 0, updated: walk.errors.length, removed: 0 });
  report.queued = changed.length;
  onQueued?.(changed.length);
  // Newest files first, so recent photos show up first in a big first scan.
  changed.sort((a, b) => b.mtimeMs - a.mtimeMs);
  await ingestPaths(
    deps,
    folder,
    changed.map((c) => c.relPath),
    { report, known, ...(signal ? { signal } : {}) },
  );
  if (signal?.aborted) throw new ScanAborted();
  // Everything not seen by this walk is gone, except below the sub-trees it could not read
  // ([Note: Unread sub-trees] in scanner.ts).
  const gone = await deps.files.markUnseenMissing(folder.id, started, walk.unread, yieldToEvents, chunk);
  if (gone) {
    report.removed += gone;
    deps.onChanged(folder.id, { added: 0, updated: 0, removed: gone });
  }
  // A file moved while Shoebox was closed was linked at its new path before its old path was found
  // missing, so ingest's own clean-up (dropMissingOf) came too early: finish it here.
  const moved = await deps.files.dropMovedIn(folder.id, yieldToEvents, chunk);
  if (moved) deps.onChanged(folder.id, { added: 0, updated: moved, removed: 0 });
  deps.log.info('scanned folder', {
    folder: folder.path,
    ms: Date.now() - started,
    ...report,
    warnings: report.warnings.length,
    unread: report.unread.length,
  });
  return report;
}

export interface IngestPathsOptions {
  /** Counters to add to (a folder scan's report); fresh ones by default. */
  report?: Pick<ScanReport, 'added' | 'updated' | 'errors'>;
  /** The folder's stamps when the caller already loaded them all (a folder scan); looked up per file otherwise. */
  known?: Map<string, FileStamp>;
  /** Stops taking new paths once aborted (folder removed, library closed). */
  signal?: AbortSignal;
}

/** Ingests a list of paths (from a scan or the watcher), emitting changes per small batch. */
export async function ingestPaths(
  deps: SyncDeps,
  folder: { id: number; path: string },
  relPaths: readonly string[],
  options: IngestPathsOptions = {},
): Promise<Map<string, IngestOutcome>> {
  const { report = { added: 0, updated: 0, errors: 0 }, known, signal } = options;
  const outcomes = new Map<string, IngestOutcome>();
  let batch = { added: 0, updated: 0, removed: 0 };
  let lastFlush = Date.now();
  const flush = () => {
    if (batch.added || batch.updated || batch.removed) deps.onChanged(folder.id, batch);
    batch = { added: 0, updated: 0, removed: 0 };
    lastFlush = Date.now();
  };
  const count = (o: IngestOutcome) => {
    if (o === 'added') {
      report.added++;
      batch.added++;
    } else if (o === 'updated') {
      report.updated++;
      batch.updated++;
    } else if (o === 'error') {
      report.errors++;
      batch.updated++;
    } else if (o === 'gone') batch.removed++;
  };
  await forEachLimit(
    relPaths,
    deps.parallel,
    async (relPath) => {
      try {
        const r = await deps.ingest.file(folder, relPath, known ? (known.get(relPath) ?? null) : undefined);
        outcomes.set(relPath, r.outcome);
        count(r.outcome);
      } catch (err) {
        // Not a problem of the file (those are recorded by ingest): the database refused (busy, removed
        // folder). Leave the path for the next scan.
        if (!signal?.aborted) deps.log.warn('could not record a file', { folder: folder.path, relPath, error: err });
      }
      if (Date.now() - lastFlush > 250) flush();
    },
    signal,
  );
  flush();
  // Files rewritten while being hashed get two more tries, a moment apart.
  for (let attempt = 0; attempt < 2 && !signal?.aborted; attempt++) {
    const changing = [...outcomes].filter(([, o]) => o === 'changing').map(([p]) => p);
    if (changing.length === 0) break;
    await new Promise((r) => setTimeout(r, 500));
    for (const relPath of changing) {
      if (signal?.aborted) break;
      const r = await deps.ingest.file(folder, relPath).catch(() => null);
      if (!r) continue;
      outcomes.set(relPath, r.outcome);
      count(r.outcome);
    }
    flush();
  }
  return outcomes;
}
