/**
 * @file Which symbolic links inside a library folder the indexer follows, shared by the folder walk
 * (scanner.ts), the live watcher (watcher.ts) and the discovery of one file (ingest.ts).
 *
 * Runs in main.
 *
 * [Note: Symlinks stay inside their folder] A link is followed only when its real path lies inside the
 * real path of the folder root it was found under. A link that leads out (to `/etc`, to another drive)
 * is never walked, watched, hashed or decoded: it is listed as a skipped file with the reason and a way
 * to include it (add the target as a folder of its own), through the same per-file entries as
 * unreadable files (ingest.ts `recordError`). This is the rule the media guard applies when serving
 * originals ([Note: Media path guard] in main/media.ts), so whatever is indexed can also be shown.
 * Inside the folder, a link to a file is indexed under the link's name too (a second file of the same
 * photo). A link to a folder is followed only when the walk would not reach that folder under its own
 * name (a hidden folder, say): otherwise its photos are indexed once, under their real path, and the
 * watcher and the scanner agree on that path. A link back to a folder above it is a loop: a warning.
 */
import { realpath } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { isIgnoredName } from './formats';

/** What to do with one link found under a folder root. */
export type LinkVerdict =
  | { follow: true }
  | { follow: false; why: 'outside'; target: string }
  /** A folder the walk reaches under its own name anyway (an alias), or one above the link (a loop). */
  | { follow: false; why: 'walked' | 'loop'; target: string };

/** Whether `real` lies inside (or is) `rootReal`. Both must be real (resolved) paths. */
export function isInside(rootReal: string, real: string): boolean {
  return real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);
}

/** The user-facing reason a link that leaves its folder is skipped. */
export function outsideLinkMessage(target: string, isDir: boolean): string {
  const folder = isDir ? target : dirname(target);
  return `link leads outside this folder (${target}); add ${folder} as a folder of its own to include it`;
}

/**
 * Decides about a link at `linkRel` ('/'-separated, below the root) whose real path is `targetReal`.
 * `isDir` says whether the link resolves to a folder.
 */
export function judgeLink(rootReal: string, linkRel: string, targetReal: string, isDir: boolean): LinkVerdict {
  if (!isInside(rootReal, targetReal)) return { follow: false, why: 'outside', target: targetReal };
  if (!isDir) return { follow: true };
  const targetRel = relative(rootReal, targetReal).split(sep).join('/');
  if (targetRel === '' || linkRel.startsWith(targetRel + '/')) return { follow: false, why: 'loop', target: targetRel };
  // The walk skips hidden and NAS cache names: a folder below one of those is reached only through links.
  if (targetRel.split('/').every((name) => !isIgnoredName(name))) return { follow: false, why: 'walked', target: targetRel };
  return { follow: true };
}

/** The real path of `abs` when it leads outside `root` (through any link on the way), else null. */
export async function outsideTarget(root: string, abs: string): Promise<string | null> {
  let rootReal: string;
  let real: string;
  try {
    [rootReal, real] = await Promise.all([realpath(root), realpath(abs)]);
  } catch {
    return null; // gone or unreadable: the caller's own stat or read reports it
  }
  return isInside(rootReal, real) ? null : real;
}

/** Synchronous `realpath`, or null when the path cannot be resolved (a broken link). For chokidar's sync `ignored` hook. */
export function realpathOrNull(abs: string): string | null {
  try {
    return realpathSync(abs);
  } catch {
    return null;
  }
}
