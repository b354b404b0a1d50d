/**
 * @file Which library folders are watched, and what happens when watching is not possible: the
 * watch-limit fallback to periodic rescans, a root that disappears, and a drive mounted over (or
 * unmounted from) a root without any event. See [Note: Watch limit fallback] in watcher.ts.
 *
 * Runs in main. Policy only: the chokidar wrapper is watcher.ts, scanning is sync.ts.
 */
import { statSync } from 'node:fs';
import type { FilesRepo } from '../db/files.repo';
import type { FolderRow, FoldersRepo } from '../db/folders.repo';
import { watchFolder, type FolderWatcher, type WatchFactory } from './watcher';

export interface WatchingDeps {
  folders: FoldersRepo;
  files: FilesRepo;
  enabled: boolean;
  settleMs: number;
  maxDepth: number;
  rescanIntervalMs: number;
  factory?: WatchFactory;
  /** Ingests settled paths of a folder. */
  ingest(folder: { id: number; path: string }, relPaths: string[]): Promise<unknown>;
  /** Lists a path the watcher does not follow, with the reason (a link out of the folder). */
  skip(folder: { id: number; path: string }, relPath: string, reason: string): void;
  /** Full reconcile of a folder (marks it missing when its root is gone). */
  scan(folder: FolderRow): Promise<unknown>;
  /** Keeps a background promise for whenIdle/close. */
  track<T>(p: Promise<T>): Promise<T>;
  changed(folderId: number, c: { added: number; updated: number; removed: number }): void;
  warn(code: string, message: string): void;
  foldersChanged(): void;
}

export interface Watching {
  /** Starts watching a folder (no-op when disabled, closed, already watched or polled). */
  watch(folder: FolderRow): void;
  /** Stops watching one folder and forgets its state. */
  unwatch(folderId: number): Promise<void>;
  isPolled(folderId: number): boolean;
  /** Rescans missing and polled folders, and roots that vanished or changed device unnoticed. */
  periodicCheck(): void;
  close(): Promise<void>;
}

/** Builds the watch policy for a library. */
export function createWatching(deps: WatchingDeps): Watching {
  const { folders, files } = deps;
  const watchers = new Map<number, FolderWatcher>();
  const polling = new Set<number>();
  /** Device id of each watched root: a change means a drive was unmounted or another one mounted there. */
  const rootDevices = new Map<number, number>();
  const periodicBusy = new Set<number>();
  let closed = false;

  const drop = (folderId: number) => {
    void watchers
      .get(folderId)
      ?.close()
      .catch(() => {});
    watchers.delete(folderId);
    rootDevices.delete(folderId);
  };

  function watch(folder: FolderRow): void {
    if (!deps.enabled || closed || watchers.has(folder.id) || polling.has(folder.id)) return;
    const f = { id: folder.id, path: folder.path };
    const w = watchFolder(
      folder.path,
      {
        onUpserts: (rels) => void deps.track(deps.ingest(f, rels)),
        onRemoves: (rels) => {
          let n = 0;
          const now = Date.now();
          for (const r of rels) n += files.markMissing(f.id, r, now);
          if (n) deps.changed(f.id, { added: 0, updated: 0, removed: n });
        },
        onDirRemoved: (rel) => {
          const n = files.markMissingUnder(f.id, rel, Date.now());
          if (n) deps.changed(f.id, { added: 0, updated: 0, removed: n });
          if (rel === '') {
            drop(f.id);
            const current = folders.get(f.id);
            if (current) void deps.track(deps.scan(current)); // marks it missing; periodicCheck brings it back
          }
        },
        onSkipped: (rel, reason) => {
          const row = files.get(f.id, rel);
          if (row?.status !== 'error' || row.error !== reason) deps.skip(f, rel, reason);
        },
        onFatal: (err) => {
          watchers.delete(f.id);
          polling.add(f.id);
          const message = `${f.path}: the system's limit on watched files was reached (${err.code}); this folder is rescanned every ${Math.round(deps.rescanIntervalMs / 1000)} s instead. Raise fs.inotify.max_user_watches to watch it live.`;
          folders.setStatus(f.id, 'polling', message);
          deps.warn('watch-limit', message);
          deps.foldersChanged();
        },
      },
      { settleMs: deps.settleMs, batchMs: 100, maxDepth: deps.maxDepth, ...(deps.factory ? { factory: deps.factory } : {}) },
    );
    watchers.set(folder.id, w);
    try {
      rootDevices.set(folder.id, statSync(folder.path).dev);
    } catch {
      rootDevices.delete(folder.id);
    }
  }

  return {
    watch,
    async unwatch(folderId) {
      const w = watchers.get(folderId);
      watchers.delete(folderId);
      polling.delete(folderId);
      rootDevices.delete(folderId);
      await w?.close();
    },
    isPolled: (folderId) => polling.has(folderId),
    periodicCheck() {
      for (const folder of folders.list()) {
        if (periodicBusy.has(folder.id)) continue;
        let dev: number | null = null;
        try {
          dev = statSync(folder.path).dev;
        } catch {
          dev = null;
        }
        const known = rootDevices.get(folder.id);
        const moved = folder.status === 'ok' && (dev === null || (known !== undefined && dev !== known));
        if (!(folder.status === 'missing' || polling.has(folder.id) || moved)) continue;
        if (moved) drop(folder.id); // re-watch from scratch: the old watches belong to the previous filesystem
        // Watch first, then scan (as at startup), so a file written in between is not missed.
        if (dev !== null) watch(folder);
        periodicBusy.add(folder.id);
        void deps.track(deps.scan(folder).finally(() => periodicBusy.delete(folder.id)));
      }
    },
    async close() {
      closed = true;
      await Promise.allSettled([...watchers.values()].map((w) => w.close()));
      watchers.clear();
    },
  };
}
