/**
 * @file The model manager: lists the bundles Shoebox knows or has, downloads (with progress events),
 * imports, deletes and selects them, and hands the inference worker the active bundle's verified
 * local folder. Every method maps onto one `models:*` request of preload/contract.ts.
 *
 * Runs in main (and the CLI / headless host). Built once in the composition root (main/services.ts).
 *
 * Where a download comes from: a bundle server when a base URL is set ([Note: Remote bundle layout]),
 * otherwise, for a catalog model, its authors' Hugging Face repository ([Note: Hub downloads]).
 *
 * [Note: Demo models] Bundles with `random_weights: true` (made by native/export for tests and
 * benchmarks) produce meaningless text. They are listed like any other, but selecting one is refused
 * and {@link ModelManager.activeBundle} never returns one unless demo mode is on
 * (`SHOEBOX_DEMO_MODEL=1` or the `demo` option). Whoever shows model output must label it as demo
 * output when `manifest.random_weights` is true.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../preload/api-error';
import type { ModelDto } from '../../preload/contract';
import { BUNDLE_ID, BUNDLE_ID_RULE, type Manifest } from '../../native/bundle/manifest';
import type { Db } from '../db/open';
import { createSettingsRepo, SettingKeys } from '../db/settings.repo';
import type { Log } from '../log';
import type { AppPaths } from '../paths';
import { CATALOG, catalogEntry, normaliseBaseUrl, pinnedHubSource, TEXT_EMBEDDERS, textEmbedderEntry } from './catalog';
import { importErrorToApi } from './api-errors';
import { downloadBundle, type DownloadOptions, type DownloadProgress } from './download';
import { createCheckpointBuilder, type CheckpointBuildOptions } from './build/checkpoint-build';
import { createHubAccess, type HubTokenStatus } from './hub/hub-access';
import type { HubEndpoint } from './hub/hub-endpoint';
import type { SecretStore } from './hub/token-store';
import { importBundle, ImportError } from './import';
import { modelDto } from './model-dto';
import { removeModelFiles } from './remove-model';
import { createInstallJobs, type InstallJob } from './install-jobs';
import { inspectInstalled, listInstalledIds, listStagedIds, type Installed } from './installed';
import { createVariantCosts } from './variant-costs';
import { createVariantSpeedRepo } from '../db/variant-speed.repo';
import { readVariantMemory } from '../inference/variant-memory';

/** What {@link createModelManager} needs. */
export interface ModelManagerDeps {
  db: Db;
  paths: Pick<AppPaths, 'modelsDir'>;
  log: Log;
  emit: (event: 'models:progress', payload: ModelDto) => void;
  /** Download base URL; wins over `SHOEBOX_MODEL_BASE_URL` and the `modelBaseUrl` setting. */
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
  /** Allow random-weight bundles (see [Note: Demo models]); default `SHOEBOX_DEMO_MODEL === '1'`. */
  demo?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Download tuning (tests shorten these). */
  download?: Pick<DownloadOptions, 'retries' | 'retryDelayMs' | 'idleTimeoutMs' | 'maxRetryAfterMs'> & { progressIntervalMs?: number };
  /**
   * The Hugging Face hub ([Note: Hub endpoint]): a fixed URL (wins over `HF_ENDPOINT` and the
   * setting; tests), the `models.hubEndpoint` setting's value, and where the access token is kept
   * (without a store, downloads send no token and storing one is refused).
   */
  hub?: { endpoint?: string; setting?: () => string | undefined; secrets?: SecretStore };
  /** The bundle build after a checkpoint download (main/models/build/checkpoint-build.ts). */
  build?: CheckpointBuildOptions;
}

/** The bundle the inference worker gets: a verified local folder and its manifest. */
export interface ActiveBundle {
  dir: string;
  manifest: Manifest;
}

/** Options of a download or import beyond the contract's arguments. */
export interface InstallOptions {
  /** Install only these variants (all when omitted). */
  variants?: readonly string[];
  /**
   * Downloads only: make it the active model once installed, if none is active then (the first-run
   * offer's one click). A model that cannot be selected (random weights outside demo mode, a text
   * embedder) is left installed and unselected.
   */
  activate?: boolean;
}

