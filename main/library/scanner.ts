/**
 * @file The recursive folder walk: finds every indexable file under a folder root with its size and
 * mtime (the stat fast path of a rescan compares those before hashing anything).
 *
 * Runs in main. All I/O is async (libuv), a directory at a time, so the event loop stays free.
 *
 * Links are followed only inside the folder ([Note: Symlinks stay inside their folder] in links.ts); a
 * (device, inode) set stops loops the link rules do not catch. Hidden entries are skipped. Trees deeper
 * than `maxDepth` are cut with a warning. A name that is not valid UTF-8 cannot be represented in our
 * paths, a link that leads out of the folder is not followed, and a FIFO, socket or device is never
 * opened: each is reported as a per-file error, not dropped.
 *
 * [Note: Unread sub-trees] A folder the walk could not read (no permission, an I/O error) or cut (too
 * deep) is reported in `unread` as well as in `warnings`: the files below it were not seen, but that
 * does not mean they are gone. sync.ts marks missing only what was not seen outside those sub-trees,
 * so one unreadable sub-folder does not stop deletions elsewhere from being noticed.
 */
import type { Dirent, Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errText } from '../errors';
import { formatOf, isIgnoredName } from './formats';
import { judgeLink, outsideLinkMessage } from './links';

export interface ScanFile {
  relPath: string;
  absPath: string;
  size: number;
  mtimeMs: number;
}

export interface ScanError {
  relPath: string;
  error: string;
}

export interface ScanResult {
  files: ScanFile[];
  /** Files that exist but could not be stat'ed, named or opened, and links that lead out of the folder. */
  errors: ScanError[];
  /** Folder-level problems (unreadable folder, loop, too deep). */
  warnings: string[];
  /** Sub-trees (relative) that were not read: their files were not seen but may still exist. See [Note: Unread sub-trees]. */
  unread: string[];
}

export interface ScanOptions {
  maxDepth?: number;
  /** Called with each directory's files as they are found (lets ingestion start before the walk ends). */
  onBatch?: (files: ScanFile[], errors: ScanError[]) => Promise<void> | void;
  signal?: AbortSignal;
}

const STAT_PARALLEL = 32;

/** What a non-regular, non-folder entry is, for the message that lists it; null for files, folders and links. */
export function specialKind(s: Stats | Dirent): string | null {
  if (s.isFIFO()) return 'FIFO';
  if (s.isSocket()) return 'socket';
  if (s.isCharacterDevice()) return 'character device';
  if (s.isBlockDevice()) return 'block device';
  return null;
}

/** The per-file reason for an entry that is not a regular file. */
export const notRegularMessage = (kind: string) => `not a regular file (${kind}); not read`;

const isGoneError = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException)?.code ?? '');

/** Walks `root` and returns every indexable file below it. Throws only when the root itself is unreadable. */
export async function scanFolder(root: string, options: ScanOptions = {}): Promise<ScanResult> {
  const maxDepth = options.maxDepth ?? 64;
  const rootStat = await stat(root);
  if (!rootStat.isDirectory()) throw new Error(`${root} is not a folder`);
  const rootReal = await realpath(root);
  const seen = new Set<string>([`${rootStat.dev}:${rootStat.ino}`]);
  const result: ScanResult = { files: [], errors: [], warnings: [], unread: [] };
  const stack: { rel: string; depth: number }[] = [{ rel: '', depth: 0 }];
  /** A sub-tree not read: warned about, and its files keep their state ([Note: Unread sub-trees]). */
  const unread = (rel: string, why: string) => {
    result.warnings.push(`${why}; its files keep their last known state`);
    result.unread.push(rel);
  };
  const loop = (rel: string) => result.warnings.push(`skipped ${rel}: it links back to a folder already scanned (a symlink loop)`);
  while (stack.length > 0) {
    if (options.signal?.aborted) throw new Error('scan aborted');
    const { rel, depth } = stack.pop()!;
    const dirAbs = rel === '' ? root : join(root, rel);
    let entries;
    try {
      entries = await readdir(dirAbs, { withFileTypes: true });
    } catch (err) {
      if (rel === '') throw err;
      if (!isGoneError(err)) unread(rel, `cannot read folder ${rel}: ${errText(err)}`); // else removed while we walked
      continue;
    }
    const candidates: string[] = [];
    const batchErrors: ScanError[] = [];
    const enter = (childRel: string, s: Stats, viaLink: boolean) => {
      const id = `${s.dev}:${s.ino}`;
      if (seen.has(id)) {
        if (viaLink) loop(childRel);
      } else if (depth + 1 > maxDepth) unread(childRel, `skipped ${childRel}: more than ${maxDepth} folders deep`);
      else {
        seen.add(id);
        stack.push({ rel: childRel, depth: depth + 1 });
      }
    };
    /** Lists a FIFO, socket or device with a photo's name; never opens it (a FIFO would block). */
    const special = (childRel: string, s: Stats | Dirent) => {
      const kind = specialKind(s);
      if (kind && formatOf(childRel)) batchErrors.push({ relPath: childRel, error: notRegularMessage(kind) });
    };
    for (const e of entries) {
      if (isIgnoredName(e.name)) continue;
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.name.includes('\uFFFD')) {
        if (e.isDirectory() || formatOf(e.name))
          batchErrors.push({ relPath: childRel, error: 'the file name is not valid UTF-8; rename it to index it' });
        continue;
      }
      if (e.isDirectory()) {
        let s;
        try {
          s = await stat(join(root, childRel));
        } catch (err) {
          if (!isGoneError(err)) unread(childRel, `cannot read folder ${childRel}: ${errText(err)}`);
          continue;
        }
        enter(childRel, s, false);
        continue;
      }
      if (e.isSymbolicLink()) {
        let s;
        let target;
        try {
          s = await stat(join(root, childRel));
          target = await realpath(join(root, childRel));
        } catch (err) {
          if (formatOf(e.name)) batchErrors.push({ relPath: childRel, error: `broken link: ${errText(err)}` });
          continue;
        }
        const verdict = judgeLink(rootReal, childRel, target, s.isDirectory());
        if (!verdict.follow) {
          if (verdict.why === 'outside' && (s.isDirectory() || formatOf(e.name)))
            batchErrors.push({ relPath: childRel, error: outsideLinkMessage(target, s.isDirectory()) });
          else if (verdict.why === 'loop') loop(childRel);
          continue;
        }
        if (s.isDirectory()) {
          enter(childRel, s, true);
          continue;
        }
        if (!s.isFile()) {
          special(childRel, s);
          continue;
        }
      } else if (!e.isFile()) {
        special(childRel, e);
        continue;
      }
      if (formatOf(e.name)) candidates.push(childRel);
    }
    const batch: ScanFile[] = [];
    for (let i = 0; i < candidates.length; i += STAT_PARALLEL) {
      const slice = candidates.slice(i, i + STAT_PARALLEL);
      const stats = await Promise.allSettled(slice.map((r) => stat(join(root, r))));
      stats.forEach((s, j) => {
        const relPath = slice[j]!;
        if (s.status === 'fulfilled')
          batch.push({ relPath, absPath: join(root, relPath), size: s.value.size, mtimeMs: Math.trunc(s.value.mtimeMs) });
        else if ((s.reason as NodeJS.ErrnoException)?.code !== 'ENOENT') batchErrors.push({ relPath, error: errText(s.reason) });
      });
    }
    result.files.push(...batch);
    result.errors.push(...batchErrors);
    if (options.onBatch && (batch.length > 0 || batchErrors.length > 0)) await options.onBatch(batch, batchErrors);
  }
  return result;
}
