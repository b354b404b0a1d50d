/**
 * @file The HTTP side of model downloads: one GET with an idle timeout (a connection that delivers
 * nothing for a while is dropped), retries with exponential backoff and jitter for 5xx, 429, 408 and
 * network errors, and the {@link DownloadError} every failure becomes.
 *
 * Runs in main, on Node's fetch (undici). `accept-encoding: identity` keeps byte offsets and sizes
 * those of the file itself, which Range resumption and the manifest's sizes rely on.
 */
import { DiskFullError } from './bundle-files';
import type { Log } from '../log';

/** Why a download failed; `retryable` errors are retried inside {@link downloadBundle}. */
export type DownloadErrorCode =
  | 'not-found'
  | 'http'
  | 'network'
  | 'interrupted'
  | 'hash-mismatch'
  | 'size-mismatch'
  | 'bad-manifest'
  | 'disk-full'
  | 'cancelled'
  | 'exists'
  | 'busy';

/** A failed download, with a message that names the file and says what to do. */
export class DownloadError extends Error {
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  log: Log;
  fetch?: typeof globalThis.fetch;
  /** Cancels everything (the user's cancel). */
  signal?: AbortSignal;
  /** Retries per request after the first try. */
  retries: number;
  /** First backoff delay; doubles per retry, with jitter, capped at 30 s. */
  retryDelayMs: number;
  /** A request that delivers no byte for this long is dropped (and retried). */
  idleTimeoutMs: number;
}

const isAbort = (err: unknown) => err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DownloadError('cancelled', 'download cancelled'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new DownloadError('cancelled', 'download cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `fetch failed (ECONNREFUSED)`: undici hides the useful part in `cause`. */
export function describeNetworkError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message} (${cause})` : e.message;
}

/** Builds the GET, retry and error helpers the downloader uses. */
export function createHttpClient(opts: HttpClientOptions) {
  const { log } = opts;
  const doFetch = opts.fetch ?? globalThis.fetch;
  const retries = opts.retries;
  const baseDelay = opts.retryDelayMs;
  const idleMs = opts.idleTimeoutMs;

  /** Runs one request attempt function with retries for retryable errors. */
  async function withRetry<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (opts.signal?.aborted) throw new DownloadError('cancelled', 'download cancelled');
        const retryable = err instanceof DownloadError && err.retryable;
        if (!retryable || i >= retries) throw err;
        const delay = Math.min(30_000, baseDelay * 2 ** i) * (0.75 + Math.random() * 0.5);
        log.warn(`${what}: ${(err as Error).message}; retrying in ${Math.round(delay)} ms (${i + 1}/${retries})`);
        await sleep(delay, opts.signal);
      }
    }
  }

  /** One GET with the idle timeout armed until the caller is done with the body. */
  async function get(url: string, headers: Record<string, string>) {
    const idle = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, idle.signal]) : idle.signal;
    let timer: NodeJS.Timeout | undefined;
    const poke = () => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(new DownloadError('interrupted', `no data from ${url} for ${idleMs / 1000} s`, true)), idleMs);
    };
    const done = () => clearTimeout(timer);
    const translate = (err: unknown): never => {
      done();
      if (opts.signal?.aborted) throw new DownloadError('cancelled', 'download cancelled');
      if (idle.signal.aborted) throw idle.signal.reason as DownloadError;
      if (err instanceof DownloadError || err instanceof DiskFullError) throw err;
      if (isAbort(err)) throw new DownloadError('cancelled', 'download cancelled');
      throw new DownloadError('network', `cannot reach ${url}: ${describeNetworkError(err)}`, true);
    };
    poke();
    let res: Response;
    try {
      res = await doFetch(url, { headers: { 'accept-encoding': 'identity', ...headers }, signal, redirect: 'follow' });
    } catch (err) {
      return translate(err);
    }
    return { res, poke, done, translate, idle: () => idle.signal.aborted };
  }

  function httpError(url: string, status: number, what: string): DownloadError {
    if (status === 404 || status === 410) {
      return new DownloadError(
        'not-found',
        `${what} was not found at ${url} (HTTP ${status}); check the model id and the download base URL`,
      );
    }
    if (status >= 500 || status === 429 || status === 408) {
      return new DownloadError('http', `server error for ${url}: HTTP ${status}`, true);
    }
    return new DownloadError('http', `download of ${url} refused: HTTP ${status}`);
  }

  return { withRetry, get, httpError };
}