/** The model manager's methods: the contract's `models:*`, plus what the inference service and the CLI need. */
export interface ModelManager {
  /** Catalog models first (in catalog order), then every other installed or in-flight bundle. */
  list(): ModelDto[];
  /** The DTO of one model (known, installed or downloading); unknown ids give a not-installed DTO. */
  get(id: string): ModelDto;
  /**
   * Starts downloading `id` from the base URL and returns at once with its DTO
   * (`download.state: 'downloading'`); progress arrives as `models:progress` events, and
   * {@link waitForDownload} resolves when it is installed. Calling it again while it runs is a no-op.
   */
  download(id: string, options?: InstallOptions): ModelDto;
  /** Resolves with the installed DTO when the download of `id` finishes; rejects with its ApiError. */
  waitForDownload(id: string): Promise<ModelDto>;
  /** Stops a running download; its finished files and part are kept, so downloading again resumes. */
  cancelDownload(id: string): boolean;
  /** Copies a bundle folder into the models folder after verifying every file (see import.ts). */
  import(src: string, options?: InstallOptions): Promise<ModelDto>;
  /**
   * Deletes an installed bundle and everything Shoebox keeps for it under the models folder (an
   * unfinished download, a kept checkpoint, a leftover build). Refuses the active model and a model
   * another live process is downloading or building.
   */
  delete(id: string): Promise<boolean>;
  /** Makes `id` the active model (null: none). Persisted in the `settings` table. */
  select(id: string | null): ModelDto[];
  /**
   * The active bundle for the inference worker: a verified, complete local folder, or null (see
   * {@link noModelReason} for why). Random-weight bundles only in demo mode.
   */
  activeBundle(): ActiveBundle | null;
  /** Why {@link activeBundle} is null, in words for the user (pointing to the Models page); null when it is not. */
  noModelReason(): string | null;
  /**
   * The text embedder search uses ([Note: Which text embedder]): the first usable installed
   * text-embedder bundle, catalog models first; random-weight ones only in demo mode. Null when none.
   */
  activeEmbedder(): ActiveEmbedder | null;
  /** Why {@link activeEmbedder} is null, in words for the user; null when it is not. */
  noEmbedderReason(): string | null;
  /** True when bundles with random weights may be used (demo mode). */
  demoMode(): boolean;
  /** The download base URL in effect (option, env, then setting), or null. Throws for a malformed one. */
  baseUrl(): string | null;
  /** Stores the base URL in the `modelBaseUrl` setting (null removes it). Checked before storing. */
  setBaseUrl(url: string | null): string | null;
  /** The Hugging Face hub URL in effect and what set it ([Note: Hub endpoint]). Throws for a malformed one. */
  hubEndpoint(): HubEndpoint;
  /** Stores the hub access token (null removes it) in the secret store ([Note: Hub credentials]). */
  setHubToken(token: string | null): Promise<void>;
  /** Whether a hub access token is stored, where tokens are kept, and why a stored one cannot be used (never the token). */
  hubToken(): Promise<HubTokenStatus>;
  /** Cancels running downloads and imports and waits for them to stop. */
  close(): Promise<void>;
}

/** The text-embedder bundle search uses: a verified local folder. */
export interface ActiveEmbedder {
  id: string;
  dir: string;
  randomWeights: boolean;
}

/**
 * [Note: Which text embedder] Search has one text embedder at a time and nothing to choose by hand yet:
 * the first installed, complete text-embedder bundle, catalog models (TEXT_EMBEDDERS, best first)
 * before others by id, random-weight ones (the tiny test bundle) only in demo mode. Vectors record the
 * model that made them, so installing a better one re-embeds in the background and search keeps
 * answering with words meanwhile.
 */
const DEMO_HINT =
  'Random-weight bundles are for tests and trying Shoebox out: they write random text. To use one anyway, turn on Demo mode on the Models page.';

/** Position of `id` among `known` (unknown ids after every known one). */
function rank(known: readonly string[], id: string): number {
  const i = known.indexOf(id);
  return i === -1 ? known.length : i;
}

