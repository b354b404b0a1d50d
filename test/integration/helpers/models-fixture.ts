/**
 * @file Test helpers for the model manager tests: a bundle-shaped folder with random bytes (the real
 * tiny bundle lives in test/fixtures/models/tiny-internvl/; these tests need files they can corrupt
 * and sizes they can cut in half), and a local HTTP server on 127.0.0.1 that serves bundles in the
 * remote layout of main/models/catalog.ts, honours `Range`, logs every request, and can misbehave
 * on purpose (cut a response off, answer 5xx, serve wrong bytes, ignore Range, trickle slowly, stream
 * without end).
 *
 * Runs in vitest (Node).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DEFAULT_IMAGE_SETTINGS } from '../../../native/preprocess/image-input';

/** A bundle in memory: manifest text and every file's bytes by manifest path. */
export interface FakeBundle {
  id: string;
  manifestText: string;
  files: Map<string, Buffer>;
}

/** Builds a schema-1 manifest and random file contents for a bundle with fp32 and q4 variants. */
export function makeFakeBundle(id: string, options: { randomWeights?: boolean; graphBytes?: number } = {}): FakeBundle {
  const big = options.graphBytes ?? 64 * 1024;
  const files = new Map<string, Buffer>([
    ['tokenizer.json', Buffer.from(JSON.stringify({ version: '1.0', model: { type: 'BPE', vocab: {} } }))],
    ['onnx/vision_encoder.onnx', randomBytes(big)],
    ['onnx/embed_tokens.onnx', randomBytes(big / 4)],
    ['onnx/decoder_model_merged.onnx', randomBytes(big)],
    ['onnx/vision_encoder_q4.onnx', randomBytes(big / 8)],
    ['onnx/embed_tokens_q4.onnx', randomBytes(big / 16)],
    ['onnx/decoder_model_merged_q4.onnx', randomBytes(big / 8)],
  ]);
  const manifest = {
    schema: 1,
    id,
    name: `Test ${id}`,
    family: 'internvl',
    version: '1',
    source: options.randomWeights ? 'random:tiny:seed=0' : 'test/fake',
    random_weights: options.randomWeights ?? false,
    template: 'internvl2_5',
    system_message: null,
    image: { ...DEFAULT_IMAGE_SETTINGS },
    tokens: { img_start: 300, img_end: 301, img_context: 302, im_start: 303, im_end: 304, eos: [304], pad: 305, bos: null },
    llm: {
      hidden_size: 64,
      num_layers: 2,
      num_attention_heads: 4,
      num_kv_heads: 2,
      head_dim: 16,
      vocab_size: 320,
      max_position_embeddings: 2048,
    },
    variants: {
      fp32: {
        vision_encoder: 'onnx/vision_encoder.onnx',
        embed_tokens: 'onnx/embed_tokens.onnx',
        decoder_model_merged: 'onnx/decoder_model_merged.onnx',
      },
      q4: {
        vision_encoder: 'onnx/vision_encoder_q4.onnx',
        embed_tokens: 'onnx/embed_tokens_q4.onnx',
        decoder_model_merged: 'onnx/decoder_model_merged_q4.onnx',
      },
    },
    files: [...files].map(([p, b]) => ({ path: p, bytes: b.length, sha256: createHash('sha256').update(b).digest('hex') })),
  };
  return { id, manifestText: JSON.stringify(manifest, null, 2) + '\n', files };
}

/** Writes a bundle to `dir` (created). */
export function writeBundle(dir: string, bundle: FakeBundle): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'manifest.json'), bundle.manifestText);
  for (const [p, b] of bundle.files) {
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), b);
  }
  return dir;
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** One logged request. */
export interface LoggedRequest {
  url: string;
  range: string | null;
  status: number;
  /** The Authorization header it carried (the hub tests check where a token goes). */
  auth: string | null;
}

/**
 * What the server does with one request: serve normally, answer a status, cut the body off after
 * `after` bytes, serve these bytes instead, ignore Range, trickle `chunk` bytes every `delayMs`, or
 * send `chunk` bytes every `delayMs` for ever (no content-length; it stops when the client hangs up).
 */
export type Behaviour =
  | { kind: 'normal' }
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'cut'; after: number }
  | { kind: 'body'; bytes: Buffer }
  | { kind: 'ignore-range' }
  | { kind: 'slow'; chunk: number; delayMs: number }
  | { kind: 'endless'; chunk: number; delayMs: number };

