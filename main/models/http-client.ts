/**
 * @file The HTTP side of model downloads: one GET with an idle timeout (a connection that delivers
 * nothing for a while is dropped), body reading chunk by chunk, a size-capped text read for JSON,
 * retries with exponential backoff and jitter for 5xx, 429, 408 and network errors (waiting at least
 * what a `Retry-After` header asks), and the {@link DownloadError} every failure becomes.
 *
 * Runs in main, on Node's fetch (undici). `accept-encoding: identity` keeps byte offsets and sizes
 * those of the file itself, which Range resumption and the manifest's sizes rely on.
 *
 * [Note: Idle means idle] The idle timer of a request is armed when it is sent and re-armed by every
 * body chunk, whoever reads the body ({@link HttpResponse.chunks} is the only way to), so a slow
 * server that keeps sending is never dropped and a silent one is dropped after `idleTimeoutMs`
 * whatever the body is. Nothing reads a whole body blindly: JSON goes through `readCapped`,
 * which stops at a byte cap (see MAX_MANIFEST_BYTES in native/bundle/manifest.ts).
 */
import { DiskFullError } from './bundle-files';
import type { Log } from '../log';

/** Why a download failed; `retryable` errors are retried inside `downloadBundle`. */
export type DownloadErrorCode =
  | 'not-found'
  | 'http'
  | 'network'
  | 'interrupted'
  | 'hash-mismatch'
  | 'size-mismatch'
  | 'bad-manifest'
  | 'too-large'
  | 'disk-full'
  | 'cancelled'
  | 'exists'
  | 'busy'
  | 'unauthorized'
  | 'bad-listing'
  | 'needs-build';

/** A failed download, with a message that names the file and says what to do. */
export class DownloadError extends Error {
  /** How long the server asked to wait before the next try (its `Retry-After`), if it said. */
  retryAfterMs: number | undefined;

  constructor(
    readonly code: DownloadErrorCode,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'DownloadError';
  }

