/**
 * @file The recursive folder walk: finds every indexable file under a folder root with its size and
 * mtime (the stat fast path of a rescan compares those before hashing anything).
 *
 * Runs in main. All I/O is async (libuv), a directory at a time, so the event loop stays free.
 *
 * Symlinked folders are followed once: a (device, inode) set stops loops. Hidden entries are skipped.
 * Trees deeper than `maxDepth` are cut with a warning. A name that is not valid UTF-8 cannot be
 * represented in our paths: it is reported as a per-file error, not dropped.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatOf, isIgnoredName } from './formats';

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
  /** Files that exist but could not be stat'ed or named. */
  errors: ScanError[];
  /** Folder-level problems (unreadable folder, loop, too deep). */
  warnings: string[];
}

export interface ScanOptions {
  maxDepth?: number;
  /** Called with each directory's files as they are found (lets ingestion start before the walk ends). */
  onBatch?: (files: ScanFile[], errors: ScanError[]) => Promise<void> | void;
  signal?: AbortSignal;
}

const STAT_PARALLEL = 32;

/** Walks `root` and returns every indexable file below it. Throws only when the root itself is unreadable. */
export async function scanFolder(root: string, options: ScanOptions = {}): Promise<ScanResult> {
  const maxDepth = options.maxDepth ?? 64;
  const rootStat = await stat(root);
  if (!rootStat.isDirectory()) throw new Error(`${root} is not a folder`);
  const seen = new Set<string>([`${rootStat.dev}:${rootStat.ino}`]);
  const result: ScanResult = { files: [], errors: [], warnings: [] };
  const stack: { rel: string; depth: number }[] = [{ rel: '', depth: 0 }];
  while (stack.length > 0) {
    if (options.signal?.aborted) throw new Error('scan aborted');
    const { rel, depth } = stack.pop()!;
    const dirAbs = rel === '' ? root : join(root, rel);
    let entries;
    try {
      entries = await readdir(dirAbs, { withFileTypes: true });
    } catch (err) {
      if (rel === '') throw err;
      result.warnings.push(`cannot read folder ${rel}: ${errText(err)}`);
      continue;
    }
    const candidates: string[] = [];
    const batchErrors: ScanError[] = [];
    for (const e of entries) {
      if (isIgnoredName(e.name)) continue;
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.name.includes('\uFFFD')) {
        if (e.isDirectory() || formatOf(e.name))
          batchErrors.push({ relPath: childRel, error: 'the file name is not valid UTF-8; rename it to index it' });
        continue;
      }
      if (e.isDirectory() || e.isSymbolicLink()) {
        let s;
        try {
          s = await stat(join(root, childRel));
        } catch (err) {
          if (e.isSymbolicLink() && formatOf(e.name)) batchErrors.push({ relPath: childRel, error: `broken link: ${errText(err)}` });
          else if (!e.isSymbolicLink()) result.warnings.push(`cannot read folder ${childRel}: ${errText(err)}`);
          continue;
        }
        if (s.isDirectory()) {
          const id = `${s.dev}:${s.ino}`;
          if (seen.has(id)) {
            result.warnings.push(`skipped ${childRel}: it links back to a folder already scanned (a symlink loop)`);
            continue;
          }
          if (depth + 1 > maxDepth) {
            result.warnings.push(`skipped ${childRel}: more than ${maxDepth} folders deep`);
            continue;
          }
          seen.add(id);
          stack.push({ rel: childRel, depth: depth + 1 });
          continue;
        }
        if (!s.isFile()) continue;
      } else if (!e.isFile()) continue;
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

/** A short human message for a filesystem error. */
export function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'the file or folder no longer exists';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EIO':
      return 'input/output error (failing disk or unmounted drive?)';
    case 'ENOSPC':
      return 'the disk is full';
    default:
      return e instanceof Error ? e.message : String(err);
  }
}
