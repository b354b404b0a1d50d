/**
 * @file One remote backend through the maintained `openai` client: its health check (`GET /v1/models`
 * with the model name present) and chat completions, and the classification of what can go wrong into
 * a few kinds that the understanding step acts on.
 *
 * Runs in main (and the CLI, host and tests): network I/O only. The API key is handed to the client and
 * never appears in a message, a log line or an error ([Note: Remote failures] below).
 *
 * [Note: Remote failures] Every failure is one of:
 * - `down`: the server cannot be reached (refused, reset, DNS, TLS certificate), refuses our key
 *   (401/403) or does not serve the model (404): the backend is marked down, the photo is not at fault,
 *   its job goes back to the queue without using an attempt.
 * - `busy`: 429 or 503 still after the client's own retries (which honour `Retry-After`): the backend
 *   rests for the `Retry-After` the server asked for (or a back-off), the job goes back to the queue.
 * - `timeout`: the server took longer than the timeout setting: a retryable failure of the photo.
 * - `server`: any other 5xx, a cut or malformed response body, an answer without a choice: retryable.
 * - `bad_request`: 400/413/422: this request cannot succeed as sent (the image too large for the
 *   context, say): the photo fails permanently with the server's message, as a worker `bad_input` does.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type { BackendHealth } from '../../preload/contract/backends';
import { baseUrlOf } from './backends';

export type RemoteFailureKind = 'down' | 'busy' | 'timeout' | 'server' | 'bad_request' | 'cancelled';

/** A failed request, classified ([Note: Remote failures]); the message names the host, never the key. */
export class RemoteError extends Error {
  constructor(
    readonly kind: RemoteFailureKind,
    message: string,
    /** For `busy`: how long the server asked us to wait (ms), when it said. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

export interface RemoteClientOptions {
  url: string;
  model: string;
  apiKey: string | null;
  timeoutMs: number;
  /** The client's own retries of 429/5xx/connection errors (it honours `Retry-After` up to 60 s). */
  maxRetries?: number;
  /** For tests: the fetch the client uses. */
  fetch?: typeof fetch;
}

export interface RemoteClient {
  readonly url: string;
  readonly model: string;
  health(signal?: AbortSignal): Promise<BackendHealth>;
  chat(body: Omit<ChatCompletionCreateParamsNonStreaming, 'model'>, signal?: AbortSignal): Promise<ChatCompletion>;
  /**
   * A streamed answer: `onText` gets each piece as it comes. A stream that ends without saying how the
   * answer ended (no `finish_reason`: the connection was cut) or that cannot be parsed rejects
   * ('server'); what streamed before stays with the caller.
   */
  chatStream(
    body: Omit<ChatCompletionCreateParamsStreaming, 'model' | 'stream'>,
    onText: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<{ text: string; finish: 'stop' | 'length'; promptTokens: number | null; completionTokens: number | null }>;
}

const TLS_CODES = /CERT|SELF_SIGNED|TLS|SSL|UNABLE_TO_VERIFY|ERR_SSL/i;

/** The first error `code` down an error's cause chain (undici nests the socket's error). */
function causeCode(err: unknown): string | null {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

function retryAfterOf(headers: Headers | undefined): number | null {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get('retry-after');
  if (!raw) return null;
  const s = Number.parseFloat(raw);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

/** The server's own message from an error body, cut short (it may echo the request, never our key). */
function serverMessage(err: { error: unknown; message: string }): string {
  const body = err.error as { message?: unknown } | undefined;
  const text = typeof body?.message === 'string' ? body.message : err.message;
  return text.replace(/\s+/g, ' ').slice(0, 300);
}

/** Classifies anything the client threw ([Note: Remote failures]). */
export function classify(err: unknown, host: string, model: string, timeoutMs: number): RemoteError {
  if (err instanceof RemoteError) return err;
  if (err instanceof APIUserAbortError || (err instanceof Error && err.name === 'AbortError'))
    return new RemoteError('cancelled', 'cancelled');
  if (err instanceof APIConnectionTimeoutError)
    return new RemoteError('timeout', `${host} did not answer within ${Math.round(timeoutMs / 1000)} s`);
  if (err instanceof APIConnectionError) {
    const code = causeCode(err);
    if (code && TLS_CODES.test(code))
      return new RemoteError('down', `${host}: TLS error (${code}): does it serve https with a certificate this computer trusts?`);
    return new RemoteError('down', `${host} cannot be reached${code ? ` (${code})` : ''}`);
  }
  if (err instanceof APIError) {
    // The client's error classes are generic over `any`; what is read of them is typed here.
    const api = err as { status: number | undefined; headers: Headers | undefined; error: unknown; message: string };
    const status = api.status ?? 0;
    const what = `${host} answered ${status}: ${serverMessage(api)}`;
    if (status === 401 || status === 403)
      return new RemoteError('down', `${host} refused the API key (${status}); set it with \`shoebox backends add\``);
    if (status === 404) return new RemoteError('down', `${host} does not serve the model ${model} (${status}: ${serverMessage(api)})`);
    if (status === 429 || status === 503) return new RemoteError('busy', what, retryAfterOf(api.headers));
    if (status === 400 || status === 413 || status === 422) return new RemoteError('bad_request', what);
    return new RemoteError('server', what);
  }
  // A body cut mid-way or not JSON surfaces as a SyntaxError or a TypeError from the client.
  const message = err instanceof Error ? err.message : String(err);
  return new RemoteError('server', `${host} sent a response that could not be read (${message.slice(0, 200)})`);
}

/** A client for one backend. */
export function createRemoteClient(o: RemoteClientOptions): RemoteClient {
  const host = new URL(o.url).host;
  const client = new OpenAI({
    baseURL: baseUrlOf(o.url),
    // The client insists on a key; servers started without --api-key ignore the header.
    apiKey: o.apiKey ?? 'none',
    timeout: o.timeoutMs,
    maxRetries: o.maxRetries ?? 2,
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  return {
    url: o.url,
    model: o.model,
    async health(signal) {
      const t0 = performance.now();
      const done = (models: string[], problem: string | null): BackendHealth => ({
        url: o.url,
        model: o.model,
        ok: problem === null,
        models,
        problem,
        ms: Math.round(performance.now() - t0),
      });
      try {
        const models: string[] = [];
        for await (const m of client.models.list({ signal, maxRetries: 0 })) {
          if (typeof m.id === 'string') models.push(m.id);
          if (models.length >= 1000) break;
        }
        if (!models.includes(o.model))
          return done(models, `${host} does not serve ${o.model}; it serves ${models.length ? models.join(', ') : 'no model'}`);
        return done(models, null);
      } catch (err) {
        return done([], classify(err, host, o.model, o.timeoutMs).message);
      }
    },
    async chat(body, signal) {
      let res: ChatCompletion;
      try {
        res = await client.chat.completions.create({ ...body, model: o.model }, { signal });
      } catch (err) {
        throw classify(err, host, o.model, o.timeoutMs);
      }
      if (!res || !Array.isArray(res.choices) || res.choices.length === 0)
        throw new RemoteError('server', `${host} answered without a choice`);
      return res;
    },
    async chatStream(body, onText, signal) {
      let text = '';
      let finish: string | null = null;
      let usage: { prompt_tokens?: number; completion_tokens?: number } | null = null;
      try {
        // Retries would repeat text already streamed: a failed stream is the caller's to retry.
        const stream = await client.chat.completions.create(
          { ...body, model: o.model, stream: true, stream_options: { include_usage: true } },
          { signal, maxRetries: 0 },
        );
        for await (const chunk of stream) {
          if (chunk.usage) usage = chunk.usage;
          const c = chunk.choices?.[0];
          const piece = c?.delta?.content;
          if (typeof piece === 'string' && piece !== '') {
            text += piece;
            onText(piece);
          }
          if (c?.finish_reason) finish = c.finish_reason;
        }
      } catch (err) {
        throw classify(err, host, o.model, o.timeoutMs);
      }
      if (finish === null) throw new RemoteError('server', `${host}: the answer stream ended before the answer did`);
      return {
        text,
        finish: finish === 'length' ? 'length' : 'stop',
        promptTokens: usage?.prompt_tokens ?? null,
        completionTokens: usage?.completion_tokens ?? null,
      };
    },
  };
}