/** A local bundle server; `behave` decides per request (default: normal). */
export interface BundleServer {
  baseUrl: string;
  requests: LoggedRequest[];
  behave: (url: string, nth: number) => Behaviour;
  /** Bytes written by 'endless' responses so far (what a client could have buffered at most). */
  endlessBytes: number;
  close(): Promise<void>;
}

/**
 * What both local servers (this one and the hub of hub-fixture.ts) do first with a request: count how
 * often its URL was asked for, and give the function that logs the answer with its Range and
 * Authorization headers.
 */
export function trackRequest(req: IncomingMessage, counts: Map<string, number>, requests: LoggedRequest[]) {
  const url = req.url ?? '/';
  const nth = (counts.get(url) ?? 0) + 1;
  counts.set(url, nth);
  const range = req.headers.range ?? null;
  const auth = req.headers.authorization ?? null;
  return { url, nth, range, log: (status: number) => void requests.push({ url, range, status, auth }) };
}

/** Starts a server on 127.0.0.1 (port 0) with the given bundles under `/models/<id>/...`. */
export async function startBundleServer(bundles: FakeBundle[]): Promise<BundleServer> {
  const counts = new Map<string, number>();
  const server: BundleServer = {
    baseUrl: '',
    requests: [],
    behave: () => ({ kind: 'normal' }),
    endlessBytes: 0,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
  const lookup = (url: string): Buffer | null => {
    const m = /^\/models\/([^/]+)\/(.+)$/.exec(decodeURIComponent(url));
    const b = m && bundles.find((x) => x.id === m[1]);
    if (!m || !b) return null;
    return m[2] === 'manifest.json' ? Buffer.from(b.manifestText) : (b.files.get(m[2]!) ?? null);
  };
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const { url, nth, range, log } = trackRequest(req, counts, server.requests);
    const behaviour = server.behave(url, nth);
    if (behaviour.kind === 'status') {
      log(behaviour.status);
      res.writeHead(behaviour.status, { 'content-type': 'text/plain', ...behaviour.headers }).end('nope');
      return;
    }
    if (behaviour.kind === 'endless') {
      log(200);
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(behaviour.chunk, 0x20); // JSON whitespace, for ever
      res.write('{"schema": 1');
      // Written at the pace the client reads (drain), so the test process itself never buffers much.
      const tick = () => {
        if (res.destroyed) return;
        server.endlessBytes += chunk.length;
        if (res.write(chunk)) setTimeout(tick, behaviour.delayMs);
        else res.once('drain', () => setTimeout(tick, behaviour.delayMs));
      };
      tick();
      return;
    }
    let body = lookup(url);
    if (!body) {
      log(404);
      res.writeHead(404).end('not found');
      return;
    }
    if (behaviour.kind === 'body') body = behaviour.bytes;
    let start = 0;
    const m = range && behaviour.kind !== 'ignore-range' ? /^bytes=(\d+)-$/.exec(range) : null;
    if (m) {
      start = Number(m[1]);
      if (start >= body.length) {
        log(416);
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      log(206);
      res.writeHead(206, {
        'content-length': body.length - start,
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
        'accept-ranges': 'bytes',
      });
    } else {
      log(200);
      res.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' });
    }
    const rest = body.subarray(start);
    if (behaviour.kind === 'cut') {
      res.write(rest.subarray(0, behaviour.after), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    if (behaviour.kind === 'slow') {
      let off = 0;
      const tick = () => {
        if (res.destroyed) return;
        if (off >= rest.length) return void res.end();
        res.write(rest.subarray(off, off + behaviour.chunk));
        off += behaviour.chunk;
        setTimeout(tick, behaviour.delayMs);
      };
      tick();
      return;
    }
    res.end(rest);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  server.baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/models`;
  return server;
}

/** The committed tiny random-weight bundle made by native/export (see BUNDLE-SPEC.md). */
export const TINY_BUNDLE_DIR = path.resolve(import.meta.dirname, '../../fixtures/models/tiny-internvl');

/** Reads a bundle folder (its manifest's files) into memory, e.g. to serve it over HTTP. */
export function readBundle(dir: string): FakeBundle {
  const manifestText = readFileSync(path.join(dir, 'manifest.json'), 'utf8');
  const manifest = JSON.parse(manifestText) as { id: string; files: { path: string }[] };
  return { id: manifest.id, manifestText, files: new Map(manifest.files.map((f) => [f.path, readFileSync(path.join(dir, f.path))])) };
}
