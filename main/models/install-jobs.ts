/**
 * @file The model manager's installs in flight: one job per bundle id (a download, or the copy of an
 * import) with the state, bytes and error the Models page shows, and the throttled `models:progress`
 * events that report them. Owns no files: downloading and copying are download.ts and import.ts.
 *
 * Runs in main (and the CLI / headless host), inside the model manager (manager.ts), its only user.
 */
import type { ModelDto } from '../../preload/contract';
import type { Log } from '../log';
import { downloadErrorToApi } from './api-errors';
import { DownloadError } from './download';

/** One download or import of a bundle, as long as it runs (and a failed download until it is retried). */
export interface InstallJob {
  state: ModelDto['download']['state'];
  /** The build's step while `state` is `building`. */
  buildStep: ModelDto['download']['buildStep'];
  received: number;
  total: number;
  error: string | null;
  /** Set when the job failed: whether downloading again could succeed ([Note: Resumable failures]). */
  resumable: boolean;
  controller: AbortController;
  promise: Promise<ModelDto>;
  lastEmit: number;
}

export interface InstallJobsDeps {
  log: Log;
  /** Least time between two progress events of one job (ms); state changes are sent at once. */
  intervalMs: number;
  /** The model's DTO as the manager builds it (it reads the job back through {@link InstallJobs.get}). */
  dto: (id: string) => ModelDto;
  emit: (event: 'models:progress', payload: ModelDto) => void;
}

export interface InstallJobs {
  get(id: string): InstallJob | undefined;
  delete(id: string): void;
  /** Ids of every tracked job, failed ones included. */
  ids(): string[];
  /** Jobs still running (not failed): what closing must cancel and wait for. */
  running(): InstallJob[];
  /** Sends `models:progress` for `id`, at most once per interval unless `force`. */
  push(id: string, force?: boolean): void;
  /** Starts a tracked download; its promise rejects only with an ApiError. */
  startDownload(id: string, run: (job: InstallJob) => Promise<void>): InstallJob;
  /** Tracks the copy of an import ('verifying': bytes are hashed as they are copied), like a download. */
  startImport(id: string, controller: AbortController, total: number): InstallJob;
}

export function createInstallJobs(deps: InstallJobsDeps): InstallJobs {
  const { log, intervalMs, dto, emit } = deps;
  const jobs = new Map<string, InstallJob>();

  function push(id: string, force = false): void {
    const job = jobs.get(id);
    const now = Date.now();
    if (job && !force && now - job.lastEmit < intervalMs) return;
    if (job) job.lastEmit = now;
    emit('models:progress', dto(id));
  }

  return {
    get: (id) => jobs.get(id),
    delete: (id) => void jobs.delete(id),
    ids: () => [...jobs.keys()],
    running: () => [...jobs.values()].filter((j) => j.state !== 'failed'),
    push,

    startDownload(id, run) {
      const controller = new AbortController();
      // `promise` is set right below; `run` needs the job object to report progress into.
      const job: InstallJob = {
        state: 'downloading',
        buildStep: null,
        received: 0,
        total: 0,
        error: null,
        resumable: false,
        controller,
        lastEmit: 0,
        promise: undefined as unknown as Promise<ModelDto>,
      };
      jobs.set(id, job);
      job.promise = run(job).then(
        () => {
          jobs.delete(id);
          push(id, true);
          return dto(id);
        },
        (err: unknown) => {
          const apiErr = downloadErrorToApi(err);
          if (controller.signal.aborted) {
            jobs.delete(id);
            log.info(`download of ${id} cancelled`);
          } else {
            job.state = 'failed';
            job.buildStep = null;
            job.error = apiErr.message;
            // An unexpected local error (permissions, I/O) may be fixed by the user; the parts are kept.
            job.resumable = err instanceof DownloadError ? err.resumable : true;
            log.warn(`download of ${id} failed: ${apiErr.message}`);
          }
          push(id, true);
          throw apiErr;
        },
      );
      job.promise.catch(() => {}); // the caller may never wait; the error is in the DTO and the log
      return job;
    },

    startImport(id, controller, total) {
      const job: InstallJob = {
        state: 'verifying',
        buildStep: null,
        received: 0,
        total,
        error: null,
        resumable: false,
        controller,
        lastEmit: 0,
        promise: Promise.resolve(dto(id)),
      };
      jobs.set(id, job);
      push(id, true);
      return job;
    },
  };
}
