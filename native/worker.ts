/**
 * @file Entry point of the inference worker process.
 *
 * Runs in its own process: Electron's `utilityProcess` in the app (messages on
 * `process.parentPort`) or `child_process.fork` in the headless host, CLI and tests (messages on
 * `process.send`/`process.on('message')`). Owns every onnxruntime session, through the models it
 * keeps by role (`runtime/registry.ts`). Requests run one at a time, interactive ones before
 * background ones (`runtime/scheduler.ts`, [Note: Worker lanes] in `native/protocol.ts`); `cancel` is
 * handled immediately (queued requests are dropped, the running one stops at its next token or
 * session run). Every failure is answered with an error code and the worker keeps serving. See
 * [Note: Worker protocol] in `native/protocol.ts`. It reports its memory after a model loads and after
 * a request runs it ([Note: Worker memory reports] in `native/protocol.ts`).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  MODEL_ROLES,
  WorkerError,
  isWorkerRequest,
  type ErrorCode,
  type Method,
  type MethodMap,
  type ModelRole,
  type RequestMessage,
  type StreamChunk,
  type WorkerResponse,
} from './protocol';
import { caption } from './pipelines/caption';
import { ChatSessions } from './pipelines/chat';
import { classify } from './pipelines/classify';
import { checkEmbedRequest, embedLane, embedTexts } from './pipelines/embed';
import { understand } from './pipelines/understand';
import { DEFAULT_IMAGE_SETTINGS, prepareImageFile } from './preprocess/image-input';
import { encodeNpyFloat32 } from './preprocess/normalize';
import { ACCURACY_PROMPT, variantAccuracy } from './pipelines/variant-accuracy';
import { BundleTokenizer } from './preprocess/tokenizer';
import { cpuFeatures, int8KernelFamily } from './runtime/cpu-features';
import { threadCounts } from './runtime/execution-providers';
import { InternVLModel, type CancelToken } from './runtime/internvl-model';
import { ModelRegistry } from './runtime/registry';
import { Scheduler } from './runtime/scheduler';
import { providerStatus } from './runtime/sessions';
import { TextEmbedderModel } from './runtime/text-embedder-model';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(msg: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(msg: WorkerResponse): void {
  if (parentPort !== undefined) parentPort.postMessage(msg);
  else process.send?.(msg);
}

const models = new ModelRegistry<{ vlm: InternVLModel; 'text-embedder': TextEmbedderModel }>({
  vlm: (dir, options) => InternVLModel.load(dir, options),
  'text-embedder': (dir, options) => TextEmbedderModel.load(dir, options),
});
const chats = new ChatSessions();
const tokenizers = new Map<string, BundleTokenizer>();
const cancels = new Map<number, CancelToken>();
/** The model role each method runs, for the memory reports after a run ([Note: Worker memory reports]). */
const RUNS_ROLE: Partial<Record<Method, ModelRole>> = {
  caption: 'vlm',
  chat: 'vlm',
  classify: 'vlm',
  understand: 'vlm',
  embed: 'text-embedder',
};
/** Every `role\0id\0variant` this process has loaded, and whether an accuracy check loaded variants of its own. */
const everLoaded = new Set<string>();
let accuracyLoaded = false;
/** Per role: the model last reported, whether it has run since its load, and the figure last sent for it. */
const reported = new Map<ModelRole, { key: string; ran: boolean; bytes: number }>();

/** Reports the worker's memory with `role`'s model loaded: after its load, its first run, or when it grew 5%. */
function reportMemory(role: ModelRole, after: 'load' | 'run'): void {
  const m = models.describe(role);
  if (m === null) return;
  const key = `${role}\0${m.id}\0${m.variant}`;
  if (after === 'load') everLoaded.add(key);
  const rssBytes = process.memoryUsage.rss();
  // maxRSS is in KiB (libuv normalises macOS's bytes); the peak is this model's only while no other was held.
  const alone = !accuracyLoaded && [...everLoaded].filter((k) => k.startsWith(`${role}\0`)).length === 1;
  const peakRssBytes = alone ? process.resourceUsage().maxRSS * 1024 : null;
  const last = reported.get(role);
  const bytes = Math.max(rssBytes, peakRssBytes ?? 0);
  if (after === 'run' && last?.key === key && last.ran && bytes < last.bytes * 1.05) return;
  reported.set(role, { key, ran: after === 'run', bytes });
  send({ type: 'memory', role, model: { id: m.id, variant: m.variant }, after, rssBytes, peakRssBytes });
}

