/**
 * @file Downloads one model bundle from a base URL (layout: [Note: Remote bundle layout] in
 * catalog.ts) into `modelsDir/<id>`: manifest first, then every file streamed to a `*.part` file with
 * sha256 computed on the way, resumed with `Range` after a cut-off, retried with backoff on 5xx and
 * network errors, and installed by one rename once every file is verified.
 *
 * Runs in main (async I/O only; hashing is incremental per chunk so the event loop stays free).
 *
 * [Note: Download staging] Unfinished downloads live in `modelsDir/.downloads/<id>/`: the remote
 * manifest as fetched (`.remote-manifest.json`), finished files under their manifest paths and the
 * file in flight as `<path>.part`. A cut-off, a cancel or a crash keeps them, so the next download of
 * the same id resumes; a changed remote manifest discards them. A file whose sha256 does not match is
 * deleted at once. Only a folder in which every file was verified is renamed to `modelsDir/<id>`, so
 * nothing half-made is ever visible as installed.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BundleError, loadBundle, parseManifest, type Manifest } from '../../native/bundle/manifest';
import type { Log } from '../log';
import {
  acquireLock,
  DOWNLOADS_DIR,
  LockedError,
  DiskFullError,
  ensureFreeSpace,
  hashInto,
  resolveBundlePath,
  writeAll,
  writeVerifiedMarker,
  type VerifiedFile,
} from './bundle-files';
import { bundleFileUrl } from './catalog';
import { createHttpClient, describeNetworkError, DownloadError } from './http-client';
import { selectVariants } from './variant-select';

export { DownloadError, type DownloadErrorCode } from './http-client';

/** Progress of one bundle download; byte counts cover every file being fetched. */
export interface DownloadProgress {
  state: 'downloading' | 'verifying';
  received: number;
  total: number;
  /** The file being fetched or checked, or null between files. */
  file: string | null;
}

/** Options of {@link downloadBundle}. */
export interface DownloadOptions {
  id: string;
  /** Normalised base URL (see `normaliseBaseUrl`). */
  baseUrl: string;
  modelsDir: string;
  log: Log;
  /** Variants to install (all when omitted). */
  variants?: readonly string[];
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
  /** Called on every chunk; the caller throttles. */
  onProgress?: (p: DownloadProgress) => void;
  /** Retries per request after the first try (default 4). */
  retries?: number;
  /** First backoff delay; doubles per retry, with jitter, capped at 30 s (default 1000 ms). */
  retryDelayMs?: number;
  /** A request that delivers no byte for this long is dropped and retried (default 30 s). */
  idleTimeoutMs?: number;
}

/**
 * Downloads bundle `id` and installs it as `modelsDir/<id>`. Resolves with the installed folder and
 * its manifest; rejects with {@link DownloadError} (or {@link DiskFullError}'s message wrapped in one).
 */
