/**
 * @file The model manager's dealings with the hub: which hub URL is in effect ([Note: Hub endpoint]),
 * the access token kept in the secret store ([Note: Hub credentials]), and the download of one catalog
 * model with the outcome its kind calls for ([Note: Hub downloads]), with the errors the API and the
 * CLI show for them.
 *
 * Runs in main (and the CLI / headless host), inside the model manager (manager.ts).
 */
import { ApiError } from '../../../preload/api-error';
import type { Log } from '../../log';
import type { CatalogEntry } from '../catalog';
import { DownloadError } from '../http-client';
import { checkpointReadyMessage, downloadFromHub, type HubDownloadOptions, type PinnedHubSource } from './hub-download';
import { hubManifestBuilder } from './hub-manifest';
import { shortRev } from './hub-tree';
import { resolveHubEndpoint, type HubEndpoint } from './hub-endpoint';
import { checkHubToken, SecretStoreError, type SecretStore } from './token-store';

/** What {@link createHubAccess} needs: the manager's `hub` option, its environment and log. */
export interface HubAccessDeps {
  /** A fixed hub URL (tests); wins over `HF_ENDPOINT` and the setting. */
  endpoint?: string;
  /** The `models.hubEndpoint` setting's value. */
  setting?: () => string | undefined;
  /** Where the token is kept; without one no token is sent and storing one is refused. */
  secrets?: SecretStore;
  env: NodeJS.ProcessEnv;
  log: Log;
  /**
   * Builds the bundle from a downloaded, verified checkpoint (main/models/build/). Without it a
   * checkpoint download ends with `needs-build`.
   */
  build?: (o: { entry: CatalogEntry; source: PinnedHubSource; dir: string; opts: HubBuildOptions }) => Promise<void>;
}

/** What a download passes on to the bundle build. */
export type HubBuildOptions = Pick<HubDownloadOptions, 'signal' | 'onProgress' | 'variants'>;

/** Whether a token is stored, where tokens are kept, and why a stored one cannot be used. Never the token. */
export interface HubTokenStatus {
  stored: boolean;
  where: string | null;
  problem: string | null;
}

/** The hub side of the model manager; `deps` comes from the manager's `hub` option. */
export function createHubAccess(deps: HubAccessDeps) {
  const { secrets, log } = deps;

  /** The token for a download, or null; an unsafe or unreadable one fails the download with the store's words. */
  async function token(): Promise<string | null> {
    try {
      return (await secrets?.get('hub-token')) ?? null;
    } catch (err) {
      if (err instanceof SecretStoreError) {
        throw new DownloadError('unauthorized', `the stored Hugging Face access token cannot be used: ${err.message}`);
      }
      throw err;
    }
  }

  return {
    /** The hub URL in effect and what set it; an `unavailable` ApiError for a malformed one. */
    endpoint(): HubEndpoint {
      try {
        return resolveHubEndpoint({ option: deps.endpoint, env: deps.env['HF_ENDPOINT'], setting: deps.setting?.() });
      } catch (err) {
        throw new ApiError('unavailable', `${(err as Error).message}; fix it or remove it to use the official hub`);
      }
    },

    token,

    /** Stores the token (null removes it); a `bad-argument` ApiError for one that cannot be a token. */
    async setToken(raw: string | null): Promise<void> {
      if (!secrets) throw new ApiError('unavailable', 'this Shoebox has nowhere to keep an access token');
      let value: string | null = null;
      try {
        value = raw === null ? null : checkHubToken(raw);
        await secrets.set('hub-token', value);
      } catch (err) {
        if (err instanceof SecretStoreError) throw new ApiError('bad-argument', err.message);
        throw err;
      }
      log.info(value === null ? 'removed the Hugging Face access token' : 'stored a Hugging Face access token', { where: secrets.where });
    },

    /**
     * Downloads catalog model `entry` from `source` at `endpoint`: installs it when the authors publish
     * it ready to use (a manifest builder exists for its layout), else keeps the verified checkpoint
     * and builds the bundle from it (`deps.build`), or, without a builder, rejects with `needs-build`,
     * whose message says that building the bundle is the next step.
     */
    async download(
      entry: CatalogEntry,
      source: PinnedHubSource,
      endpoint: string,
      opts: Omit<HubDownloadOptions, 'source' | 'endpoint' | 'token' | 'manifest' | 'recorded'>,
    ): Promise<void> {
      const manifest = hubManifestBuilder(entry);
      const result = await downloadFromHub({
        ...opts,
        source,
        endpoint,
        token: await token(),
        ...(manifest ? { manifest } : {}),
        ...(entry.textEmbedder ? { recorded: entry.textEmbedder.files } : {}),
      });
      if (result.kind !== 'checkpoint') return;
      if (!deps.build) throw new DownloadError('needs-build', checkpointReadyMessage(entry.name, source, result));
      try {
        await deps.build({ entry, source, dir: result.dir, opts });
      } catch (err) {
        if (!(err instanceof DownloadError) || err.code === 'cancelled') throw err;
        throw new DownloadError(
          err.code,
          `The ${entry.name} checkpoint (${source.repo} at revision ${shortRev(source.revision)}) is downloaded and verified: ${result.files} files in ${result.dir}. Building the Shoebox bundle from it failed: ${err.message}`,
          err.retryable,
        );
      }
    },

    async tokenStatus(): Promise<HubTokenStatus> {
      if (!secrets) return { stored: false, where: null, problem: null };
      try {
        return { stored: (await secrets.get('hub-token')) !== null, where: secrets.where, problem: null };
      } catch (err) {
        if (err instanceof SecretStoreError) return { stored: true, where: secrets.where, problem: err.message };
        throw err;
      }
    },
  };
}
