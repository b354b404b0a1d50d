/**
 * @file Main's side of the inference worker: starts the worker process, sends typed requests,
 * delivers stream chunks, cancels, times out, and restarts the worker when it dies.
 *
 * Runs in main (Electron main or plain Node: headless host, CLI, tests); knows nothing of Electron.
 * The Electron shell passes {@link utilityProcessSpawner} to run the worker as a utilityProcess; by
 * default the worker is a `child_process.fork` — of `native/worker.ts` under tsx in dev and tests,
 * of the bundled `out/main/worker.js` in the built app.
 *
 * [Note: Worker crash and retry] When the worker exits unexpectedly every pending request is
 * settled: an idempotent request (see `IDEMPOTENT_METHODS`) that has not streamed anything yet is
 * sent once more to a fresh worker, in its own lane (after the last successful `load` of each model
 * role is replayed, so the new worker has the same models); everything else fails with code
 * `worker_crashed` and a message naming the exit code or signal. More than `maxRestarts` crashes
 * within a minute stop the restarts, so a model that kills the process on load cannot loop forever.
 *
 * The client keeps no queue: every request goes to the worker at once with its priority, so the
 * worker's two lanes are the only ordering ([Note: Worker lanes] in `native/protocol.ts`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  IDEMPOTENT_METHODS,
  isWorkerResponse,
  type ErrorCode,
  type MemoryMessage,
  type Method,
  type ModelRole,
  type ParamsOf,
  type Priority,
  type ResultOf,
  type StreamChunk,
  type WorkerRequest,
  type WorkerResponse,
  WorkerError,
} from '../../native/protocol';

/** A running worker process, whatever started it. */
export interface WorkerProcess {
  readonly pid: number | undefined;
  send(msg: WorkerRequest): void;
  onMessage(listener: (msg: unknown) => void): void;
  /** Called once when the process is gone. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

/** Starts a worker process. */
export type Spawner = () => WorkerProcess;

/** Error of a request; `code` is the worker's or one of `timeout` / `worker_crashed`. */
export class WorkerClientError extends WorkerError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'WorkerClientError';
  }
}

/** Per-request options. */
export interface RequestOptions {
  onChunk?: (chunk: StreamChunk) => void;
  signal?: AbortSignal;
  /** Milliseconds before the request fails with `timeout` (and is cancelled in the worker). */
  timeoutMs?: number;
  /** The worker's lane (default `interactive`); see [Note: Worker lanes] in `native/protocol.ts`. */
  priority?: Priority;
}

/** Options of {@link createWorkerClient}. */
export interface WorkerClientOptions {
  spawn?: Spawner;
  /** Default timeout per request (ms); 0 = none. */
  timeoutMs?: number;
  maxRestarts?: number;
  log?: (msg: string) => void;
  /** Environment for the default fork spawner. */
  env?: NodeJS.ProcessEnv;
  /** The worker's memory reports ([Note: Worker memory reports] in `native/protocol.ts`). */
  onMemory?: (report: MemoryMessage) => void;
}

/** Where the worker's entry is: the bundled `worker.js` beside this file, or the TS source. */
export function resolveWorkerEntry(): { file: string; execArgv: string[] } {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Bundled: out/main/worker.js, beside the entry or one level up from a shared chunk (out/main/chunks/).
  const bundled = path.join(here, 'worker.js');
  if (existsSync(bundled)) return { file: bundled, execArgv: [] };
  const fromChunk = path.join(here, '..', 'worker.js');
  if (path.basename(here) === 'chunks' && existsSync(fromChunk)) return { file: fromChunk, execArgv: [] };
  for (const up of ['../../native/worker.ts', '../native/worker.ts']) {
    const src = path.resolve(here, up);
    if (existsSync(src)) return { file: src, execArgv: ['--import', 'tsx'] };
  }
  throw new Error(`cannot find the inference worker (looked for ${bundled} and native/worker.ts)`);
}