  /**
   * Whether downloading again could succeed without anything changing on the server or in the
   * request ([Note: Resumable failures]): yes after a cut-off, a network error, a 5xx, a cancel or a
   * full disk (once space is freed); no after a 404, a refused request, a bad or too-large manifest
   * or a file that does not match it, which fail the same way until the server or the id is fixed.
   */
  get resumable(): boolean {
    switch (this.code) {
      case 'network':
      case 'interrupted':
      case 'disk-full':
      case 'cancelled':
      case 'busy':
        return true;
      case 'http':
        return this.retryable; // 5xx, 429 and 408: the server may recover; other 4xx refusals stay
      case 'not-found':
      case 'hash-mismatch':
      case 'size-mismatch':
      case 'bad-manifest':
      case 'too-large':
      case 'exists':
      case 'unauthorized': // a token must be stored or fixed first
      case 'bad-listing':
      case 'needs-build': // everything was fetched; another download changes nothing
        return false;
    }
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
  /**
   * Longest `Retry-After` honoured by waiting (default 120 s); a server that asks for more fails the
   * request at once with a message that says when to try again.
   */
  maxRetryAfterMs?: number;
  /**
   * Turns an HTTP error status into the error to raise, where the default words do not fit (the hub
   * client's "needs an access token"); undefined keeps the default. `finalUrl` is where the answer
   * came from after redirects.
   */
  describeStatus?: (status: number, url: string, what: string, finalUrl: string) => DownloadError | undefined;
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

/**
 * A `Retry-After` header in milliseconds (delta-seconds or an HTTP date), or undefined when absent or
 * unreadable.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
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
  const maxRetryAfter = opts.maxRetryAfterMs ?? 120_000;

  /**
   * Runs one request attempt function with retries for retryable errors: exponential backoff with
   * jitter, but never sooner than the server's `Retry-After`.
   */
  async function withRetry<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (opts.signal?.aborted) throw new DownloadError('cancelled', 'download cancelled');
        const retryable = err instanceof DownloadError && err.retryable;
        if (!retryable || i >= retries) throw err;
        const asked = err.retryAfterMs;
        if (asked !== undefined && asked > maxRetryAfter) {
          const later = new DownloadError(
            'http',
            `${err.message}; the server asks to wait ${Math.ceil(asked / 1000)} s before the next try, so try again later`,
            true,
          );
          later.retryAfterMs = asked;
          throw later;
        }
        const backoff = Math.min(30_000, baseDelay * 2 ** i) * (0.75 + Math.random() * 0.5);
        const delay = Math.max(backoff, asked ?? 0);
        log.warn(`${what}: ${err.message}; retrying in ${Math.round(delay)} ms (${i + 1}/${retries})`);
        await sleep(delay, opts.signal);
      }
    }
  }

  /** One GET with the idle timeout armed until the caller is done with the body. */
  async function get(url: string, headers: Record<string, string>): Promise<HttpResponse> {
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
    async function* chunks(): AsyncGenerator<Uint8Array> {
      if (!res.body) return;
      const reader = res.body.getReader();
      try {
        for (;;) {
          const next = (await reader.read()) as { done: boolean; value?: Uint8Array };
          if (next.done || !next.value) return;
          poke(); // [Note: Idle means idle]
          yield next.value;
        }
      } finally {
        await reader.cancel().catch(() => {});
      }
    }
    return { res, chunks, done, translate, idle: () => idle.signal.aborted };
  }

  /**
   * Reads a whole body as UTF-8 text, but at most `maxBytes` of it: a larger `content-length`, or a
   * body that runs past the cap (an endless stream), fails with `too-large` and is not retried.
   */
  async function readCapped(r: HttpResponse, maxBytes: number, tooLarge: () => DownloadError): Promise<string> {
    if (Number(r.res.headers.get('content-length') ?? 0) > maxBytes) {
      await r.res.body?.cancel().catch(() => {});
      throw tooLarge();
    }
    const parts: Uint8Array[] = [];
    let n = 0;
    for await (const chunk of r.chunks()) {
      n += chunk.length;
      if (n > maxBytes) throw tooLarge();
      parts.push(chunk);
    }
    return Buffer.concat(parts).toString('utf8');
  }

  /**
   * GETs `url` as text of at most `maxBytes` (see {@link readCapped}), with retries; `what` names it in
   * errors. `onResponse` sees each successful response before its body is read (the hub client reads
   * its `Link` header there).
   */
  function getText(
    url: string,
    what: string,
    maxBytes: number,
    tooLarge: () => DownloadError,
    headers: Record<string, string> = {},
    onResponse?: (res: Response) => void,
  ): Promise<string> {
    return withRetry(what, async () => {
      const r = await get(url, headers);
      try {
        if (!r.res.ok) {
          await r.res.body?.cancel().catch(() => {});
          throw httpError(url, r.res.status, what, r.res);
        }
        onResponse?.(r.res);
        return await readCapped(r, maxBytes, tooLarge);
      } catch (err) {
        return r.translate(err);
      } finally {
        r.done();
      }
    });
  }

  /** The error for an HTTP error answer; `res` (when given) supplies `Retry-After` and the final URL. */
  function httpError(url: string, status: number, what: string, res?: Response): DownloadError {
    const err = opts.describeStatus?.(status, url, what, res?.url || url) ?? defaultHttpError(url, status, what);
    if (err.retryable && res) err.retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    return err;
  }

  return { withRetry, get, getText, httpError };
}

function defaultHttpError(url: string, status: number, what: string): DownloadError {
  if (status === 404 || status === 410) {
    return new DownloadError('not-found', `${what} was not found at ${url} (HTTP ${status}); check the model id and the download base URL`);
  }
  if (status >= 500 || status === 429 || status === 408) {
    return new DownloadError('http', `server error for ${url}: HTTP ${status}`, true);
  }
  if (status === 401 || status === 403) {
    return new DownloadError('unauthorized', `download of ${url} refused: HTTP ${status} (the server wants credentials)`);
  }
  return new DownloadError('http', `download of ${url} refused: HTTP ${status}`);
}

/** The downloader's HTTP helpers. */
export type HttpClient = ReturnType<typeof createHttpClient>;

/** One response whose idle timer runs until {@link HttpResponse.done}. */
export interface HttpResponse {
  res: Response;
  /** The body chunk by chunk; each chunk re-arms the idle timer ([Note: Idle means idle]). */
  chunks(): AsyncGenerator<Uint8Array>;
  /** Stops the idle timer (call once the body is read or dropped). */
  done(): void;
  /** Turns whatever a read threw into a {@link DownloadError} (cancel, idle timeout, network). */
  translate(err: unknown): never;
  /** True when the idle timer dropped the request. */
  idle(): boolean;
}