export async function downloadBundle(opts: DownloadOptions): Promise<{ dir: string; manifest: Manifest }> {
  const { id, baseUrl, modelsDir, log } = opts;
  const finalDir = path.join(modelsDir, id);
  const staging = path.join(modelsDir, DOWNLOADS_DIR, id);
  if (existsSync(finalDir)) throw new DownloadError('exists', `model ${id} is already installed in ${finalDir}; delete it first`);

  const http = createHttpClient({
    log,
    retries: opts.retries ?? 4,
    retryDelayMs: opts.retryDelayMs ?? 1000,
    idleTimeoutMs: opts.idleTimeoutMs ?? 30_000,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const { withRetry, get } = http;
  const httpError = (url: string, status: number, file: string) => http.httpError(url, status, `${file} of model ${id}`);

  // 1. The manifest.
  const manifestUrl = bundleFileUrl(baseUrl, id, 'manifest.json');
  const remoteText = await withRetry(`manifest of ${id}`, async () => {
    const r = await get(manifestUrl, {});
    try {
      if (!r.res.ok) throw httpError(manifestUrl, r.res.status, 'manifest.json');
      return await r.res.text();
    } catch (err) {
      return r.translate(err);
    } finally {
      r.done();
    }
  });
  let remote: Manifest;
  let selection: ReturnType<typeof selectVariants>;
  try {
    remote = parseManifest(remoteText, manifestUrl);
    if (remote.id !== id) throw new BundleError(`${manifestUrl} describes model "${remote.id}", not "${id}"`);
    selection = selectVariants(remote, opts.variants);
  } catch (err) {
    throw new DownloadError('bad-manifest', `bad manifest for model ${id}: ${(err as Error).message}`);
  }
  const filtered = selection.files.length !== remote.files.length;
  const localText = filtered ? JSON.stringify(selection.manifest, null, 2) + '\n' : remoteText;

  // 2. Staging: keep what a previous try left when the remote manifest is unchanged.
  let release: () => Promise<void>;
  try {
    release = await acquireLock(path.join(modelsDir, DOWNLOADS_DIR, `${id}.lock`), `model ${id}`);
  } catch (err) {
    if (err instanceof LockedError) throw new DownloadError('busy', err.message);
    throw err;
  }
  try {
    return await fetchAll();
  } finally {
    await release();
  }

  /** Steps 2 to 4, under the staging lock. */
  async function fetchAll(): Promise<{ dir: string; manifest: Manifest }> {
    const remoteCopy = path.join(staging, '.remote-manifest.json');
    const previous = await readFile(remoteCopy, 'utf8').catch(() => null);
    if (previous !== null && previous !== remoteText) {
      log.info(`remote manifest of ${id} changed since the last try; starting over`);
      await rm(staging, { recursive: true, force: true });
    }
    await mkdir(staging, { recursive: true });
    await writeFile(remoteCopy, remoteText);

    const total = selection.files.reduce((a, f) => a + f.bytes, 0);
    let received = 0;
    const have = new Map<string, number>();
    for (const f of selection.files) {
      const abs = resolveBundlePath(staging, f.path);
      const done = await stat(abs).then(
        (s) => s.size === f.bytes,
        () => false,
      );
      const part = done
        ? f.bytes
        : await stat(abs + '.part').then(
            (s) => Math.min(s.size, f.bytes),
            () => 0,
          );
      have.set(f.path, part);
      received += part;
    }
    const report = (state: DownloadProgress['state'], file: string | null) => opts.onProgress?.({ state, received, total, file });
    report('downloading', null);
    try {
      ensureFreeSpace(modelsDir, total - received);
    } catch (err) {
      throw new DownloadError('disk-full', (err as Error).message);
    }

    // 3. Every file.
    for (const f of selection.files) {
      const abs = resolveBundlePath(staging, f.path);
      if (
        await stat(abs).then(
          (s) => s.size === f.bytes,
          () => false,
        )
      )
        continue; // verified in an earlier try
      await mkdir(path.dirname(abs), { recursive: true });
      const url = bundleFileUrl(baseUrl, id, f.path);
      await fetchFile(url, abs, f);
    }

    // 4. Assemble, check, install.
    report('verifying', null);
    await writeFile(path.join(staging, 'manifest.json'), localText);
    let manifest: Manifest;
    try {
      manifest = (await loadBundle(staging)).manifest;
    } catch (err) {
      throw new DownloadError('bad-manifest', `downloaded bundle ${id} is not usable: ${(err as Error).message}`);
    }
    await rm(remoteCopy, { force: true });
    await writeVerifiedMarker(staging, localText, { kind: 'download', from: `${baseUrl}/${id}/` });
    if (existsSync(finalDir)) throw new DownloadError('exists', `model ${id} appeared in ${finalDir} while downloading; delete it first`);
    await rename(staging, finalDir);
    log.info(`installed model ${id}`, { dir: finalDir, bytes: total });
    return { dir: finalDir, manifest };

    /** Fetches one file into `<abs>.part`, resuming and retrying, then renames it to `abs`. */
    async function fetchFile(url: string, abs: string, f: VerifiedFile): Promise<void> {
      const part = abs + '.part';
      let hash: Hash = createHash('sha256');
      let offset = 0;
      const start = have.get(f.path) ?? 0;
      if (start > 0) {
        const onDisk = await stat(part).then(
          (s) => s.size,
          () => 0,
        );
        if (onDisk > f.bytes) {
          received -= start;
          await rm(part, { force: true });
        } else {
          report('verifying', f.path);
          offset = await hashInto(hash, part);
        }
      }
      const restart = async () => {
        received -= offset;
        offset = 0;
        hash = createHash('sha256');
        await rm(part, { force: true });
      };

      await withRetry(f.path, async () => {
        if (offset === f.bytes) return;
        // Open the part before asking, so the body is read as soon as it arrives: a stream that errors
        // drops the chunks still queued in it.
        let out = await open(part, offset > 0 ? 'a' : 'w');
        let closed = false;
        const closeOut = async () => {
          if (!closed) await out.close();
          closed = true;
        };
        const r = await get(url, offset > 0 ? { range: `bytes=${offset}-` } : {}).catch(async (err: unknown) => {
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
            throw httpError(url, res.status, f.path);
          }
          if (!res.body) throw new DownloadError('interrupted', `empty response for ${f.path}`, true);
          report('downloading', f.path);
          const reader = res.body.getReader();
          try {
            for (;;) {
              const next = (await reader.read()) as { done: boolean; value?: Uint8Array };
              if (next.done || !next.value) break;
              const chunk = next.value;
              r.poke();
              if (offset + chunk.length > f.bytes) {
                throw new DownloadError('size-mismatch', `server sent more than the ${f.bytes} bytes the manifest lists for ${f.path}`);
              }
              await writeAll(out, chunk, part);
              hash.update(chunk);
              offset += chunk.length;
              received += chunk.length;
              report('downloading', f.path);
            }
          } catch (err) {
            // A body that breaks off mid-way (server closed, connection reset) is a cut-off, not a
            // failure to reach the server: keep the part and resume.
            if (err instanceof DownloadError || err instanceof DiskFullError || opts.signal?.aborted || r.idle()) throw err;
            throw new DownloadError(
              'interrupted',
              `connection lost after ${offset} of ${f.bytes} bytes of ${f.path}: ${describeNetworkError(err)}`,
              true,
            );
          } finally {
            await reader.cancel().catch(() => {});
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
      }).catch((err: unknown) => {
        if (err instanceof DownloadError && (err.code === 'interrupted' || err.code === 'network')) {
          throw new DownloadError('interrupted', `${err.message}. The ${offset} bytes received are kept; download again to resume.`);
        }
        throw err;
      });

      const got = hash.digest('hex');
      if (got !== f.sha256) {
        await rm(part, { force: true });
        received -= offset;
        throw new DownloadError(
          'hash-mismatch',
          `${f.path} of model ${id} failed its sha256 check (expected ${f.sha256}, got ${got}); the downloaded file was deleted. The server's copy does not match its manifest.`,
        );
      }
      await rename(part, abs);
    }
  }
}
