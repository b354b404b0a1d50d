/**
 * @file The composition root: builds every service once, in order, from a data directory. The Electron
 * shell, the headless host, the CLI and the integration tests all start Shoebox through `createServices`.
 * Services are plain modules; nothing here knows about Electron.
 */
import { version } from '../package.json';
import { createHandlers } from './api/handlers';
import { createRouter, type Router } from './api/router';
import { openDatabase, type Db } from './db/open';
import { createEventBus, type EventBus } from './events';
import { createDescriber } from './inference/describe';
import { createInference, type InferenceService } from './inference/inference.service';
import type { Spawner } from './inference/worker-client';
import { createLibrary, type Library } from './library/library';
import { createLog, type Log } from './log';
import { createModelManager } from './models/manager';
import { resolvePaths, type AppPaths } from './paths';

export interface ServiceOptions {
  /** Data directory; default `SHOEBOX_DATA_DIR` or the platform's place. */
  dataDir?: string | undefined;
  /** Which front door is starting us; decides media URLs. */
  shell: 'electron' | 'headless' | 'cli';
  log?: Log;
  /** Start watchers and the job runner (false for one-shot CLI commands that only read). */
  startLibrary?: boolean;
  /** How to start the inference worker (Electron: utilityProcess); child_process.fork by default. */
  spawnWorker?: Spawner | undefined;
}

export interface Services {
  version: string;
  paths: AppPaths;
  db: Db;
  log: Log;
  events: EventBus;
  library: Library;
  models: ReturnType<typeof createModelManager>;
  inference: InferenceService;
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
  const library = createLibrary({ db, paths, log: log.child('library'), emit });
  const models = createModelManager({ db, paths, log: log.child('models'), emit });
  const inference = createInference({ models, log: log.child('inference'), spawn: options.spawnWorker });
  const describer = createDescriber({ library, inference, emit });
  const mediaBase = options.shell === 'electron' ? 'shoebox://media' : '/media';
  const handlers = createHandlers({
    version,
    paths,
    db,
    library,
    models,
    describer,
    inference,
    info: { shell: options.shell === 'electron' ? 'electron' : 'headless', mediaBase },
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
    router,
    async close() {
      if (closed) return;
      closed = true;
      await inference.close();
      await library.close();
      await models.close();
      db.close();
    },
  };
}
