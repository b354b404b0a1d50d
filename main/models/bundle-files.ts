/**
 * @file File-level helpers shared by the downloader, the importer and the manager: safe manifest
 * paths, sha256 of files and streams, copying with verification, free-space checks, the staging
 * folders and the "verified" marker (locks: lock-file.ts).
 *
 * Runs in main. All I/O is streamed; nothing here loads a model file into memory.
 *
 * [Note: Verified installs] A bundle folder under `modelsDir/<id>` counts as installed only when it
 * holds {@link VERIFIED_MARKER}, written by Shoebox after every file was checked against the
 * manifest's byte size and sha256 (while downloading or while copying an import). The marker records
 * the sha256 of manifest.json, so an edited manifest voids it. At use time the manager re-checks
 * the cheap part (every file present with its size) and never re-hashes gigabytes; the worker can
 * still ask `loadBundle(dir, { verifySha256: true })` when it wants the full check.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, lstatSync, readFileSync, statfsSync } from 'node:fs';
import { mkdir, open, rm, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { bundlePathProblem, MAX_MANIFEST_BYTES, openRegularFile, RESERVED_NAMES } from '../../native/bundle/manifest';

/** Name of the marker file inside an installed bundle (reserved: no manifest may list it). */
export const VERIFIED_MARKER = RESERVED_NAMES.verifiedMarker;
/** Folder under modelsDir that holds unfinished downloads, one subfolder per id. */
export const DOWNLOADS_DIR = '.downloads';
/** Folder under modelsDir that holds imports while they are copied. */
export const IMPORTS_DIR = '.imports';

/** One entry of a manifest's `files`, with the hash required. */
export interface VerifiedFile {
  path: string;
  bytes: number;
  sha256: string;
}

/**
 * Returns the absolute path of a manifest-relative path under `root`, after the manifest path rules
 * ([Note: One manifest check] in native/bundle/manifest.ts). Throws an Error naming the path otherwise.
 */
export function resolveBundlePath(root: string, rel: string): string {
  const problem = bundlePathProblem(rel);
  if (problem !== null) throw new Error(`manifest path ${JSON.stringify(rel)} ${problem}`);
  const abs = path.resolve(root, ...rel.split('/'));
  if (!isInside(root, abs)) throw new Error(`manifest path ${JSON.stringify(rel)} points outside the bundle`);
  return abs;
}

/** True when `child` is strictly below `root` (after resolving both). */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(child));
  return rel.length > 0 && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Feeds the first `limit` bytes of `file` (all when omitted) into `hash`; returns the byte count. */
export async function hashInto(hash: Hash, file: string, limit?: number): Promise<number> {
  let n = 0;
  const opts = limit === undefined ? {} : { end: limit - 1 };
  if (limit === 0) return 0;
  for await (const chunk of createReadStream(file, opts)) {
    hash.update(chunk as Buffer);
    n += (chunk as Buffer).length;
  }
  return n;
}

/** sha256 (hex) of a whole file. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await hashInto(hash, file);
  return hash.digest('hex');
}

/** sha256 (hex) of a string or buffer. */
export function sha256Text(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Raised when the disk cannot hold what is about to be written. */
export class DiskFullError extends Error {
  constructor(dir: string, needed: number, free: number | null) {
    super(
      free === null
        ? `Disk full while writing to ${dir}. Free some space and try again.`
        : `Not enough disk space in ${dir}: ${formatBytes(needed)} needed, ${formatBytes(free)} free. Free some space and try again.`,
    );
    this.name = 'DiskFullError';
  }
}

/** Free bytes available to this user on the file system holding `dir`, or null when unknown. */
export function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

/** Throws {@link DiskFullError} when `dir`'s file system has less than `needed` bytes free. */
export function ensureFreeSpace(dir: string, needed: number): void {
  const free = freeBytes(dir);
  if (free !== null && needed > free) throw new DiskFullError(dir, needed, free);
}

/** Human-readable byte count (for messages and the CLI). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/**
 * Copies `src` (a regular file, see `openRegularFile`) to `dest` in one streamed pass while hashing,
 * then checks size and sha256 against `expected`. On any failure `dest` is removed. `onBytes` is told
 * about every chunk written.
 */
export async function copyVerified(
  src: string,
  dest: string,
  expected: VerifiedFile,
  onBytes: (n: number) => void = () => {},
  signal?: AbortSignal,
): Promise<void> {
  // Only a regular file is read: a FIFO swapped in after the folder was checked would block forever.
  const input = await openRegularFile(src);
  await mkdir(path.dirname(dest), { recursive: true });
  const hash = createHash('sha256');
  const out = await open(dest, 'w').catch(async (err: unknown) => {
    await input.close();
    throw err;
  });
  let n = 0;
  try {
    const buf = Buffer.alloc(1024 * 1024);
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await input.read(buf, 0, buf.length, n);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      hash.update(chunk);
      await writeAll(out, chunk, dest);
      n += bytesRead;
      onBytes(bytesRead);
    }
    await out.sync();
  } catch (err) {
    await out.close().catch(() => {});
    await rm(dest, { force: true });
    throw err;
  } finally {
    await input.close();
  }
  await out.close();
  if (n !== expected.bytes) {
    await rm(dest, { force: true });
    throw new Error(`${expected.path} has ${n} bytes, the manifest says ${expected.bytes} (truncated or corrupt)`);
  }
  const got = hash.digest('hex');
  if (got !== expected.sha256) {
    await rm(dest, { force: true });
    throw new Error(`${expected.path} fails its sha256 check (expected ${expected.sha256}, got ${got}): the file is corrupt`);
  }
}

/** Writes a whole buffer to an open file, turning ENOSPC into {@link DiskFullError}. */
export async function writeAll(fh: FileHandle, buf: Uint8Array, where: string): Promise<void> {
  let off = 0;
  try {
    while (off < buf.length) {
      const { bytesWritten } = await fh.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw new DiskFullError(path.dirname(where), buf.length - off, null);
    throw err;
  }
}

/** Contents of {@link VERIFIED_MARKER}. */
export interface VerifiedMarker {
  manifestSha256: string;
  verifiedAt: string;
  /** 'download' or 'import', and from where. */
  origin: { kind: 'download' | 'import'; from: string };
}

/** Writes the marker for a bundle whose files were all verified against `manifestText`. */
export async function writeVerifiedMarker(dir: string, manifestText: string, origin: VerifiedMarker['origin']): Promise<void> {
  const marker: VerifiedMarker = { manifestSha256: sha256Text(manifestText), verifiedAt: new Date().toISOString(), origin };
  await writeFile(path.join(dir, VERIFIED_MARKER), JSON.stringify(marker, null, 2) + '\n');
}

/** True when `dir` holds a marker that matches `manifestText` (see [Note: Verified installs]). */
export function hasValidMarker(dir: string, manifestText: string): boolean {
  try {
    const file = path.join(dir, VERIFIED_MARKER);
    const st = lstatSync(file);
    if (!st.isFile() || st.size > MAX_MANIFEST_BYTES) return false; // a marker is a few lines; never read a FIFO or a flood
    const marker = JSON.parse(readFileSync(file, 'utf8')) as Partial<VerifiedMarker>;
    return marker.manifestSha256 === sha256Text(manifestText);
  } catch {
    return false;
  }
}
