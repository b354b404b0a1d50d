/**
 * @file Decodes HEIC/HEIF off the main thread: heic-decode (libheif as wasm) takes about a second for a
 * 12 MP photo, all of it synchronous, so it runs in one lazily started worker thread.
 *
 * Runs in main (the worker itself is a small CommonJS script evaluated from a string, so it works the
 * same under tsx, vitest and the bundled app: no separate worker file to bundle or locate).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface HeicResult {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The worker: checks the pixel limit from the header before decoding, then transfers the RGBA bytes back. */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const decode = require(workerData.modulePath);
parentPort.on('message', async ({ id, buffer, limitPixels }) => {
  let images;
  try {
    images = await decode.all({ buffer: new Uint8Array(buffer) });
    const first = images[0];
    if (!first) throw new Error('the HEIC file holds no image');
    if (first.width * first.height > limitPixels) {
      parentPort.postMessage({ id, tooBig: { width: first.width, height: first.height } });
      return;
    }
    const { width, height, data } = await first.decode();
    parentPort.postMessage({ id, width, height, data }, [data.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  } finally {
    if (images) images.dispose();
  }
});
`;

type Reply = {
  id: number;
  width?: number;
  height?: number;
  data?: Uint8ClampedArray;
  error?: string;
  tooBig?: { width: number; height: number };
};

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (worker) return worker;
  const modulePath = createRequire(import.meta.url).resolve('heic-decode');
  const w = new Worker(workerSource, { eval: true, workerData: { modulePath } });
  w.on('message', (r: Reply) => {
    waiting.get(r.id)?.resolve(r);
    waiting.delete(r.id);
    if (waiting.size === 0) w.unref();
  });
  const fail = (err: Error) => {
    for (const p of waiting.values()) p.reject(err);
    waiting.clear();
    worker = null;
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`the HEIC decoder thread exited (code ${code})`)));
  worker = w;
  return w;
}

/** Decodes the first image of a HEIC/HEIF file. Throws with the decoder's message; `tooBig` when over the limit. */
export function decodeHeicOffThread(
  buffer: Buffer,
  limitPixels: number,
): Promise<HeicResult | { tooBig: { width: number; height: number } }> {
  const w = getWorker();
  w.ref();
  const id = nextId++;
  // Copy into a standalone ArrayBuffer we can transfer (a Buffer may share a pooled one).
  const copy = new Uint8Array(buffer.length);
  copy.set(buffer);
  return new Promise<Reply>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.postMessage({ id, buffer: copy.buffer, limitPixels }, [copy.buffer]);
  }).then((r) => {
    if (r.error !== undefined) throw new Error(r.error);
    if (r.tooBig) return { tooBig: r.tooBig };
    return { width: r.width!, height: r.height!, data: new Uint8Array(r.data!.buffer, r.data!.byteOffset, r.data!.byteLength) };
  });
}

/** Stops the decoder thread (tests, shutdown). */
export async function stopHeicWorker(): Promise<void> {
  const w = worker;
  worker = null;
  if (w) await w.terminate();
}