/** Methods that swap models, so they never run while a background request is paused at a checkpoint. */
const SWAPS_MODELS: ReadonlySet<Method> = new Set<Method>(['load', 'unload']);
const scheduler = new Scheduler<RequestMessage>(runOne, (req) => !SWAPS_MODELS.has(req.method));

function roleOf(p: { role?: ModelRole }): ModelRole {
  const role = p.role ?? 'vlm';
  if (!MODEL_ROLES.includes(role))
    throw new WorkerError('bad_request', `unknown model role "${String(role)}" (known: ${MODEL_ROLES.join(', ')})`);
  return role;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function checkImage(v: unknown, where: string): void {
  if (!isObject(v) || typeof v.path !== 'string' || v.path === '') {
    throw new WorkerError('bad_request', `${where} must be { path: string, maxTiles?: number }`);
  }
}

/** What a handler gets besides its params. */
interface RequestContext {
  stream: (c: StreamChunk) => void;
  cancel: CancelToken;
  /** Lets waiting interactive requests run; call it between phases of long work ([Note: Worker lanes]). */
  checkpoint: () => Promise<void>;
}

type Handler<M extends Method> = (params: MethodMap[M]['params'], ctx: RequestContext) => Promise<MethodMap[M]['result']>;

const handlers: { [M in Method]: Handler<M> } = {
  info: async () => {
    const features = cpuFeatures();
    return {
      pid: process.pid,
      platform: process.platform,
      arch: process.arch,
      cpu: { features, int8Kernels: int8KernelFamily(features) },
      threads: threadCounts(),
      providers: providerStatus(),
      model: models.describe('vlm'),
      models: models.describeAll(),
    };
  },
  load: async (p) => {
    if (typeof p.dir !== 'string' || p.dir === '') throw new WorkerError('bad_request', 'load needs { dir }');
    const role = roleOf(p);
    const result = await models.load(role, p.dir, {
      ...(p.variant !== undefined ? { variant: p.variant } : {}),
      ...(p.verifySha256 !== undefined ? { verifySha256: p.verifySha256 } : {}),
      ...(p.executionProviders !== undefined ? { executionProviders: p.executionProviders } : {}),
    });
    // Chat sessions hold KV caches of the vlm that made them.
    if (role === 'vlm') chats.clear();
    reportMemory(role, 'load');
    return result;
  },
  unload: async (p) => {
    const role = roleOf(p);
    if (role === 'vlm') chats.clear();
    return { unloaded: await models.unload(role) };
  },
  caption: async (p, { stream, cancel, checkpoint }) => {
    checkImage(p.image, 'image');
    return caption(models.require('vlm'), p, { onChunk: stream, cancel, checkpoint });
  },
  chat: async (p, { stream, cancel }) => {
    if (typeof p.sessionId !== 'string' || typeof p.message !== 'string') {
      throw new WorkerError('bad_request', 'chat needs { sessionId, message }');
    }
    (p.images ?? []).forEach((img, i) => checkImage(img, `images[${i}]`));
    return chats.turn(models.require('vlm'), p, stream, cancel);
  },
  chatEnd: async (p) => ({ ended: chats.end(p.sessionId) }),
  classify: async (p, { cancel }) => {
    checkImage(p.image, 'image');
    if (!Array.isArray(p.labels)) throw new WorkerError('bad_request', 'classify needs { labels: string[] }');
    return { scores: await classify(models.require('vlm'), p, cancel) };
  },
  understand: async (p, { cancel, checkpoint }) => {
    if (!Array.isArray(p.images) || p.images.length === 0) throw new WorkerError('bad_request', 'understand needs { images: [...] }');
    p.images.forEach((img, i) => checkImage(img, `images[${i}]`));
    const model = models.require('vlm');
    const r = await understand(model, p, { cancel, checkpoint });
    return { ...r, model: { id: model.manifest.id, variant: model.variant } };
  },
  preprocess: async (p) => {
    checkImage(p.image, 'image');
    if (typeof p.outFile !== 'string' || p.outFile === '') throw new WorkerError('bad_request', 'preprocess needs { outFile }');
    if (path.resolve(p.outFile) === path.resolve(p.image.path)) {
      throw new WorkerError('bad_input', 'refusing to overwrite the input image');
    }
    const settings = models.get('vlm')?.manifest.image ?? DEFAULT_IMAGE_SETTINGS;
    const prep = await prepareImageFile(p.image.path, settings, p.image.maxTiles);
    await writeFile(p.outFile, encodeNpyFloat32(prep.pixelValues.data, prep.pixelValues.dims));
    return {
      grid: prep.grid,
      numTiles: prep.pixelValues.dims[0],
      shape: [...prep.pixelValues.dims],
      width: prep.width,
      height: prep.height,
    };
  },
  tokens: async (p) => {
    if (typeof p.text !== 'string') throw new WorkerError('bad_request', 'tokens needs { text }');
    let tok: BundleTokenizer;
    if (p.dir !== undefined) {
      const file = path.resolve(p.dir, 'tokenizer.json');
      let cached = tokenizers.get(file);
      if (cached === undefined) {
        try {
          cached = await BundleTokenizer.fromFile(file);
        } catch (e) {
          throw new WorkerError('model_invalid', (e as Error).message);
        }
        tokenizers.set(file, cached);
      }
      tok = cached;
    } else tok = models.require('vlm').tokenizer;
    return { ids: tok.encode(p.text), tokens: tok.tokenize(p.text) };
  },
  embed: async (p, { cancel, checkpoint }) => {
    checkEmbedRequest(p);
    return embedTexts(models.require('text-embedder'), p, { cancel, checkpoint });
  },
  variantAccuracy: async (p) => {
    if (typeof p.dir !== 'string' || !Array.isArray(p.variants) || typeof p.image !== 'string') {
      throw new WorkerError('bad_request', 'variantAccuracy needs { dir, variants: string[], image }');
    }
    accuracyLoaded = true;
    return { cosine: await variantAccuracy(p.dir, p.variants, p.image), prompt: ACCURACY_PROMPT };
  },
  crash: async () => {
    if (process.env.SHOEBOX_WORKER_TEST_HOOKS !== '1') throw new WorkerError('bad_request', 'crash is a test hook');
    process.exit(70);
  },
};

function errorCode(e: unknown): { code: ErrorCode; message: string } {
  if (e instanceof WorkerError) return { code: e.code, message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  if (/bad_alloc|out of memory|Failed to allocate/i.test(message)) return { code: 'out_of_memory', message };
  return { code: 'internal', message };
}

async function runOne(req: RequestMessage, checkpoint: () => Promise<void>): Promise<void> {
  const cancel = cancels.get(req.id) ?? { cancelled: false };
  cancels.set(req.id, cancel);
  try {
    if (cancel.cancelled) throw new WorkerError('cancelled', 'request cancelled');
    const handler = handlers[req.method] as Handler<Method> | undefined;
    if (handler === undefined) throw new WorkerError('bad_request', `unknown method "${String(req.method)}"`);
    if (!isObject(req.params)) throw new WorkerError('bad_request', 'params must be an object');
    const stream = (chunk: StreamChunk): void => send({ type: 'stream', id: req.id, chunk });
    const result = await handler(req.params, { stream, cancel, checkpoint });
    const ran = RUNS_ROLE[req.method];
    if (ran !== undefined) reportMemory(ran, 'run');
    send({ type: 'result', id: req.id, result });
  } catch (e) {
    send({ type: 'error', id: req.id, error: errorCode(e) });
  } finally {
    cancels.delete(req.id);
  }
}

function onMessage(msg: unknown): void {
  if (!isWorkerRequest(msg)) return;
  if (msg.type === 'cancel') {
    const c = cancels.get(msg.id);
    if (c !== undefined) c.cancelled = true;
    else if (scheduler.has(msg.id)) cancels.set(msg.id, { cancelled: true });
    return;
  }
  if (msg.priority !== undefined && msg.priority !== 'interactive' && msg.priority !== 'background') {
    send({ type: 'error', id: msg.id, error: { code: 'bad_request', message: `unknown priority "${String(msg.priority)}"` } });
    return;
  }
  if (msg.method === 'embed' && msg.priority === undefined) msg.priority = embedLane(msg.params);
  scheduler.push(msg);
}

if (parentPort !== undefined) parentPort.on('message', (e) => onMessage(e.data));
else if (process.send !== undefined) {
  process.on('message', onMessage);
  process.on('disconnect', () => process.exit(0));
} else {
  process.stderr.write('native/worker.ts must be started by main (utilityProcess or child_process.fork)\n');
  process.exit(2);
}
process.title = 'shoebox-inference';
send({ type: 'ready', pid: process.pid });
