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
  MAX_MANIFEST_BYTES,
  MAX_MANIFEST_LABEL,
  parseManifest,
  PART_SUFFIX,
  RESERVED_NAMES,
  type Manifest,
} from '../../native/bundle/manifest';
import type { ModelBuildStep } from '../../preload/contract';
import type { Log } from '../log';
import { loadAnyBundle, type AnyManifest } from './any-manifest';
import { DOWNLOADS_DIR, ensureFreeSpace, resolveBundlePath, writeVerifiedMarker } from './bundle-files';
import { acquireLock, LockedError } from './lock-file';
import { bundleFileUrl } from './catalog';
import { fetchFile, type ExpectedFile } from './download-file';
import { createHttpClient, DownloadError, type HttpClient } from './http-client';
import { selectVariants, type VariantSelection } from './variant-select';

export { DownloadError, type DownloadErrorCode } from './http-client';

/** Progress of one bundle download; byte counts cover every file being fetched. */
export interface DownloadProgress {
  /** `building`: a hub checkpoint is turned into the bundle after its download (main/models/build/). */
  state: 'downloading' | 'verifying' | 'building';
  received: number;
  total: number;
  /** The file being fetched or checked, or null between files. */
  file: string | null;
  /** The build's step while `state` is `building`. */
  buildStep?: ModelBuildStep;
}

/** One staging folder's files to fetch, and where each comes from (see {@link fetchStaged}). */
export interface StagedFetch {
  http: HttpClient;
  log: Log;
  /** Model id, for messages. */
  id: string;
  modelsDir: string;
  /** The staging folder ([Note: Download staging]); every path is resolved inside it. */
  staging: string;
  files: readonly ExpectedFile[];
  urlOf: (f: ExpectedFile) => string;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
}

/**
 * Fetches every file of `s.files` into the staging folder that is not there yet: counts what earlier
 * tries left (finished files and parts), checks the free space for the rest, then fetches the missing
 * files one by one (download-file.ts). Resolves with the byte total and the progress reporter, for
 * the caller's last steps; rejects with {@link DownloadError}.
 */
export async function fetchStaged(
  s: StagedFetch,
): Promise<{ total: number; report: (state: DownloadProgress['state'], file: string | null) => void }> {
  const { staging, files } = s;
  const total = files.reduce((a, f) => a + f.bytes, 0);
  let received = 0;
  const have = new Map<string, number>();
  const doneSize = (abs: string, f: ExpectedFile) =>
    stat(abs).then(
      (st) => st.size === f.bytes,
      () => false,
    );
  for (const f of files) {
    const abs = resolveBundlePath(staging, f.path);
    const part = (await doneSize(abs, f))
      ? f.bytes
      : await stat(abs + PART_SUFFIX).then(
          (st) => Math.min(st.size, f.bytes),
          () => 0,
        );
    have.set(f.path, part);
    received += part;
  }
  const report = (state: DownloadProgress['state'], file: string | null) => s.onProgress?.({ state, received, total, file });
  report('downloading', null);
  try {
    ensureFreeSpace(s.modelsDir, total - received);
  } catch (err) {
    throw new DownloadError('disk-full', (err as Error).message);
  }
  const ctx = {
    http: s.http,
    log: s.log,
    id: s.id,
    ...(s.signal ? { signal: s.signal } : {}),
    onBytes: (delta: number) => {
      received += delta;
    },
    report,
  };
  for (const f of files) {
    const abs = resolveBundlePath(staging, f.path);
    if (await doneSize(abs, f)) continue; // verified in an earlier try
    await mkdir(path.dirname(abs), { recursive: true });
    await fetchFile(ctx, s.urlOf(f), abs, f, have.get(f.path) ?? 0);
  }
  return { total, report };
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
  /** Longest `Retry-After` waited for before a retry (default 120 s; see http-client.ts). */
  maxRetryAfterMs?: number;
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
    ...(opts.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: opts.maxRetryAfterMs } : {}),
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
  let selection: VariantSelection;
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
  return withStaging({ modelsDir, id, staging, remoteText, log }, async (remoteCopy) => {
    // 3. Every file.
    const { report, total } = await fetchStaged({
      http,
      log,
      id,
      modelsDir,
      staging,
      files: selection.files,
      urlOf: (f) => bundleFileUrl(baseUrl, id, f.path),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });

    // 4. Assemble, check, install.
    report('verifying', null);
    // The manifest was parsed as an InternVL bundle's above; installStaged checked the folder against it.
    await installStaged({
      id,
      staging,
      finalDir,
      remoteCopy,
      manifestText: localText,
      from: `${baseUrl}/${id}/`,
      log,
      total,
    });
    return { dir: finalDir, manifest: selection.manifest };
  });
}

/**
 * Runs `fn` under model `id`'s download lock, in `staging`: what an earlier try left there is kept
 * when `remoteText` (what the server listed, kept as the remote copy) is unchanged, and thrown away
 * when it changed ([Note: Download staging]). `fn` gets the remote copy's path.
 */
export async function withStaging<T>(
  o: { modelsDir: string; id: string; staging: string; remoteText: string; log: Log },
  fn: (remoteCopy: string) => Promise<T>,
): Promise<T> {
  let release: () => Promise<void>;
  try {
    release = await acquireLock(path.join(o.modelsDir, DOWNLOADS_DIR, `${o.id}.lock`), `model ${o.id}`);
  } catch (err) {
    if (err instanceof LockedError) throw new DownloadError('busy', err.message);
    throw err;
  }
  try {
    const remoteCopy = path.join(o.staging, RESERVED_NAMES.remoteManifest);
    const previous = await readFile(remoteCopy, 'utf8').catch(() => null);
    if (previous !== null && previous !== o.remoteText) {
      o.log.info(`what the server lists for ${o.id} changed since the last try; starting over`);
      await rm(o.staging, { recursive: true, force: true });
    }
    await mkdir(o.staging, { recursive: true });
    await writeFile(remoteCopy, o.remoteText);
    return await fn(remoteCopy);
  } finally {
    await release();
  }
}

/**
 * The last step of a download: writes `manifestText` into the staging folder, checks the folder as a
 * bundle, marks it verified and renames it to `finalDir` ([Note: Verified installs]). Every file was
 * verified on the way in. Resolves with the manifest; rejects with {@link DownloadError}.
 */
export async function installStaged(o: {
  id: string;
  staging: string;
  finalDir: string;
  remoteCopy: string;
  manifestText: string;
  from: string;
  log: Log;
  total: number;
}): Promise<AnyManifest> {
  await writeFile(path.join(o.staging, RESERVED_NAMES.manifest), o.manifestText);
  let manifest: AnyManifest;
  try {
    manifest = await loadAnyBundle(o.staging, o.manifestText);
  } catch (err) {
    throw new DownloadError('bad-manifest', `downloaded bundle ${o.id} is not usable: ${(err as Error).message}`);
  }
  await rm(o.remoteCopy, { force: true });
  await writeVerifiedMarker(o.staging, o.manifestText, { kind: 'download', from: o.from });
  if (existsSync(o.finalDir))
    throw new DownloadError('exists', `model ${o.id} appeared in ${o.finalDir} while downloading; delete it first`);
  await rename(o.staging, o.finalDir);
  o.log.info(`installed model ${o.id}`, { dir: o.finalDir, bytes: o.total });
  return manifest;
}
