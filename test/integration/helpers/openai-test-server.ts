/**
 * @file A local stand-in for an OpenAI-compatible server (vLLM's or LMDeploy's `/v1`), plain node:http:
 * `GET /v1/models`, `POST /v1/chat/completions` with and without streaming, errors with `Retry-After`,
 * a fixed delay per request and a limit on requests worked on at once (the rest wait, as a server's
 * batch does). Every request is logged for the tests to check against the documented request shapes.
 *
 * Not a model: it answers deterministically FROM THE REQUEST, so a test can tell that the client sent
 * the right image and question. A caption echoes a digest of the image bytes it received; a tag answer
 * picks labels of the offered list by that digest; a transcription echoes the digest. Faults are
 * scripted per request (`fail`), or the whole server can be closed mid-run.
 *
 * Used by test/integration/remote-*.test.ts and test/bench/remote.ts.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One scripted fault, used by the next chat request. */
export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; message?: string }
  | { kind: 'not-json' } // a 200 whose body is not JSON
  | { kind: 'cut' } // the connection closes mid-body
  | { kind: 'hang' } // never answers (the client's timeout must fire)
  | { kind: 'plain-tags' } // answers the tag question in prose, not the JSON asked for
  | { kind: 'truncate-stream' }; // a stream that ends without [DONE] and mid-answer

export interface LoggedRequest {
  method: string;
  path: string;
  authorization: string | null;
  body: Record<string, unknown> | null;
  at: number;
}

export interface TestServerOptions {
  models?: string[];
  /** Delay per chat request (ms). */
  delayMs?: number;
  /** Chat requests worked on at once; the rest wait. */
  maxConcurrent?: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** False: `response_format` is refused with 400, as by a server without guided decoding. */
  schema?: boolean;
  /** Keep the bodies in the log (false for the benchmark: images are large). */
  keepBodies?: boolean;
  /** Listen on this port (a server restarted where it was); default any free port. */
  port?: number;
}

export interface TestServer {
  url: string;
  log: LoggedRequest[];
  /** Faults for the next chat requests, in order. */
  fail(...faults: Fault[]): void;
  /** Most chat requests worked on at once so far. */
  peak(): number;
  chatCount(): number;
  /** Stops listening and drops open connections (a server that died). */
  close(): Promise<void>;
}

/** The digest the server echoes for an image data URL: 8 hex chars of sha256 of its bytes. */
export function imageDigest(dataUrl: string): string {
  const b64 = dataUrl.slice(dataUrl.indexOf(',') + 1);
  return createHash('sha256').update(Buffer.from(b64, 'base64')).digest('hex').slice(0, 8);
}

/** The labels a tag answer picks for an image digest from `list`: two, chosen by the digest. */
export function labelsFor(digest: string, list: readonly string[]): string[] {
  const n = Number.parseInt(digest.slice(0, 6), 16);
  const a = list[n % list.length]!;
  const b = list[Math.floor(n / list.length) % list.length]!;
  return a === b ? [a] : [a, b];
}

type Msg = { role: string; content: unknown };

function userParts(body: Record<string, unknown>): { image: string | null; text: string } {
  const messages = (body['messages'] as Msg[] | undefined) ?? [];
  const last = [...messages].reverse().find((m) => m.role === 'user');
  let image: string | null = null;
  let text = '';
  if (typeof last?.content === 'string') text = last.content;
  else if (Array.isArray(last?.content))
    for (const p of last.content as { type: string; text?: string; image_url?: { url: string } }[]) {
      if (p.type === 'image_url' && p.image_url) image = p.image_url.url;
      if (p.type === 'text' && p.text) text += p.text;
    }
  return { image, text };
}

/** What the "model" says to a request: derived from the request alone. */
function answerFor(body: Record<string, unknown>, plainTags: boolean): { content: string; finish: 'stop' | 'length' } {
  const { image, text } = userParts(body);
  const digest = image ? imageDigest(image) : 'noimage0';
  const list = /only from this list: (.*)\.\n/.exec(text)?.[1]?.split(', ') ?? null;
  if (list) {
    const picked = labelsFor(digest, list);
    const structured = (body['response_format'] as { type?: string } | undefined)?.type === 'json_schema';
    return { content: structured && !plainTags ? JSON.stringify({ tags: picked }) : `Tags: ${picked.join(', ')}.`, finish: 'stop' };
  }
  if (/Transcribe/.test(text)) return { content: `TEXT ${digest}`, finish: 'stop' };
  const words = `The image shows photo ${digest} asked "${text.slice(0, 40)}"`;
  const max = typeof body['max_tokens'] === 'number' ? body['max_tokens'] : 1000;
  const cut = words.split(' ').slice(0, max);
  return { content: cut.join(' '), finish: cut.length < words.split(' ').length ? 'length' : 'stop' };
}

