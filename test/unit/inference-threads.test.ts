/**
 * @file The inference worker's thread count ([Note: Changing the worker's threads]): the worker starts
 * with `SHOEBOX_THREADS` from the setting ('auto' leaves the environment alone); a new count replaces
 * the worker only once the running request is done, the requests made meanwhile wait and then run on
 * the new worker after the model is loaded again; setting the same count changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInference, type InferenceService, type WorkerThreads } from '../../main/inference/inference.service';
import { silentLog } from '../../main/log';
import type { ActiveBundle } from '../../main/models/manager';
import type { RequestMessage } from '../../native/protocol';
import { FakeWorker, tick } from './helpers/fake-worker';

const ACTIVE = {
  dir: '/models/m',
  manifest: { id: 'm', name: 'M', random_weights: false, files: [], variants: { fp32: {} } },
} as unknown as ActiveBundle;
const loaded = { id: 'm', variant: 'fp32', providers: { decoder: { chosen: 'cpu', tried: [] } } };
const caption = (text: string) => ({ text, tokenIds: [1], finishReason: 'stop', promptTokens: 3, numTiles: 1, timings: {} });

let envs: NodeJS.ProcessEnv[];
let inference: InferenceService;
const savedThreads = process.env['SHOEBOX_THREADS'];

function setup(threads?: WorkerThreads): void {
  FakeWorker.all = [];
  envs = [];
  inference = createInference({
    models: { activeBundle: () => ACTIVE, noModelReason: () => null },
    log: silentLog,
    spawn: (env) => {
      envs.push(env);
      return new FakeWorker();
    },
    ...(threads !== undefined ? { threads } : {}),
  });
}

/** Requests a worker got, by method. */
const requests = (w: FakeWorker): RequestMessage[] => w.received.filter((m): m is RequestMessage => m.type === 'request');
/** Waits for the worker's next unanswered request of `method`. */
async function next(w: FakeWorker, method: string, answered: Set<number>): Promise<RequestMessage> {
  for (let i = 0; i < 50; i++) {
    const m = requests(w).find((r) => r.method === method && !answered.has(r.id));
    if (m) {
      answered.add(m.id);
      return m;
    }
    await tick();
  }
  throw new Error(`no ${method} request reached worker ${w.pid}`);
}

beforeEach(() => {
  delete process.env['SHOEBOX_THREADS'];
});
afterEach(async () => {
  await inference.close();
  if (savedThreads === undefined) delete process.env['SHOEBOX_THREADS'];
  else process.env['SHOEBOX_THREADS'] = savedThreads;
});

describe('inference worker threads', () => {
  it("starts the worker with the setting's thread count, and leaves the environment alone for 'auto'", async () => {
    setup(3);
    const infoDone = inference.workerInfo();
    const w = FakeWorker.all[0]!;
    w.answer((await next(w, 'info', new Set())).id, { pid: 1 });
    await infoDone;
    expect(envs).toHaveLength(1);
    expect(envs[0]!['SHOEBOX_THREADS']).toBe('3');
    await inference.close();

    setup('auto');
    const info = inference.workerInfo();
    const w2 = FakeWorker.all[0]!;
    w2.answer((await next(w2, 'info', new Set())).id, { pid: 2 });
    await info;
    expect(envs[0]!).not.toHaveProperty('SHOEBOX_THREADS');
  });

  it('replaces the worker after the running request; requests made meanwhile wait and run on the new one', async () => {
    setup('auto');
    const old = new Set<number>();
    const first = inference.describe('/photos/a.jpg');
    const w1 = FakeWorker.all[0]!;
    w1.answer((await next(w1, 'load', old)).id, loaded);
    const running = await next(w1, 'caption', old);

    inference.setThreads(2);
    const second = inference.describe('/photos/b.jpg');
    for (let i = 0; i < 5; i++) await tick();
    // The running caption is not disturbed, and the new request did not go to the old worker.
    expect(FakeWorker.all).toHaveLength(1);
    expect(requests(w1).map((m) => m.method)).toEqual(['load', 'caption']);

    w1.answer(running.id, caption('a cat'));
    await expect(first).resolves.toMatchObject({ text: 'a cat' });

    // Now the old worker goes and a new one, with 2 threads, loads the model and runs the waiting request.
    const fresh = new Set<number>();
    for (let i = 0; i < 20 && FakeWorker.all.length < 2; i++) await tick();
    const w2 = FakeWorker.all[1]!;
    expect(envs.map((e) => e['SHOEBOX_THREADS'])).toEqual([undefined, '2']);
    w2.answer((await next(w2, 'load', fresh)).id, loaded);
    const c = await next(w2, 'caption', fresh);
    expect(c.params).toEqual({ image: { path: '/photos/b.jpg' } });
    w2.answer(c.id, caption('a dog'));
    await expect(second).resolves.toMatchObject({ text: 'a dog' });
    expect(requests(w1).map((m) => m.method)).toEqual(['load', 'caption']);
  });

  it('replaces an idle worker at once, and keeps it when the count does not change', async () => {
    setup(2);
    const one = inference.workerInfo();
    const w1 = FakeWorker.all[0]!;
    w1.answer((await next(w1, 'info', new Set())).id, { pid: 1 });
    await one;

    inference.setThreads(2);
    const two = inference.workerInfo();
    w1.answer((await next(w1, 'info', new Set([requests(w1)[0]!.id]))).id, { pid: 1 });
    await two;
    expect(FakeWorker.all).toHaveLength(1);

    inference.setThreads(1);
    const three = inference.workerInfo();
    for (let i = 0; i < 20 && FakeWorker.all.length < 2; i++) await tick();
    const w2 = FakeWorker.all[1]!;
    w2.answer((await next(w2, 'info', new Set())).id, { pid: 2 });
    await three;
    expect(envs.map((e) => e['SHOEBOX_THREADS'])).toEqual(['2', '1']);
  });
});
