/**
 * @file Removes everything Shoebox keeps for one model under the models folder: the bundle, an
 * unfinished download, a kept checkpoint and a leftover build's staging folder, and the stale locks of
 * killed processes; refuses while another live process downloads or builds it. Never anything outside
 * the models folder.
 *
 * Runs in main (and the CLI / headless host), for the model manager's `delete` (manager.ts), which
 * first stops this process's own install of the model.
 */
import { lstatSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../../preload/api-error';
import { DOWNLOADS_DIR, isInside } from './bundle-files';
import { BUILDS_DIR } from './build/build-bundle';
import { CHECKPOINTS_DIR } from './hub/hub-download';
import { clearStaleLock, lockHolder } from './lock-file';

/** True when `dir` is a directory itself, not a symlink to one. */
function isRealDir(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && !st.isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Removes model `id`'s folders under `modelsDir` (an id checked against BUNDLE_ID by the caller);
 * resolves true when there was something to remove. Throws an ApiError `conflict` while another live
 * process holds its download or build lock.
 */
export async function removeModelFiles(modelsDir: string, id: string): Promise<boolean> {
  // Another process's download or build of it is left to that process (its locks say so).
  const locks = {
    downloaded: path.join(modelsDir, DOWNLOADS_DIR, `${id}.lock`),
    built: path.join(modelsDir, BUILDS_DIR, `${id}.lock`),
  };
  for (const [doing, lock] of Object.entries(locks)) {
    const holder = lockHolder(lock);
    if (holder !== null)
      throw new ApiError('conflict', `model ${id} is being ${doing} by another Shoebox process (pid ${holder}); cancel it there first`);
  }
  let removed = false;
  const targets = [id, ...[DOWNLOADS_DIR, CHECKPOINTS_DIR, BUILDS_DIR].map((d) => path.join(d, id))];
  for (const target of targets.map((t) => path.join(modelsDir, t))) {
    // Never outside modelsDir: the id regex forbids separators and '..', and this re-checks.
    if (!isInside(modelsDir, target)) throw new ApiError('bad-argument', `refusing to delete ${target}: not inside ${modelsDir}`);
    // A staging folder (.builds, …) that is a symlink leads outside: what is there is not ours.
    if (path.dirname(target) !== modelsDir && !isRealDir(path.dirname(target))) continue;
    let st;
    try {
      st = lstatSync(target);
    } catch {
      continue;
    }
    // A symlink is removed as a link; what it points to is not ours.
    await rm(target, { recursive: st.isDirectory() && !st.isSymbolicLink(), force: true });
    removed = true;
  }
  for (const lock of Object.values(locks)) await clearStaleLock(lock); // a killed process's; a live one stays
  return removed;
}
