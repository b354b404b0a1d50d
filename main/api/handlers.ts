/**
 * @file Implements every request of the contract on top of the services. Thin: argument validation
 * happened in the router, policy lives in the services; this maps results and "not found" cases.
 */
import { platform } from 'node:os';
import { ApiError } from '../../preload/api-error';
import type { AppInfo, Handlers } from '../../preload/contract';
import type { Db } from '../db/open';
import { runDoctor } from '../doctor';
import { createMapHandlers } from './map-handlers';
import { createLayoutHandlers } from './layout-handlers';
import { createFolderHandlers } from './folder-handlers';
import { createCollectionsHandlers } from './collections-handlers';
import { createBackendsHandlers } from './backends-handlers';
import { createModelsTokenHandlers } from './models-token-handlers';
import type { BackendsService } from '../remote/backends.service';
import { createViewerHandlers } from './viewer-handlers';
import type { Describer } from '../chat/describe';
import type { LibraryChat } from '../chat/library-chat';
import type { PhotoChat } from '../chat/photo-chat';
import type { InferenceService } from '../inference/inference.service';
import type { Collections } from '../library/collections';
import type { LibraryService } from '../library/types';
import type { Trash } from '../library/trash';
import type { ModelManager } from '../models/manager';
import { probeMachine, recommendModels } from '../models/recommend';
import { absoluteUserPath } from '../library/user-path';
import type { Search } from '../search/hybrid-search';
import type { AppPaths } from '../paths';
import type { SettingsService } from '../settings/settings.service';
import type { UnderstandingService } from '../understanding/understanding.service';
import type { XmpService } from '../xmp/xmp.service';

export interface HandlerDeps {
  /** Favourites, ratings, hidden, rotation, albums; and the trash. */
  collections: Collections;
  trash: Trash;
  version: string;
  paths: AppPaths;
  db: Db;
  library: LibraryService;
  models: ModelManager;
  describer: Describer;
  photoChat: PhotoChat;
  libraryChat: LibraryChat;
  /** Doctor asks the worker for its providers and CPU features. */
  inference: Pick<InferenceService, 'workerInfo'>;
  understanding: UnderstandingService;
  settings: SettingsService;
  xmp: XmpService;
  search: Search;
  info: Pick<AppInfo, 'shell' | 'mediaBase'>;
  /** Electron's `shell.showItemInFolder`; absent in the headless host and the CLI. */
  showItemInFolder?: ((absPath: string) => void) | undefined;
  /** Remote understanding backends (main/remote/backends.service.ts). */
  backends?: BackendsService | undefined;
}

export function createHandlers({
  collections,
  trash,
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
  info,
  showItemInFolder,
  backends,
}: HandlerDeps): Handlers {
  return {
    'app:info': () => ({
      name: 'Shoebox',
      version,
      dataDir: paths.dataDir,
      platform: platform(),
      ...info,
    }),
    'library:folders': () => library.listFolders(),
    'library:addFolder': ({ path }) => library.addFolder(path),
    'library:removeFolder': async ({ folderId }) => ({ removed: await library.removeFolder(folderId) }),
    'library:rescan': async ({ folderId }) => ({ queued: await library.rescan(folderId) }),
    'photos:page': (args) => library.page(args),
    'photos:timeline': ({ folderId, bbox, view }) => library.timeline(folderId, bbox, view),
    'photos:get': ({ id }) => {
      const photo = library.getPhoto(id);
      if (!photo) throw new ApiError('not-found', `No photo with id ${id}`);
      return photo;
    },
    'jobs:status': () => library.jobsStatus(),
    'jobs:pause': () => library.pause(),
    'jobs:resume': () => library.resume(),
    'jobs:retryFailed': ({ step }) => ({ requeued: library.retryFailed(step) }),
    'jobs:failures': ({ offset, limit }) => library.failures(offset, limit),
    'models:list': () => models.list(),
    'models:download': ({ id, variants, activate }) =>
      models.download(id, { ...(variants ? { variants } : {}), ...(activate ? { activate } : {}) }),
    'models:recommend': async () => recommendModels(await probeMachine(() => inference.workerInfo({ timeoutMs: 15_000 }))),
    'models:cancelDownload': ({ id }) => ({ cancelled: models.cancelDownload(id) }),
    'models:import': ({ path }) => models.import(absoluteUserPath(path)),
    'models:delete': async ({ id }) => ({ deleted: await models.delete(id) }),
    'models:select': ({ id }) => models.select(id),
    'photos:describe': (args) => describer.describe(args),
    'inference:cancel': ({ requestId }) => ({ cancelled: describer.cancel(requestId) }),
    'system:doctor': () => runDoctor({ db, paths, version, inference }),
    'photos:understanding': ({ id }) => understanding.get(id),
    'photos:setCaption': ({ id, text }) => understanding.setCaption(id, text),
    'photos:setText': ({ id, text }) => understanding.setText(id, text),
    'photos:addTag': ({ id, label }) => understanding.addTag(id, label),
    'photos:removeTag': ({ id, labelId }) => understanding.removeTag(id, labelId),
    'photos:redoUnderstanding': ({ ids }) => understanding.redo(ids),
    'tags:list': () => understanding.listTags(),
    'tags:add': (args) => understanding.addTagLabel(args),
    'tags:update': ({ id, ...patch }) => understanding.updateTagLabel(id, patch),
    'settings:get': () => settings.get(),
    'settings:set': ({ patch }) => settings.set(patch),
    'xmp:write': ({ photoIds, folderId }) => xmp.write(photoIds ? { photoIds } : { folderId: folderId!, under: '' }),
    'search:query': ({ text, limit, offset, strictness, sort }) => search.search(text, { limit, offset, strictness, sort }),
    'chat:list': ({ photoId }) => photoChat.list(photoId),
    'chat:get': ({ conversationId }) => photoChat.get(conversationId),
    'chat:create': ({ photoIds }) => photoChat.create(photoIds),
    'chat:send': ({ conversationId, text }) => photoChat.send(conversationId, text),
    'chat:regenerate': ({ conversationId }) => photoChat.regenerate(conversationId),
    'chat:editLast': ({ conversationId, text }) => photoChat.editLast(conversationId, text),
    'chat:stop': ({ conversationId }) => ({ stopped: photoChat.stop(conversationId) }),
    'chat:delete': async ({ conversationId }) => ({ deleted: await photoChat.delete(conversationId) }),
    'ask:list': () => libraryChat.list(),
    'ask:get': ({ conversationId }) => libraryChat.get(conversationId),
    'ask:create': () => libraryChat.create(),
    'ask:send': ({ conversationId, text }) => libraryChat.send(conversationId, text),
    'ask:stop': ({ conversationId }) => ({ stopped: libraryChat.stop(conversationId) }),
    'ask:delete': async ({ conversationId }) => ({ deleted: await libraryChat.delete(conversationId) }),
    ...createCollectionsHandlers({ collections, trash }),
    ...createBackendsHandlers({ backends }),
    ...createModelsTokenHandlers({ models }),
    ...createViewerHandlers({ library, showItemInFolder }),
    ...createFolderHandlers({ library }),
    ...createMapHandlers({ db }),
    ...createLayoutHandlers({ library }),
  } satisfies Handlers;
}
