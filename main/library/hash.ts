/**
 * @file The content hash that identifies a photo.
 *
 * Runs in main: reads go through libuv's pool; hashing runs in WebAssembly on the main thread, a few
 * hundred microseconds per photo.
 *
 * [Note: Content hash] Every byte is hashed with XXH3-128 (hash-wasm: xxHash compiled to WebAssembly,
 * no native addon, so nothing to rebuild for Electron), as 32 hex characters. Measured here on 12 MP
 * JPEGs: 6.1 GB/s, 0.5 ms a file, against 2.0 GB/s (1.6 ms) for Node's SHA-256 — the hash runs on the
 * main thread, so this is time the event loop gets back during a first scan. A non-cryptographic hash
 * is enough: nobody forges collisions against their own photo library, and 128 bits make accidental ones
 * negligible. Why not size + sampled blocks: an edit that changes pixels outside the samples (a retouch
 * that keeps the file size) would be taken for the same photo and keep stale captions.
 */
import { createHash } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createXXHash128, type IHasher } from 'hash-wasm';

const CHUNK = 4 << 20;

/** Hasher instances are reusable but stateful: one per concurrent file. */
const idle: IHasher[] = [];
async function acquire(): Promise<IHasher> {
  const h = idle.pop() ?? (await createXXHash128());
  h.init();
  return h;
}

/**
 * Opens a file for reading only if it is a regular file. O_NONBLOCK makes the open itself return at once
 * on a FIFO (a plain open waits for a writer, forever); the fstat then refuses it. A path swapped for a
 * FIFO after the caller's stat is refused here too. No effect on regular files.
 */
export async function openRegular(path: string): Promise<FileHandle> {
  const fh = await open(path, fsc.O_RDONLY | (fsc.O_NONBLOCK ?? 0));
  try {
    if (!(await fh.stat()).isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREGULAR' });
    return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** The hash of a whole file plus how many bytes were read (to detect a file that changed while read). */
export async function hashFile(path: string): Promise<{ hash: string; bytes: number }> {
  const fh = await openRegular(path);
  const h = await acquire();
  let bytes = 0;
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      bytes += bytesRead;
    }
    return { hash: h.digest('hex'), bytes };
  } finally {
    idle.push(h);
    await fh.close();
  }
}

/** The same hash over bytes already in memory (tests, fixtures). */
export async function hashBuffer(buf: Uint8Array): Promise<string> {
  const h = await acquire();
  try {
    h.update(buf);
    return h.digest('hex');
  } finally {
    idle.push(h);
  }
}

/** A stable key for a path, for placeholder rows of files that cannot be read (not a content hash). */
export function pathKey(folderId: number, relPath: string): string {
  return createHash('sha256').update(`${folderId}\0${relPath}`).digest('hex').slice(0, 32);
}