/** Builds the manager. Synchronous; the models folder is scanned on demand (a few stat calls). */
export function createModelManager(deps: ModelManagerDeps): ModelManager {
  const { log, emit } = deps;
  const modelsDir = path.resolve(deps.paths.modelsDir);
  const env = deps.env ?? process.env;
  const settings = createSettingsRepo(deps.db);
  // [Note: Demo mode switch] in preload/contract/settings.ts: read each time, so that the Models page's
  // switch (the `models.demoMode` setting, stored as JSON) takes effect at once.
  const demoOn = (): boolean => deps.demo ?? (env['SHOEBOX_DEMO_MODEL'] === '1' || settings.get('models.demoMode') === 'true');
  const jobs = createInstallJobs({ log, intervalMs: deps.download?.progressIntervalMs ?? 250, dto: (id) => dto(id), emit });
  const imports = new Map<AbortController, Promise<unknown>>();
  // A checkpoint download goes on to build its bundle ([Note: Bundle build staging]).
  const hub = createHubAccess({ ...deps.hub, env, log, build: createCheckpointBuilder({ ...deps.build, modelsDir, env, log }) });

  const inspect = (id: string) => inspectInstalled(modelsDir, id);
  const installedIds = () => listInstalledIds(modelsDir);

  const activeId = () => settings.get(SettingKeys.activeModel);
  const costs = createVariantCosts(createVariantSpeedRepo(deps.db).recentMs, Date.now, (id) => readVariantMemory(path.join(modelsDir, id)));

  /** What the catalog knows of `id`: a model that describes photos, or a text embedder. */
  const entryOf = (id: string) => catalogEntry(id) ?? textEmbedderEntry(id);

  function dto(id: string, inst: Installed | null = inspect(id)): ModelDto {
    return modelDto(id, { modelsDir, entry: entryOf(id), job: jobs.get(id), inst, activeId: activeId(), costs });
  }

  function checkId(id: string): void {
    if (!BUNDLE_ID.test(id)) throw new ApiError('bad-argument', `"${id}" is not a model id (${BUNDLE_ID_RULE})`);
  }

  /** The download base URL in effect, or null when none is configured. Throws for a malformed one. */
  function baseUrl(): string | null {
    const raw = deps.baseUrl ?? env['SHOEBOX_MODEL_BASE_URL'] ?? settings.get(SettingKeys.modelBaseUrl);
    if (raw === undefined || raw === null || raw.trim() === '') return null;
    try {
      return normaliseBaseUrl(raw);
    } catch (err) {
      // The app has no field for the base URL: it comes from the environment or the CLI, so name both.
      throw new ApiError(
        'unavailable',
        `the model download URL is not usable: ${(err as Error).message}. It is set outside the app, by the SHOEBOX_MODEL_BASE_URL environment variable or with \`shoebox models base-url\`: fix it there, or remove it to download from the Hugging Face hub`,
      );
    }
  }

  const manager: ModelManager = {
    list(): ModelDto[] {
      const ids = [...CATALOG.map((e) => e.id)];
      for (const id of [...installedIds(), ...listStagedIds(modelsDir), ...jobs.ids()].sort()) if (!ids.includes(id)) ids.push(id);
      return ids.map((id) => dto(id));
    },

    get(id: string): ModelDto {
      checkId(id);
      return dto(id);
    },

    download(id: string, options: InstallOptions = {}): ModelDto {
      checkId(id);
      const running = jobs.get(id);
      if (running && running.state !== 'failed') return dto(id);
      if (existsSync(path.join(modelsDir, id)))
        throw new ApiError('conflict', `model ${id} is already installed; delete it first to download it again`);
      const base = baseUrl();
      const entry = entryOf(id);
      const pinned = base === null && entry ? pinnedHubSource(entry) : null;
      if (base === null && !pinned?.source) {
        if (entry && pinned?.why) {
          throw new ApiError(
            'unavailable',
            `${entry.name} cannot be downloaded from the Hugging Face hub: ${pinned.why}. Import a bundle folder on the Models page instead.`,
          );
        }
        throw new ApiError(
          'unavailable',
          `${entry?.name ?? id} has no download source: Shoebox knows no Hugging Face repository for it, and no server with Shoebox model bundles is set. Import a bundle folder under "Import a model bundle" on the Models page, or point Shoebox at such a server (outside the app: the SHOEBOX_MODEL_BASE_URL environment variable or \`shoebox models base-url URL\`).`,
        );
      }
      const { progressIntervalMs: _interval, ...tuning } = deps.download ?? {};
      /** After the install: select it when asked and nothing else is active (see {@link InstallOptions.activate}). */
      const activated = () => {
        if (!options.activate || activeId() !== null) return;
        try {
          manager.select(id);
        } catch (err) {
          log.info(`installed ${id} but did not make it active: ${(err as Error).message}`);
        }
      };
      const common = {
        id,
        modelsDir,
        log,
        ...(options.variants ? { variants: options.variants } : {}),
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...tuning,
      };
      const progress = (job: InstallJob) => (p: DownloadProgress) => {
        // A new state or build step is sent at once; bytes within one are throttled.
        const step = p.state === 'building' ? (p.buildStep ?? null) : null;
        const changed = job.state !== p.state || job.buildStep !== step;
        job.state = p.state;
        job.buildStep = step;
        job.received = p.received;
        job.total = p.total;
        jobs.push(id, changed);
      };
      if (base !== null) {
        log.info(`downloading model ${id}`, { from: base });
        jobs.startDownload(id, (job) =>
          downloadBundle({ ...common, baseUrl: base, signal: job.controller.signal, onProgress: progress(job) }).then(() => activated()),
        );
      } else if (entry && pinned?.source) {
        const source = pinned.source;
        const endpoint = hub.endpoint().url;
        log.info(`downloading model ${id} from the Hugging Face hub`, { from: endpoint, repo: source.repo, revision: source.revision });
        jobs.startDownload(id, (job) =>
          hub
            .download(entry, source, endpoint, { ...common, signal: job.controller.signal, onProgress: progress(job) })
            .then(() => activated()),
        );
      }
      jobs.push(id, true);
      return dto(id);
    },

    async waitForDownload(id: string): Promise<ModelDto> {
      const job = jobs.get(id);
      if (!job) return dto(id);
      return job.promise;
    },

    cancelDownload(id: string): boolean {
      const job = jobs.get(id);
      if (!job || job.state === 'failed') return false;
      job.controller.abort();
      return true;
    },

    async import(src: string, options: InstallOptions = {}): Promise<ModelDto> {
      const controller = new AbortController();
      let id: string | null = null;
      const work = importBundle({
        src,
        modelsDir,
        log,
        signal: controller.signal,
        ...(options.variants ? { variants: options.variants } : {}),
        // Show the copy on the Models page like a download ('verifying': bytes are hashed as copied).
        onStart: (m, total) => {
          const other = jobs.get(m.id);
          if (other && other.state !== 'failed') throw new ImportError('exists', `model ${m.id} is being downloaded; cancel that first`);
          id = m.id;
          jobs.startImport(m.id, controller, total);
        },
        onProgress: (copied) => {
          const job = id === null ? undefined : jobs.get(id);
          if (id === null || job?.controller !== controller) return;
          job.received = copied;
          jobs.push(id);
        },
      });
      imports.set(controller, work);
      try {
        const { manifest } = await work;
        if (jobs.get(manifest.id)?.controller === controller) jobs.delete(manifest.id);
        jobs.push(manifest.id, true);
        return dto(manifest.id);
      } catch (err) {
        const apiErr = importErrorToApi(err);
        if (id !== null && jobs.get(id)?.controller === controller) {
          jobs.delete(id);
          jobs.push(id, true);
        }
        throw apiErr;
      } finally {
        imports.delete(controller);
      }
    },

    async delete(id: string): Promise<boolean> {
      checkId(id);
      if (activeId() === id)
        throw new ApiError('conflict', `model ${id} is the active model; select another one (or none) before deleting it`);
      const job = jobs.get(id);
      if (job) {
        job.controller.abort();
        await job.promise.catch(() => {});
        jobs.delete(id);
      }
      const deleted = await removeModelFiles(modelsDir, id);
      if (deleted) log.info(`deleted model ${id}`);
      emit('models:progress', dto(id));
      return deleted;
    },

    select(id: string | null): ModelDto[] {
      if (id === null) {
        settings.set(SettingKeys.activeModel, null);
        log.info('no model selected');
        return manager.list();
      }
      checkId(id);
      const inst = inspect(id);
      if (!inst) throw new ApiError('not-found', `model ${id} is not installed; download or import it on the Models page first`);
      if (inst.problem !== null || !inst.manifest)
        throw new ApiError('conflict', `model ${id} cannot be used: ${inst.problem ?? 'invalid'}`);
      if (inst.manifest.family !== 'internvl') {
        throw new ApiError(
          'conflict',
          `model ${id} is a text embedder: search uses it by itself; the model selected here describes photos`,
        );
      }
      if (inst.manifest.random_weights && !demoOn()) throw new ApiError('conflict', `model ${id} has random weights. ${DEMO_HINT}`);
      settings.set(SettingKeys.activeModel, id);
      log.info(`selected model ${id}`);
      return manager.list();
    },

    activeBundle(): ActiveBundle | null {
      const id = activeId();
      if (id === null || !BUNDLE_ID.test(id)) return null;
      const inst = inspect(id);
      if (!inst || inst.problem !== null || !inst.manifest || inst.manifest.family !== 'internvl') return null;
      if (inst.manifest.random_weights && !demoOn()) return null;
      return { dir: inst.dir, manifest: inst.manifest };
    },

    noModelReason(): string | null {
      const id = activeId();
      const usable = installedIds().filter((i) => {
        const inst = inspect(i);
        return inst?.problem === null && inst.manifest?.family === 'internvl' && (demoOn() || !inst.manifest.random_weights);
      });
      const hint =
        usable.length > 0
          ? `Choose one of the installed models (${usable.join(', ')}) with "Use this model" on the Models page.`
          : 'Open the Models page to download or import one.';
      if (id === null) return `No model is selected. ${hint}`;
      const inst = inspect(id);
      if (!inst) return `The selected model ${id} is not installed. ${hint}`;
      if (inst.problem !== null || !inst.manifest) return `The selected model ${id} cannot be used: ${inst.problem ?? 'invalid'}.`;
      if (inst.manifest.family !== 'internvl')
        return `The selected model ${id} is a text embedder, not a model that describes photos. ${hint}`;
      if (inst.manifest.random_weights && !demoOn()) return `The selected model ${id} has random weights. ${DEMO_HINT}`;
      return null;
    },

    activeEmbedder(): ActiveEmbedder | null {
      const known = TEXT_EMBEDDERS.map((e) => e.id);
      const ids = installedIds().sort((a, b) => rank(known, a) - rank(known, b) || a.localeCompare(b));
      for (const id of ids) {
        const inst = inspect(id);
        if (!inst || inst.problem !== null || !inst.manifest || inst.manifest.family !== 'text-embedder') continue;
        if (inst.manifest.random_weights && !demoOn()) continue;
        return { id, dir: inst.dir, randomWeights: inst.manifest.random_weights };
      }
      return null;
    },

    noEmbedderReason(): string | null {
      if (manager.activeEmbedder()) return null;
      const randomOnly = installedIds().some((id) => {
        const inst = inspect(id);
        return inst?.problem === null && inst.manifest?.family === 'text-embedder' && inst.manifest.random_weights;
      });
      // A clause: search says "Search matches words only: <this>", the embed step shows it as its reason.
      if (randomOnly) return 'the installed text embedder has random weights (Demo mode on the Models page allows it)';
      const first = TEXT_EMBEDDERS[0];
      return `no text embedder is installed${first ? ` (download ${first.name} on the Models page)` : ''}`;
    },

    demoMode: demoOn,

    baseUrl,

    setBaseUrl(url: string | null): string | null {
      if (url === null) {
        settings.set(SettingKeys.modelBaseUrl, null);
        return null;
      }
      let norm: string;
      try {
        norm = normaliseBaseUrl(url);
      } catch (err) {
        throw new ApiError('bad-argument', (err as Error).message);
      }
      settings.set(SettingKeys.modelBaseUrl, norm);
      return norm;
    },

    hubEndpoint: () => hub.endpoint(),
    setHubToken: (token) => hub.setToken(token),
    hubToken: () => hub.tokenStatus(),

    async close(): Promise<void> {
      const running = jobs.running();
      for (const j of running) j.controller.abort();
      for (const c of imports.keys()) c.abort();
      await Promise.allSettled([...running.map((j) => j.promise), ...imports.values()]);
    },
  };
  return manager;
}
