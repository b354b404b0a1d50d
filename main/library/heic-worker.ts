/**
 * @file Decodes HEIC/HEIF off the main thread: heic-decode (libheif as wasm) takes about a second for a
 * 12 MP photo, all of it synchronous, so it runs in a small pool of lazily started worker threads.
 *
 * Runs in main (the worker itself is a small CommonJS script evaluated from a string, so it works the
 * same under tsx, vitest and the bundled app: no separate worker file to bundle or locate).
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
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

interface Slot {
  worker: Worker;
  waiting: Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>;
}

/** One decoder thread per two cores, at most 3: each holds a full decoded photo in memory while it works. */
const POOL = Math.max(1, Math.min(3, Math.floor(availableParallelism() / 2)));
const slots: (Slot | null)[] = Array.from({ length: POOL }, () => null);
let nextId = 1;

function slotAt(i: number): Slot {
  const existing = slots[i];
  if (existing) return existing;
  const modulePath = createRequire(import.meta.url).resolve('heic-decode');
  const worker = new Worker(workerSource, { eval: true, workerData: { modulePath } });
  const slot: Slot = { worker, waiting: new Map() };
  worker.on('message', (r: Reply) => {
    slot.waiting.get(r.id)?.resolve(r);
    slot.waiting.delete(r.id);
    if (slot.waiting.size === 0) worker.unref();
  });
  const fail = (err: Error) => {
    for (const p of slot.waiting.values()) p.reject(err);
    slot.waiting.clear();
    if (slots[i] === slot) slots[i] = null;
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the HEIC decoder thread exited (code ${code})`)));
  slots[i] = slot;
  return slot;
}

/** The least busy decoder thread (started on first use). */
function pick(): Slot {
  let best = 0;
  for (let i = 1; i < POOL; i++) if ((slots[i]?.waiting.size ?? 0) < (slots[best]?.waiting.size ?? 0)) best = i;
  return slotAt(best);
}

/** Decodes the first image of a HEIC/HEIF file. Throws with the decoder's message; `tooBig` when over the limit. */
export function decodeHeicOffThread(
  buffer: Buffer,
  limitPixels: number,
): Promise<HeicResult | { tooBig: { width: number; height: number } }> {
  const slot = pick();
  slot.worker.ref();
  const id = nextId++;
  // Copy into a standalone ArrayBuffer we can transfer (a Buffer may share a pooled one).
  const copy = new Uint8Array(buffer.length);
  copy.set(buffer);
  return new Promise<Reply>((resolve, reject) => {
    slot.waiting.set(id, { resolve, reject });
    slot.worker.postMessage({ id, buffer: copy.buffer, limitPixels }, [copy.buffer]);
  }).then((r) => {
    if (r.error !== undefined) throw new Error(r.error);
    if (r.tooBig) return { tooBig: r.tooBig };
    return { width: r.width!, height: r.height!, data: new Uint8Array(r.data!.buffer, r.data!.byteOffset, r.data!.byteLength) };
  });
}

/** Stops the decoder threads (tests, shutdown). */
export async function stopHeicWorker(): Promise<void> {
  const all = slots.splice(0, slots.length, ...slots.map(() => null));
  await Promise.all(all.filter((s): s is Slot => s !== null).map((s) => s.worker.terminate()));
}