/** The default spawner: `child_process.fork` of the worker entry. */
export function forkSpawner(env: NodeJS.ProcessEnv = process.env): Spawner {
  return () => {
    const entry = resolveWorkerEntry();
    const child: ChildProcess = fork(entry.file, [], {
      execArgv: entry.execArgv,
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (msg) => {
        if (child.connected) child.send(msg);
      },
      onMessage: (l) => child.on('message', l),
      onExit: (l) => child.once('exit', (code, signal) => l(code, signal)),
      kill: () => child.kill('SIGKILL'),
    };
  };
}

/** Minimal shape of Electron's `utilityProcess` module, passed in by the Electron shell. */
export interface UtilityProcessModule {
  fork(
    modulePath: string,
    args?: string[],
    options?: { serviceName?: string; env?: NodeJS.ProcessEnv },
  ): {
    pid: number | undefined;
    postMessage(msg: unknown): void;
    on(event: 'message', l: (msg: unknown) => void): void;
    once(event: 'exit', l: (code: number) => void): void;
    kill(): boolean;
  };
}

/** A spawner running the bundled worker as an Electron utilityProcess. */
export function utilityProcessSpawner(up: UtilityProcessModule, env: NodeJS.ProcessEnv = process.env): Spawner {
  return () => {
    const { file } = resolveWorkerEntry();
    const child = up.fork(file, [], { serviceName: 'Shoebox inference', env });
    return {
      get pid() {
        return child.pid;
      },
      send: (msg) => child.postMessage(msg),
      onMessage: (l) => child.on('message', l),
      onExit: (l) => child.once('exit', (code) => l(code, null)),
      kill: () => void child.kill(),
    };
  };
}

interface Pending {
  id: number;
  method: Method;
  params: unknown;
  opts: RequestOptions;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  streamed: boolean;
  retried: boolean;
  timer: NodeJS.Timeout | null;
  cleanup: () => void;
}

/** The client. */
export interface WorkerClient {
  request<M extends Method>(method: M, params: ParamsOf<M>, opts?: RequestOptions): Promise<ResultOf<M>>;
  /** pid of the current worker process (undefined while none runs). */
  readonly pid: number | undefined;
  /** How many times the worker was restarted after a crash. */
  readonly restarts: number;
  /** Resolves when the current worker has said `ready`. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** The model role a `load` / `unload` params object names (the worker's default is `vlm`). */
function roleOf(params: unknown): ModelRole {
  return (params as { role?: ModelRole }).role ?? 'vlm';
}

/** Creates a client and starts its worker. */
export function createWorkerClient(options: WorkerClientOptions = {}): WorkerClient {
  const spawn = options.spawn ?? forkSpawner(options.env);
  const log = options.log ?? (() => {});
  const maxRestarts = options.maxRestarts ?? 3;
  const pending = new Map<number, Pending>();
  const crashTimes: number[] = [];
  let nextId = 1;
  let proc: WorkerProcess | null = null;
  let closed = false;
  let restarts = 0;
  /** The params of the last successful `load` of each role, replayed after a crash. */
  const lastLoads = new Map<ModelRole, ParamsOf<'load'>>();
  let readyWaiters: (() => void)[] = [];
  let isReady = false;
  let gaveUp: string | null = null;

  const start = (): void => {
    isReady = false;
    const p = spawn();
    proc = p;
    p.onMessage((m) => onMessage(m));
    p.onExit((code, signal) => onExit(p, code, signal));
  };

  const send = (msg: WorkerRequest): void => proc?.send(msg);
  const sendRequest = (pd: Pending): void => {
    const { priority } = pd.opts;
    send({ type: 'request', id: pd.id, method: pd.method, params: pd.params as never, ...(priority !== undefined ? { priority } : {}) });
  };

  const settle = (pd: Pending): void => {
    pending.delete(pd.id);
    if (pd.timer !== null) clearTimeout(pd.timer);
    pd.cleanup();
  };

  function onMessage(raw: unknown): void {
    if (!isWorkerResponse(raw)) return;
    const msg: WorkerResponse = raw;
    if (msg.type === 'ready') {
      isReady = true;
      const w = readyWaiters;
      readyWaiters = [];
      w.forEach((f) => f());
      return;
    }
    if (msg.type === 'memory') {
      options.onMemory?.(msg);
      return;
    }
    const pd = pending.get(msg.id);
    if (pd === undefined) return;
    if (msg.type === 'stream') {
      pd.streamed = true;
      pd.opts.onChunk?.(msg.chunk);
      return;
    }
    settle(pd);
    if (msg.type === 'result') {
      if (pd.method === 'load') lastLoads.set(roleOf(pd.params), pd.params as ParamsOf<'load'>);
      if (pd.method === 'unload') lastLoads.delete(roleOf(pd.params));
      pd.resolve(msg.result);
    } else pd.reject(new WorkerClientError(msg.error.code, msg.error.message));
  }

  function onExit(p: WorkerProcess, code: number | null, signal: string | null): void {
    if (proc !== p) return;
    proc = null;
    if (closed) return;
    const why = signal !== null ? `killed by ${signal}` : `exit code ${String(code)}`;
    const now = Date.now();
    crashTimes.push(now);
    while (crashTimes.length > 0 && now - crashTimes[0]! > 60_000) crashTimes.shift();
    const canRestart = crashTimes.length <= maxRestarts;
    log(`inference worker stopped unexpectedly (${why})${canRestart ? '; restarting' : '; giving up'}`);
    const retry: Pending[] = [];
    for (const pd of [...pending.values()]) {
      const retryable = canRestart && !pd.retried && !pd.streamed && IDEMPOTENT_METHODS.has(pd.method);
      if (retryable) {
        pd.retried = true;
        retry.push(pd);
      } else {
        settle(pd);
        pd.reject(
          new WorkerClientError(
            'worker_crashed',
            `the inference worker stopped unexpectedly (${why}) while running "${pd.method}"; ${
              canRestart ? 'it was restarted, try again' : 'it crashed repeatedly and was not restarted'
            }`,
          ),
        );
      }
    }
    if (!canRestart) {
      gaveUp = `the inference worker crashed ${crashTimes.length} times within a minute (last: ${why})`;
      return;
    }
    restarts++;
    start();
    // Replay the model loads first (interactive, so before any background retry) so retried
    // requests see the same models.
    for (const [role, params] of lastLoads) {
      if (!retry.some((r) => r.method === 'load' && roleOf(r.params) === role)) {
        send({ type: 'request', id: nextId++, method: 'load', params });
      }
    }
    for (const pd of retry) sendRequest(pd);
  }

  function request<M extends Method>(method: M, params: ParamsOf<M>, opts: RequestOptions = {}): Promise<ResultOf<M>> {
    if (closed) return Promise.reject(new WorkerClientError('internal', 'the worker client is closed'));
    if (gaveUp !== null) return Promise.reject(new WorkerClientError('worker_crashed', gaveUp));
    if (proc === null) start();
    const id = nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const onAbort = (): void => send({ type: 'cancel', id });
      const pd: Pending = {
        id,
        method,
        params,
        opts,
        resolve: resolve as (v: unknown) => void,
        reject,
        streamed: false,
        retried: false,
        timer: null,
        cleanup: () => opts.signal?.removeEventListener('abort', onAbort),
      };
      if (opts.signal?.aborted === true) {
        reject(new WorkerClientError('cancelled', 'request cancelled'));
        return;
      }
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const timeout = opts.timeoutMs ?? options.timeoutMs ?? 0;
      if (timeout > 0) {
        pd.timer = setTimeout(() => {
          send({ type: 'cancel', id });
          settle(pd);
          reject(new WorkerClientError('timeout', `"${method}" took longer than ${timeout} ms and was cancelled`));
        }, timeout);
      }
      pending.set(id, pd);
      sendRequest(pd);
    });
  }

  start();

  return {
    request,
    get pid() {
      return proc?.pid;
    },
    get restarts() {
      return restarts;
    },
    ready: () => (isReady ? Promise.resolve() : new Promise<void>((r) => readyWaiters.push(r))),
    close: async () => {
      closed = true;
      const p = proc;
      proc = null;
      for (const pd of [...pending.values()]) {
        settle(pd);
        pd.reject(new WorkerClientError('internal', 'the worker client was closed'));
      }
      if (p !== null) {
        const gone = new Promise<void>((r) => p.onExit(() => r()));
        p.kill();
        await gone;
      }
    },
  };
}
