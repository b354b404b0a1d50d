/**
 * @file Folder scans: reconciling a folder with the disk (sync.ts), at most one scan per folder at a
 * time (a rescan asked for during a scan joins it), a per-folder abort that removing the folder or
 * closing fires, the warnings a folder keeps from its last scan, and a folder marked missing when its
 * root cannot be read. Runs in main; carved out of library.ts (house review, step 3).
 */
import type { FilesRepo } from '../db/files.repo';
import type { FolderRow, FoldersRepo } from '../db/folders.repo';
import type { Notifier } from './notify';
import { ScanAborted, syncFolder, type SyncDeps } from './sync';

/** How many of a scan's warnings a folder row keeps. */
const MAX_KEPT_WARNINGS = 20;

export interface ScansDeps {
  folders: FoldersRepo;
  files: FilesRepo;
  sync: SyncDeps;
  /** Whether a folder is rescanned on a timer instead of watched (its status after it is back). */
  isPolled(folderId: number): boolean;
  noteChanged: Notifier['changed'];
  warn(code: string, message: string): void;
  emitFolders(): void;
  /** Keeps a background promise until it settles, so close() can wait for it. */
  track<T>(p: Promise<T>): Promise<T>;
  /** Wakes the job runner after a scan queued work. */
  kick(): void;
}

export interface Scans {
  /** The abort signal of a folder's scans and ingests. */
  signalFor(folderId: number): AbortSignal;
  /** Reconciles a folder with the disk; resolves with the files queued for hashing. */
  scan(folder: FolderRow, onQueued?: (n: number) => void): Promise<number>;
  /** Scans in the background; resolves with the files queued once the walk is done (not the hashing). */
  inBackground(folder: FolderRow): Promise<number>;
  /** Stops a folder's scans and ingests (the folder is being removed). */
  abort(folderId: number): void;
  /** Stops every scan (closing). */
  abortAll(): void;
}

/** The scan warnings a folder keeps: the first few, then how many more (a whole unreadable tree can make thousands). */
export function keptWarnings(warnings: readonly string[]): readonly string[] {
  return warnings.length <= MAX_KEPT_WARNINGS
    ? warnings
    : [...warnings.slice(0, MAX_KEPT_WARNINGS), `… and ${warnings.length - MAX_KEPT_WARNINGS} more (see the log)`];
}

export function createScans(deps: ScansDeps): Scans {
  const { folders, files } = deps;
  const aborts = new Map<number, AbortController>();
  const scanning = new Map<number, Promise<number>>();

  const signalFor = (folderId: number): AbortSignal => {
    let c = aborts.get(folderId);
    if (!c) aborts.set(folderId, (c = new AbortController()));
    return c.signal;
  };

  async function scan(folder: FolderRow, onQueued?: (n: number) => void): Promise<number> {
    try {
      const r = await syncFolder(deps.sync, folder, onQueued, signalFor(folder.id));
      let changed = folders.setScanWarnings(folder.id, keptWarnings(r.warnings));
      if (folder.status === 'missing') {
        folders.setStatus(folder.id, deps.isPolled(folder.id) ? 'polling' : 'ok', null);
        changed = true;
      }
      if (changed) deps.emitFolders();
      return r.queued;
    } catch (err) {
      if (err instanceof ScanAborted || !folders.get(folder.id)) {
        onQueued?.(0);
        return 0;
      }
      const code = (err as NodeJS.ErrnoException).code;
      const message = `${folder.path} is not reachable (${code ?? (err as Error).message}); its photos are kept and marked missing until it is back`;
      if (folder.status !== 'missing') {
        folders.setStatus(folder.id, 'missing', message);
        const n = files.markFolderMissing(folder.id);
        deps.noteChanged(folder.id, { added: 0, updated: 0, removed: n });
        deps.warn('folder-missing', message);
        deps.emitFolders();
      }
      onQueued?.(0);
      return 0;
    }
  }

  function inBackground(folder: FolderRow): Promise<number> {
    // A rescan asked for while one runs joins it rather than hashing the same files twice.
    const running = scanning.get(folder.id);
    if (running) return running;
    const queued = new Promise<number>((resolveQueued) => {
      let reported = false;
      const job = scan(folder, (n) => {
        reported = true;
        resolveQueued(n);
      })
        .then((n) => {
          if (!reported) resolveQueued(n);
          deps.kick();
        })
        .finally(() => scanning.delete(folder.id));
      void deps.track(job);
    });
    scanning.set(folder.id, queued);
    return queued;
  }

  return {
    signalFor,
    scan,
    inBackground,
    abort(folderId) {
      aborts.get(folderId)?.abort();
      aborts.delete(folderId);
    },
    abortAll() {
      for (const c of aborts.values()) c.abort();
    },
  };
}
