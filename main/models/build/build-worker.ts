/**
 * @file The bundle build's worker thread: runs {@link buildBundle} off main's event loop and reports
 * back through its port — progress, log lines, then the result or the error — and stops the build
 * when asked. See [Note: The build runs in a worker thread] in build-in-worker.ts.
 *
 * Runs in a `worker_threads` Worker of main (the app, the CLI, the headless host): bundled as
 * `out/main/build-worker.js` (electron.vite.config.ts), or this file under tsx in dev and tests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Log } from '../../log';
import { buildBundle, BuildError } from './build-bundle';
import type { FromBuildWorker, ToBuildWorker, WorkerBuildOptions } from './build-worker-protocol';

const port = parentPort;
if (port === null) throw new Error('build-worker.ts must be started as a worker thread by build-in-worker.ts');

const send = (m: FromBuildWorker) => port.postMessage(m);
const controller = new AbortController();
port.on('message', (m: ToBuildWorker) => {
  if (m.type === 'cancel') controller.abort();
});

const log: Log = {
  debug: (msg, fields) => send({ type: 'log', level: 'debug', msg, ...(fields ? { fields } : {}) }),
  info: (msg, fields) => send({ type: 'log', level: 'info', msg, ...(fields ? { fields } : {}) }),
  warn: (msg, fields) => send({ type: 'log', level: 'warn', msg, ...(fields ? { fields } : {}) }),
  error: (msg, fields) => send({ type: 'log', level: 'error', msg, ...(fields ? { fields } : {}) }),
  child: () => log,
};

const options = workerData as WorkerBuildOptions;
try {
  const result = await buildBundle({
    ...options,
    signal: controller.signal,
    onProgress: (progress) => send({ type: 'progress', progress }),
    log,
  });
  send({ type: 'done', result });
} catch (err) {
  const e = err as Error & { code?: unknown };
  send({
    type: 'error',
    error: {
      name: e instanceof Error ? e.name : 'Error',
      message: e instanceof Error ? e.message : String(err),
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      buildError: err instanceof BuildError,
      ...(e instanceof Error && e.stack ? { stack: e.stack } : {}),
    },
  });
} finally {
  port.close();
}
