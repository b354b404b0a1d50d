/**
 * @file Downloads one model bundle from a base URL (layout: [Note: Remote bundle layout] in
 * catalog.ts) into `modelsDir/<id>`: manifest first, then every file streamed to a `*.part` file with
 * sha256 computed on the way, resumed with `Range` after a cut-off, retried with backoff on 5xx and
 * network errors, and installed by one rename once every file is verified.
 *
 * Runs in main (async I/O only). One file's fetch lives in download-file.ts.
 *
 * [Note: Download staging] Unfinished downloads live in `modelsDir/.downloads/<id>/`: the remote
 * manifest as fetched (`.remote-manifest.json`), finished files under their manifest paths and the
 * file in flight as `<path>.part`. A cut-off, a cancel or a crash keeps them, so the next download of
 * the same id resumes; a changed remote manifest discards them. A file whose sha256 does not match is
 * deleted at once. Only a folder in which every file was verified is renamed to `modelsDir/<id>`, so
 * nothing half-made is ever visible as installed. The staging names are reserved, so no manifest can
 * list them ([Note: One manifest check] in native/bundle/manifest.ts).
 *
 * [Note: Resumable failures] A failed download says whether downloading again could succeed as it
 * stands (`DownloadError.resumable`, the DTO's `download.resumable`): the Models page offers to resume
 * only then. Cut-offs, network errors, 5xx, a cancel and a full disk are resumable (the parts are
 * kept); a 404, a refused request, a bad or oversized manifest and a file that fails its sha256 are
 * not, because the next try meets the same server answer.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  BundleError,
  loadBundle,
  MAX_MANIFEST_BYTES,
  MAX_MANIFEST_LABEL,
  parseManifest,
  PART_SUFFIX,
  RESERVED_NAMES,
  type Manifest,
} from '../../native/bundle/manifest';
import type { Log } from '../log';
import { acquireLock, DOWNLOADS_DIR, LockedError, ensureFreeSpace, resolveBundlePath, writeVerifiedMarker } from './bundle-files';
import { bundleFileUrl } from './catalog';
import { fetchFile } from './download-file';
import { createHttpClient, DownloadError } from './http-client';
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
  /** A request that delivers no byte for this long is dropped and retried (default 30 s; see [Note: Idle means idle]). */
  idleTimeoutMs?: number;
}

/**
 * Downloads bundle `id` and installs it as `modelsDir/<id>`. Resolves with the installed folder and
 * its manifest; rejects with {@link DownloadError} (a full disk is its `disk-full`).
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

  // 1. The manifest, capped: an endless or huge body is refused, not buffered.
  const manifestUrl = bundleFileUrl(baseUrl, id, RESERVED_NAMES.manifest);
  const remoteText = await http.getText(
    manifestUrl,
    `manifest.json of model ${id}`,
    MAX_MANIFEST_BYTES,
    () =>
      new DownloadError(
        'too-large',
        `manifest.json is larger than ${MAX_MANIFEST_LABEL} (${manifestUrl}); a bundle manifest is a few KB, so the server does not serve a Shoebox bundle for model ${id} there`,
      ),
  );
  let remote: Manifest;
  let selection: ReturnType<typeof selectVariants>;
  try {
    remote = parseManifest(remoteText, manifestUrl);
    if (remote.id !== id) throw new BundleError(`${manifestUrl} describes model "${remote.id}", not "${id}"`, 'bad-manifest');
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
    const remoteCopy = path.join(staging, RESERVED_NAMES.remoteManifest);
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
        : await stat(abs + PART_SUFFIX).then(
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
    const ctx = {
      http,
      log,
      id,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onBytes: (delta: number) => {
        received += delta;
      },
      report,
    };
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
      await fetchFile(ctx, bundleFileUrl(baseUrl, id, f.path), abs, f, have.get(f.path) ?? 0);
    }

    // 4. Assemble, check, install.
    report('verifying', null);
    await writeFile(path.join(staging, RESERVED_NAMES.manifest), localText);
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
  }
}
