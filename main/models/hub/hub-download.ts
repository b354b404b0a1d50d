/**
 * @file Downloads one model from the Hugging Face hub at its pinned revision: lists the revision's
 * files (hub-tree.ts), picks what its layout needs (hub-files.ts), fetches each file with the
 * downloader's resume, retries, progress and cancel (download.ts, download-file.ts), verifying every
 * byte, and then either installs a bundle or keeps a verified checkpoint for the bundle build.
 *
 * Runs in main (async I/O), inside the model manager's download jobs.
 *
 * [Note: Hub downloads] Two outcomes, by what the authors publish:
 * - **A complete install** (a text embedder published as ONNX with `tokenizer.json`): the files are
 *   staged in `modelsDir/.downloads/<id>/` like a bundle download ([Note: Download staging]), then
 *   Shoebox writes the manifest (the `manifest` option; every listed file with its size and sha256,
 *   computed on arrival for files the hub lists by git blob id) and installs the folder as
 *   `modelsDir/<id>` by the same verified rename as any bundle.
 * - **A checkpoint** (InternVL, published as safetensors): the files go to
 *   `modelsDir/.checkpoints/<id>/` and stay there. Beside them, `.remote-manifest.json` records the
 *   repository, the revision and every file with its size and hash, and `.shoebox-verified.json`
 *   (written once every file matched) carries that record's sha256; the bundle build reads the
 *   checkpoint only when both agree (`hasValidMarker`). Building is a later step, so a finished
 *   checkpoint download ends with the `needs-build` error that says so.
 * Either way a second download of the same revision re-fetches only what is missing, one of another
 * revision starts over, and nothing is written outside the models folder: every path is checked
 * ([Note: Hub listings]) and resolved inside its staging folder.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Log } from '../../log';
import type { AnyManifest } from '../any-manifest';
import { DOWNLOADS_DIR, formatBytes, resolveBundlePath, sha256File, writeVerifiedMarker, type VerifiedFile } from '../bundle-files';
import { fetchStaged, installStaged, withStaging, type DownloadOptions } from '../download';
import { createHttpClient, DownloadError } from '../http-client';
import { createHubFetch } from './hub-fetch';
import { HubSelectionError, selectHubFiles, type HubLayout } from './hub-files';
import { listRevision, resolveUrl, shortRev } from './hub-tree';

/** Folder under modelsDir that holds downloaded checkpoints, one subfolder per model id. */
export const CHECKPOINTS_DIR = '.checkpoints';

/** A hub repository pinned to one revision, and how its files are laid out. */
export interface PinnedHubSource {
  repo: string;
  /** A 40-hex commit id. */
  revision: string;
  layout: HubLayout;
  /** The graph file of each variant, for layouts with variants (see `selectHubFiles`). */
  variantFiles?: Readonly<Record<string, string>>;
}

/** Builds the manifest text of a complete install from its verified files and the variants fetched. */
export type HubManifestBuilder = (o: { dir: string; files: readonly VerifiedFile[]; variants: readonly string[] }) => Promise<string>;

/** Options of {@link downloadFromHub}. */
export interface HubDownloadOptions extends Pick<
  DownloadOptions,
  'fetch' | 'signal' | 'onProgress' | 'retries' | 'retryDelayMs' | 'idleTimeoutMs' | 'maxRetryAfterMs'
> {
  id: string;
  source: PinnedHubSource;
  /** The hub URL ([Note: Hub endpoint]), normalised. */
  endpoint: string;
  /** Access token for gated repositories, or null ([Note: Hub credentials]). */
  token: string | null;
  modelsDir: string;
  log: Log;
  /** Variants to fetch, for layouts that have them (all when omitted). */
  variants?: readonly string[];
  /** Present: a complete install with this manifest. Absent: a checkpoint ([Note: Hub downloads]). */
  manifest?: HubManifestBuilder;
  /**
   * Sizes and sha256 Shoebox recorded for files of this revision (the catalog's): a fetched file must
   * match them as well as the hub's listing, so a hub or mirror that answers differently is refused.
   */
  recorded?: readonly VerifiedFile[];
}

/** What {@link downloadFromHub} made. */
export type HubDownloadResult =
  { kind: 'installed'; dir: string; manifest: AnyManifest } | { kind: 'checkpoint'; dir: string; files: number; bytes: number };

/**
 * Downloads `opts.source` ([Note: Hub downloads]). Rejects with {@link DownloadError}: `unauthorized`
 * for a gated repository without a (valid) token, `not-found` for a repository or revision that is
 * gone, `bad-listing` for an answer that is malformed, unsafe or lacks a required file, and the
 * downloader's codes for everything else.
 */
