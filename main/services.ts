/**
 * @file The composition root: builds every service once, in order, from a data directory. The Electron
 * shell, the headless host, the CLI and the integration tests all start Shoebox through `createServices`.
 * Services are plain modules; nothing here knows about Electron.
 *
 * [Note: Services know nothing of Electron] Everything under main/ except the thin shell (main/index.ts,
 * window.ts, media-protocol.ts, ipc.ts, safe-storage.ts) is plain Node: the same services run inside
 * Electron, in the headless host, in the CLI and in the integration tests, and a test needs no Electron
 * to start them. What only Electron can do reaches a service as an injected function (the worker
 * `Spawner`, the media URLs chosen by `shell`, the OS-keychain secret store). eslint.config.js enforces
 * it: only the shell files may import `electron`.
 */
import { join } from 'node:path';
import { version } from '../package.json';
import { createHandlers } from './api/handlers';
import { createRouter, type Router } from './api/router';
import { openDatabase, type Db } from './db/open';
import { createEventBus, type EventBus } from './events';
import { createDescriber } from './chat/describe';
import { createLibraryChat, type LibraryChat } from './chat/library-chat';
import { createPhotoChat, type PhotoChat } from './chat/photo-chat';
import { createInference, type InferenceService, type WorkerSpawner } from './inference/inference.service';
import { createCollections, type Collections } from './library/collections';
import { createLibrary, type Library } from './library/library';
import { createTrash, type Trash } from './library/trash';
import { trashWithPackage, type TrashItem } from './library/trash-host';
import { createTrashLocator } from './library/trash-locate';
import { createLog, type Log } from './log';
import { createFileSecretStore, type SecretStore } from './models/hub/token-store';
import { createModelManager, type ModelManager } from './models/manager';
import { resolvePaths, type AppPaths } from './paths';
import { createEmbeddingsRepo } from './db/embeddings.repo';
import { createEmbedStep, EMBED_STEP, type EmbedStep } from './search/embed-step';
import { createSearch, type Search } from './search/hybrid-search';
import { textEmbedderFrom } from './search/inference-embedder';
import type { TextEmbedder } from './search/text-embedder';
import { createSettings, type SettingsService } from './settings/settings.service';
import { createUnderstandStep } from './understanding/understand-step';
import { createUnderstanding, UNDERSTAND_STEP, versionFor, type UnderstandingService } from './understanding/understanding.service';
import { createXmpService, type XmpService } from './xmp/xmp.service';
import { remoteTarget } from './remote/backends';
import { createRemoteUnderstandStep, type RemoteUnderstandStep } from './remote/remote-step';
import { createBackends } from './remote/backends.service';
import { createRemoteChat } from './remote/remote-chat';

export interface ServiceOptions {
  /** Data directory; default `SHOEBOX_DATA_DIR` or the platform's place. */
  dataDir?: string | undefined;
  /** Which front door is starting us; decides media URLs. */
  shell: 'electron' | 'headless' | 'cli';
  log?: Log;
  /** Start watchers and the job runner (false for one-shot CLI commands that only read). */
  startLibrary?: boolean;
  /** How to start the inference worker with an environment (Electron: utilityProcess); child_process.fork by default. */
  spawnWorker?: WorkerSpawner | undefined;
  /**
   * Where secrets (the Hugging Face access token) are kept, given the folder for them: Electron encrypts
   * with the OS keychain (main/safe-storage.ts); by default a 0600 file (main/models/hub/token-store.ts).
   */
  secrets?: ((dir: string) => SecretStore) | undefined;
  /**
   * Reveals a file in the system's file manager (Electron's `shell.showItemInFolder`); absent in the
   * headless host and the CLI, where "Show in folder" is refused ([Note: Show in folder or Copy path]).
   */
  showItemInFolder?: ((absPath: string) => void) | undefined;
  /**
   * Moves a file to the OS trash (Electron's `shell.trashItem`); the `trash` package by default. The
   * only way Shoebox removes a user's file ([Note: Trash state] in main/library/trash.ts).
   */
  trashItem?: TrashItem | undefined;
}

