/**
 * @file Throttled library events: `library:changed` (at most every 200 ms, counts merged) and
 * `jobs:progress` (at most every second), flushed at once when the queue goes idle.
 *
 * Runs in main. Keeps the grid and the progress panel current without flooding IPC during a big scan.
 */
import type { JobsStatus } from '../../preload/contract';
import type { Emit } from '../events';

export interface Notifier {
  /** Records a change (merged into the next `library:changed`). */
  changed(folderId: number | null, c: { added: number; updated: number; removed: number }): void;
  /** Asks for a `jobs:progress` within a second. */
  progress(): void;
  /** Emits what is pending now (idle, close). */
  flush(): void;
  /** Drops the timers (close). */
  stop(): void;
}

/** Builds the notifier; `status` is read when a progress event is due; `onChange` runs on every change. */
export function createNotifier(emit: Emit, status: () => JobsStatus, onChange: () => void): Notifier {
  let acc = { added: 0, updated: 0, removed: 0, any: false, folders: new Set<number>() };
  let changeTimer: NodeJS.Timeout | null = null;
  let progressTimer: NodeJS.Timeout | null = null;
  const flushChanged = () => {
    if (changeTimer) clearTimeout(changeTimer);
    changeTimer = null;
    if (!acc.any) return;
    const folderId = acc.folders.size === 1 ? [...acc.folders][0]! : null;
    emit('library:changed', { folderId, added: acc.added, updated: acc.updated, removed: acc.removed });
    acc = { added: 0, updated: 0, removed: 0, any: false, folders: new Set() };
  };
  const flushProgress = () => {
    if (!progressTimer) return;
    clearTimeout(progressTimer);
    progressTimer = null;
    emit('jobs:progress', status());
  };
  return {
    changed(folderId, c) {
      onChange();
      acc.added += c.added;
      acc.updated += c.updated;
      acc.removed += c.removed;
      acc.any = true;
      if (folderId !== null) acc.folders.add(folderId);
      changeTimer ??= setTimeout(flushChanged, 200);
    },
    progress() {
      progressTimer ??= setTimeout(() => {
        progressTimer = null;
        emit('jobs:progress', status());
      }, 1000);
    },
    flush() {
      flushProgress();
      flushChanged();
    },
    stop() {
      if (progressTimer) clearTimeout(progressTimer);
      progressTimer = null;
      flushChanged();
    },
  };
}