/** Starts a server on 127.0.0.1 (a free port). */
export async function startOpenAITestServer(o: TestServerOptions = {}): Promise<TestServer> {
  const models = o.models ?? ['OpenGVLab/InternVL3-2B'];
  const log: LoggedRequest[] = [];
  const faults: Fault[] = [];
  const sockets = new Set<Socket>();
  let active = 0;
  let peak = 0;
  let chats = 0;
  const waiting: (() => void)[] = [];
  const acquire = () =>
    new Promise<void>((resolve) => {
      const go = () => {
        active++;
        peak = Math.max(peak, active);
        resolve();
      };
      if (active < (o.maxConcurrent ?? Infinity)) go();
      else waiting.push(go);
    });
  const release = () => {
    active--;
    waiting.shift()?.();
  };

  const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(value));
  };
  const error = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) =>
    json(res, status, { object: 'error', message, type: 'BadRequestError', code: status }, headers);

  async function chat(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    chats++;
    const fault = faults.shift();
    if (fault?.kind === 'hang') return; // the socket stays open until the client gives up
    if (typeof body['model'] !== 'string' || !models.includes(body['model']))
      return error(res, 404, `The model \`${String(body['model'])}\` does not exist.`);
    if (!Array.isArray(body['messages'])) return error(res, 400, 'messages must be a list');
    if (body['response_format'] !== undefined && o.schema === false) return error(res, 400, 'response_format is not supported');
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
      return error(res, fault.status, fault.message ?? `scripted ${fault.status}`, headers);
    }
    await acquire();
    try {
      if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
    } finally {
      release();
    }
    if (fault?.kind === 'not-json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('<html>502 Bad Gateway</html>');
    }
    const a = answerFor(body, fault?.kind === 'plain-tags');
    const id = `chatcmpl-${chats}`;
    const created = Math.floor(Date.now() / 1000);
    if (body['stream'] === true) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const words = a.content.split(/(?<= )/);
      const send = (delta: Record<string, unknown>, finish: string | null) =>
        res.write(
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body['model'], choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
        );
      send({ role: 'assistant', content: '' }, null);
      for (const [i, w] of words.entries()) {
        if (fault?.kind === 'truncate-stream' && i === Math.floor(words.length / 2)) {
          res.write('data: {"id":"x","choices":[{"delta":{"content":"'); // a chunk cut mid-JSON
          // What was written reaches the client before the connection drops.
          return void setTimeout(() => req.socket.destroy(), 50);
        }
        send({ content: w }, null);
      }
      send({}, a.finish);
      res.write('data: [DONE]\n\n');
      return void res.end();
    }
    const full = JSON.stringify({
      id,
      object: 'chat.completion',
      created,
      model: body['model'],
      choices: [{ index: 0, message: { role: 'assistant', content: a.content }, finish_reason: a.finish }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
    if (fault?.kind === 'cut') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(full.length) });
      res.write(full.slice(0, full.length >> 1));
      return void req.socket.destroy();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(full);
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      let body: Record<string, unknown> | null = null;
      if (chunks.length) {
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          return error(res, 400, 'the body is not JSON');
        }
      }
      log.push({
        method: req.method ?? '',
        path,
        authorization: req.headers.authorization ?? null,
        body: o.keepBodies === false ? null : body,
        at: Date.now(),
      });
      if (o.apiKey && req.headers.authorization !== `Bearer ${o.apiKey}`) return error(res, 401, 'invalid API key');
      if (req.method === 'GET' && path === '/v1/models')
        return json(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'test' })) });
      if (req.method === 'POST' && path === '/v1/chat/completions') return void chat(req, res, body ?? {}).catch(() => res.destroy());
      return error(res, 404, `no route ${req.method} ${path}`);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(o.port ?? 0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    fail: (...f) => void faults.push(...f),
    peak: () => peak,
    chatCount: () => chats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