export async function downloadFromHub(opts: HubDownloadOptions): Promise<HubDownloadResult> {
  const { id, endpoint, modelsDir, log } = opts;
  const { repo, revision } = opts.source;
  const finalDir = path.join(modelsDir, id);
  if (opts.manifest && existsSync(finalDir))
    throw new DownloadError('exists', `model ${id} is already installed in ${finalDir}; delete it first`);

  const http = createHttpClient({
    log,
    retries: opts.retries ?? 4,
    retryDelayMs: opts.retryDelayMs ?? 1000,
    idleTimeoutMs: opts.idleTimeoutMs ?? 30_000,
    fetch: createHubFetch({ endpoint, token: opts.token, ...(opts.fetch ? { fetch: opts.fetch } : {}) }),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: opts.maxRetryAfterMs } : {}),
    describeStatus: hubStatusError(endpoint, repo, revision, opts.token !== null),
  });

  const listing = await listRevision(http, endpoint, repo, revision);
  let selection: ReturnType<typeof selectHubFiles>;
  try {
    selection = selectHubFiles(listing, {
      layout: opts.source.layout,
      ...(opts.source.variantFiles ? { variantFiles: opts.source.variantFiles } : {}),
      variants: opts.variants,
    });
  } catch (err) {
    if (!(err instanceof HubSelectionError)) throw err;
    throw new DownloadError('bad-listing', `${repo} at revision ${shortRev(revision)} cannot be used: ${err.message}`);
  }
  const recorded = new Map((opts.recorded ?? []).map((f) => [f.path, f]));
  const differs = (f: { path: string; bytes: number; sha256: string }) => {
    const r = recorded.get(f.path);
    return r !== undefined && (r.bytes !== f.bytes || r.sha256 !== f.sha256);
  };
  const against = (f: { path: string; bytes: number; sha256: string }) =>
    `the hub's copy of ${f.path} (${repo} at ${shortRev(revision)}) has ${f.bytes} bytes and sha256 ${f.sha256}, but Shoebox recorded ${recorded.get(f.path)?.bytes} bytes and sha256 ${recorded.get(f.path)?.sha256} for that revision; refusing it`;
  for (const f of selection.files) if ('sha256' in f && differs(f)) throw new DownloadError('bad-listing', against(f));
  const staging = path.join(modelsDir, opts.manifest ? DOWNLOADS_DIR : CHECKPOINTS_DIR, id);
  // What the hub promised: kept in staging so that a later try resumes only the same revision's files.
  const remoteText = JSON.stringify({ source: 'hub', repo, revision, files: selection.files }, null, 2) + '\n';
  const from = `${endpoint}/${repo}@${revision}`;
  log.info(`downloading ${repo} at ${shortRev(revision)} from ${endpoint}`, { files: selection.files.length });

  return withStaging({ modelsDir, id, staging, remoteText, log }, async (remoteCopy) => {
    const { report, total } = await fetchStaged({
      http,
      log,
      id,
      modelsDir,
      staging,
      files: selection.files,
      urlOf: (f) => resolveUrl(endpoint, repo, revision, f.path),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    report('verifying', null);
    if (!opts.manifest) {
      await writeVerifiedMarker(staging, remoteText, { kind: 'download', from });
      log.info(`checkpoint of ${repo} at ${shortRev(revision)} downloaded and verified`, { dir: staging, bytes: total });
      return { kind: 'checkpoint', dir: staging, files: selection.files.length, bytes: total };
    }
    // The manifest lists every file with its sha256; files verified by git blob id get theirs now.
    const files: VerifiedFile[] = [];
    for (const f of selection.files) {
      files.push({ path: f.path, bytes: f.bytes, sha256: 'sha256' in f ? f.sha256 : await sha256File(resolveBundlePath(staging, f.path)) });
    }
    for (const f of files) if (differs(f)) throw new DownloadError('hash-mismatch', against(f));
    let manifestText: string;
    try {
      manifestText = await opts.manifest({ dir: staging, files, variants: selection.variants });
    } catch (err) {
      throw new DownloadError(
        'bad-manifest',
        `cannot describe ${repo} at ${shortRev(revision)} as a Shoebox bundle: ${(err as Error).message}`,
      );
    }
    const manifest = await installStaged({ id, staging, finalDir, remoteCopy, manifestText, from, log, total });
    return { kind: 'installed', dir: finalDir, manifest };
  });
}

/** The message that tells the user a checkpoint is ready for the bundle build ([Note: Hub downloads]). */
export function checkpointReadyMessage(
  name: string,
  source: PinnedHubSource,
  result: { dir: string; files: number; bytes: number },
): string {
  return (
    `The ${name} checkpoint (${source.repo} at revision ${shortRev(source.revision)}) is downloaded and verified: ` +
    `${result.files} files, ${formatBytes(result.bytes)} in ${result.dir}. The next step is building the Shoebox bundle from it, ` +
    'which this version of Shoebox cannot do yet; meanwhile import a bundle made with native/export ("Import a model bundle" on the Models page).'
  );
}

/** The hub's words for the statuses whose default message would mislead ([Note: Hub credentials]). */
function hubStatusError(endpoint: string, repo: string, revision: string, withToken: boolean) {
  const hubOrigin = new URL(endpoint).origin;
  return (status: number, url: string, what: string, finalUrl: string): DownloadError | undefined => {
    const onHub = URL.canParse(finalUrl) && new URL(finalUrl).origin === hubOrigin;
    if (status === 401 || status === 403) {
      if (!onHub) {
        // The CDN refuses a signed link that expired: asking the hub again gives a fresh one.
        return new DownloadError('http', `the download server refused ${what} (HTTP ${status}); asking the hub for a new link`, true);
      }
      return new DownloadError(
        'unauthorized',
        withToken
          ? `the hub refused the stored Hugging Face access token for ${repo} (HTTP ${status}): check that the token is valid and may read this repository, and that you accepted the model's terms at ${endpoint}/${repo}`
          : `this model needs a Hugging Face access token: ${repo} is gated or private (HTTP ${status}). Accept its terms at ${endpoint}/${repo}, then enter a token under Models → Hugging Face access token`,
      );
    }
    if ((status === 404 || status === 410) && url.includes('/api/models/')) {
      return new DownloadError(
        'not-found',
        `${repo} at revision ${shortRev(revision)} was not found on ${endpoint} (HTTP ${status}): the repository was renamed, removed or made private, or the pinned revision is gone`,
      );
    }
    if (status === 404 || status === 410) {
      return new DownloadError(
        'not-found',
        `the hub lists ${what} but answers HTTP ${status} for it (${url}); the hub or mirror is inconsistent`,
      );
    }
    return undefined;
  };
}
