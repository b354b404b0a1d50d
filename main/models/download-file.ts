/**
 * @file Fetches one model file (for `downloadBundle` and the hub client) into `<abs>.part`: resumes a
 * part left by an earlier try with `Range`, starts over when the server ignores or refuses the range,
 * hashes every byte on the way, retries cut-offs, and renames the part to `abs` only once its hash
 * matches what the listing promised (see [Note: Download staging] in download.ts): the sha256 of a
 * manifest entry or of a hub LFS file, or the git blob id of a small hub file.
 *
 * Runs in main (async I/O; hashing is incremental per chunk so the event loop stays free).
 */
import { createHash, type Hash } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { PART_SUFFIX } from '../../native/bundle/manifest';
import type { Log } from '../log';
import { DiskFullError, hashInto, writeAll, type VerifiedFile } from './bundle-files';
import { describeNetworkError, DownloadError, type HttpClient } from './http-client';

/**
 * A file to fetch and what it must hash to: its sha256, or its git blob id (`gitSha1`, the sha1 of
 * `"blob <bytes>\0"` followed by the content), which is all the hub lists for a file kept in git
 * rather than LFS.
 */
export type ExpectedFile = VerifiedFile | { path: string; bytes: number; gitSha1: string };

/** A fresh hash for `f`, and the words that name its check in messages. */
function hasherFor(f: ExpectedFile): { hash: Hash; expected: string; check: string } {
  if ('sha256' in f) return { hash: createHash('sha256'), expected: f.sha256, check: 'sha256' };
  // git hashes a blob as its header and then its bytes; the size is known before the first byte.
  return { hash: createHash('sha1').update(`blob ${f.bytes}\0`), expected: f.gitSha1, check: 'git blob sha1' };
}

/** What {@link fetchFile} needs from the bundle download it is part of. */
export interface FileFetchContext {
  http: HttpClient;
  log: Log;
  /** Model id, for messages. */
  id: string;
  signal?: AbortSignal;
  /** Counts bytes received (a negative delta takes back bytes that were thrown away). */
  onBytes: (delta: number) => void;
  /** Says what is happening to which file (the bundle download adds the byte counts). */
  report: (state: 'downloading' | 'verifying', file: string) => void;
}

/**
 * Fetches `f` from `url` into `abs` (through `<abs>.part`), given that `start` bytes of its part are
 * already counted as received. Rejects with a {@link DownloadError}.
 */
export async function fetchFile(ctx: FileFetchContext, url: string, abs: string, f: ExpectedFile, start: number): Promise<void> {
  const { http, log, onBytes, report } = ctx;
  const part = abs + PART_SUFFIX;
  const { expected, check } = hasherFor(f);
  let hash: Hash = hasherFor(f).hash;
  let offset = 0;
  if (start > 0) {
    const onDisk = await stat(part).then(
      (s) => s.size,
      () => 0,
    );
    if (onDisk > f.bytes) {
      onBytes(-start);
      await rm(part, { force: true });
    } else {
      report('verifying', f.path);
      offset = await hashInto(hash, part);
    }
  }
  const restart = async () => {
    onBytes(-offset);
    offset = 0;
    hash = hasherFor(f).hash;
    await rm(part, { force: true });
  };

  await http
    .withRetry(f.path, async () => {
      if (offset === f.bytes) return;
      // Open the part before asking, so the body is read as soon as it arrives: a stream that errors
      // drops the chunks still queued in it.
      let out = await open(part, offset > 0 ? 'a' : 'w');
      let closed = false;
      const closeOut = async () => {
        if (!closed) await out.close();
        closed = true;
      };
      const r = await http.get(url, offset > 0 ? { range: `bytes=${offset}-` } : {}).catch(async (err: unknown) => {
        await closeOut();
        throw err;
      });
      try {
        const { res } = r;
        if (res.status === 416 && offset > 0) {
          await res.body?.cancel();
          await closeOut();
          await restart();
          throw new DownloadError('interrupted', `server refused to resume ${f.path}; starting it over`, true);
        }
        if (res.status === 206) {
          const m = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
          if (!m || Number(m[1]) !== offset) {
            await res.body?.cancel();
            await closeOut();
            await restart();
            throw new DownloadError('interrupted', `server resumed ${f.path} at the wrong offset; starting it over`, true);
          }
        } else if (res.status === 200) {
          if (offset > 0) {
            log.info(`server ignored the Range request for ${f.path}; downloading it again from the start`);
            await closeOut();
            await restart();
            out = await open(part, 'w');
            closed = false;
          }
        } else {
          await res.body?.cancel();
          throw http.httpError(url, res.status, `${f.path} of model ${ctx.id}`, res);
        }
        if (!res.body) throw new DownloadError('interrupted', `empty response for ${f.path}`, true);
        report('downloading', f.path);
        try {
          for await (const chunk of r.chunks()) {
            if (offset + chunk.length > f.bytes) {
              throw new DownloadError('size-mismatch', `server sent more than the ${f.bytes} bytes the manifest lists for ${f.path}`);
            }
            await writeAll(out, chunk, part);
            hash.update(chunk);
            offset += chunk.length;
            onBytes(chunk.length);
            report('downloading', f.path);
          }
        } catch (err) {
          // A body that breaks off mid-way (server closed, connection reset) is a cut-off, not a
          // failure to reach the server: keep the part and resume.
          if (err instanceof DownloadError || err instanceof DiskFullError || ctx.signal?.aborted || r.idle()) throw err;
          throw new DownloadError(
            'interrupted',
            `connection lost after ${offset} of ${f.bytes} bytes of ${f.path}: ${describeNetworkError(err)}`,
            true,
          );
        } finally {
          await closeOut();
        }
        if (offset < f.bytes) {
          throw new DownloadError('interrupted', `connection closed after ${offset} of ${f.bytes} bytes of ${f.path}`, true);
        }
      } catch (err) {
        await closeOut();
        if (err instanceof DownloadError && err.code === 'size-mismatch') await restart();
        if (err instanceof DiskFullError)
          throw new DownloadError('disk-full', `${err.message} (the part of ${f.path} already downloaded is kept)`);
        if (err instanceof DownloadError) throw err;
        return r.translate(err);
      } finally {
        await closeOut();
        r.done();
      }
    })
    .catch((err: unknown) => {
      if (err instanceof DownloadError && (err.code === 'interrupted' || err.code === 'network')) {
        throw new DownloadError('interrupted', `${err.message}. The ${offset} bytes received are kept; download again to resume.`);
      }
      throw err;
    });

  const got = hash.digest('hex');
  if (got !== expected) {
    await rm(part, { force: true });
    onBytes(-offset);
    throw new DownloadError(
      'hash-mismatch',
      `${f.path} of model ${ctx.id} failed its ${check} check (expected ${expected}, got ${got}); the downloaded file was deleted. The server's copy does not match its listing.`,
    );
  }
  await rename(part, abs);
}