export interface Services {
  version: string;
  paths: AppPaths;
  db: Db;
  log: Log;
  events: EventBus;
  library: Library;
  models: ModelManager;
  inference: InferenceService;
  understanding: UnderstandingService;
  /** The understanding step (local, or through remote backends): the shell pauses it (on battery), the CLI runs it. */
  understandStep: RemoteUnderstandStep;
  /** Where secrets are kept (the hub token, backends' API keys). */
  secrets: SecretStore;
  settings: SettingsService;
  xmp: XmpService;
  search: Search;
  photoChat: PhotoChat;
  libraryChat: LibraryChat;
  collections: Collections;
  trash: Trash;
  router: Router;
  close(): Promise<void>;
}

/** Opens the database and builds all services. Call `close()` to stop them and close the database. */
export async function createServices(options: ServiceOptions): Promise<Services> {
  const log = options.log ?? createLog();
  const paths = resolvePaths(options.dataDir);
  const db = openDatabase(paths.database);
  const events = createEventBus();
  const emit = events.emit.bind(events);
  const settings = createSettings({ db, log: log.child('settings'), emit });
  // The CLI has no first screen to paint: its rescan starts at once ([Note: Reads before the startup rescan]).
  const library = createLibrary({
    db,
    paths,
    log: log.child('library'),
    emit,
    ...(options.shell === 'cli' ? { startupRescanDelayMs: 0 } : {}),
  });
  const secretsDir = join(paths.dataDir, 'secrets');
  const secrets = options.secrets ? options.secrets(secretsDir) : createFileSecretStore(secretsDir);
  const manager = createModelManager({
    db,
    paths,
    log: log.child('models'),
    emit,
    hub: {
      setting: () => settings.values().models.hubEndpoint,
      secrets,
    },
  });
  const inference = createInference({
    models: manager,
    log: log.child('inference'),
    spawn: options.spawnWorker,
    threads: settings.values().understanding.backgroundThreads,
    variant: () => settings.values().understanding.variant,
  });
  events.on('settings:changed', ({ values }) => inference.setThreads(values.understanding.backgroundThreads));
  const xmp = createXmpService({ db, log: log.child('xmp'), settings });
  // Search's text embedder is the worker's `text-embedder` role, through the inference service
  // (main/search/inference-embedder.ts). Without one installed, search says it matches words only and
  // the embed step is blocked with that reason on the Activity page.
  const embedder: TextEmbedder = textEmbedderFrom(inference);
  const search = createSearch({ db, embedder, log: log.child('search') });
  const embedStep: EmbedStep = createEmbedStep({ embedder, repo: createEmbeddingsRepo(db), log: log.child('embed') });
  const understanding = createUnderstanding({
    db,
    emit,
    // With no local model, a remote backend's model is what results are made by ([Note: Remote backends are a transport]).
    activeModel: () => inference.activeModel() ?? remoteTarget(settings.values().remote),
    requeue: (ids) => library.requeueStep(UNDERSTAND_STEP, ids),
  });
  const understandStep = createRemoteUnderstandStep({
    local: createUnderstandStep({
      inference,
      noModelReason: () => manager.noModelReason(),
      understanding,
      library,
      log: log.child('understand'),
    }),
    settings: () => settings.values().remote,
    secrets,
    understanding,
    library,
    version: () => {
      const m = inference.activeModel() ?? remoteTarget(settings.values().remote);
      return m ? versionFor(m) : null;
    },
    localAvailable: () => inference.activeModel() !== null,
    wake: () => library.wake(),
    log: log.child('remote'),
  });
  library.addStep(understandStep);
  library.addStep(embedStep);
  // A caption, text or tag written re-queues the photo's embedding in the same transaction (migration
  // 0007); the queue is told to look.
  events.on('photos:understandingChanged', () => library.wake());
  // The understanding step's version names the active model: whenever it may have changed (selected,
  // installed, deleted), the queue re-applies it (re-queueing photos made by another model) and looks again.
  const modelChanged = () => {
    understandStep.modelChanged();
    library.revalidateStep(UNDERSTAND_STEP);
    embedStep.modelChanged();
    library.revalidateStep(EMBED_STEP);
    search.embedderChanged();
    library.wake();
  };
  events.on('models:progress', modelChanged);
  // A new variant is a new maker of results, as a new model is ([Note: Which variant runs]).
  let variant = settings.values().understanding.variant;
  events.on('settings:changed', ({ values }) => {
    if (values.understanding.variant === variant) return;
    variant = values.understanding.variant;
    modelChanged();
  });
  // Turning remote on with no local model names the backend's model as the maker.
  events.on('settings:changed', () => {
    understandStep.modelChanged();
    library.revalidateStep(UNDERSTAND_STEP);
    library.wake();
  });
  // The Models page's demo switch changes which bundles may run ([Note: Demo mode switch]), as a new selection does.
  let demoMode = settings.values().models.demoMode;
  events.on('settings:changed', ({ values }) => {
    if (values.models.demoMode === demoMode) return;
    demoMode = values.models.demoMode;
    modelChanged();
    photoChat.modelChanged();
    libraryChat.modelChanged();
  });
  const models: typeof manager = {
    ...manager,
    select(id) {
      const list = manager.select(id);
      modelChanged();
      photoChat.modelChanged();
      libraryChat.modelChanged();
      return list;
    },
  };
  const describer = createDescriber({ library, inference, emit });
  // Chat goes to the remote backend when `remote.chat` is on (main/remote/remote-chat.ts).
  const chatInference = createRemoteChat({ local: inference, settings: () => settings.values().remote, step: understandStep });
  const photoChat = createPhotoChat({
    db,
    library,
    inference: chatInference,
    noModelReason: () => manager.noModelReason(),
    emit,
    log: log.child('chat'),
  });
  const libraryChat = createLibraryChat({
    db,
    search,
    inference: chatInference,
    noModelReason: () => manager.noModelReason(),
    emit,
    log: log.child('library-chat'),
  });
  const collectionsChanged = (n: number) => library.noteChanged(null, { added: 0, updated: n, removed: 0 });
  const collections = createCollections({ db, emit, onChanged: collectionsChanged });
  const trash = createTrash({
    db,
    log: log.child('trash'),
    trashItem: options.trashItem ?? trashWithPackage,
    locator: createTrashLocator(),
    resolve: (selection) => collections.resolve(selection),
    onChanged: (n) => {
      collectionsChanged(n);
      emit('albums:changed', collections.listAlbums());
    },
    reindex: (folderId) =>
      void library.rescan(folderId).catch((err: unknown) => log.warn('could not rescan after a restore', { folderId, error: err })),
  });
  await trash.recover().catch((err: unknown) => log.warn('could not settle an interrupted move to the trash', { error: err }));
  const mediaBase = options.shell === 'electron' ? 'shoebox://media' : '/media';
  const handlers = createHandlers({
    version,
    paths,
    db,
    library,
    models,
    describer,
    photoChat,
    libraryChat,
    inference,
    understanding,
    settings,
    xmp,
    search,
    info: { shell: options.shell === 'electron' ? 'electron' : 'headless', mediaBase },
    backends: createBackends({ settings, secrets }),
    showItemInFolder: options.showItemInFolder,
    collections,
    trash,
  });
  const router = createRouter(handlers, log.child('api'));
  if (options.startLibrary !== false) await library.start();

  let closed = false;
  return {
    version,
    paths,
    db,
    log,
    events,
    library,
    models,
    inference,
    understanding,
    understandStep,
    secrets,
    settings,
    xmp,
    search,
    photoChat,
    libraryChat,
    collections,
    trash,
    router,
    async close() {
      if (closed) return;
      closed = true;
      await photoChat.close();
      await libraryChat.close();
      await inference.close();
      await library.close();
      await models.close();
      search.close();
      db.close();
    },
  };
}
