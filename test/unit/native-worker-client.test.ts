/**
 * @file The worker client's crash policy with a scripted fake worker process (no onnxruntime):
 * load replay before retries, one retry for idempotent requests, clear failures otherwise, giving
 * up on crash loops, cancel and timeout messages; priorities and model roles on the wire.
 */
import { describe, expect, it } from 'vitest';
import { createWorkerClient, WorkerClientError } from '../../main/inference/worker-client';
import { FakeWorker, tick } from './helpers/fake-worker';

function setup(maxRestarts = 3) {
  FakeWorker.all = [];
  const client = createWorkerClient({ spawn: () => new FakeWorker(), maxRestarts });
  return { client, w: () => FakeWorker.all[FakeWorker.all.length - 1]! };
}

describe('worker client crash policy', () => {
  it('replays the last load, then retries an idempotent request once', async () => {
    const { client, w } = setup();
    const load = client.request('load', { dir: '/m' });
    await tick();
    w().answer(w().received[0]!.id, { id: 'm' });
    await load;
    const cap = client.request('classify', { image: { path: '/a.png' }, labels: ['x'] });
    await tick();
    const first = w();
    first.die(null, 'SIGKILL');
    await tick();
    const second = w();
    expect(second).not.toBe(first);
    expect(second.received.map((m) => (m.type === 'request' ? m.method : 'cancel'))).toEqual(['load', 'classify']);
    const retried = second.received[1]!;
    second.answer(retried.id, { scores: [] });
    await expect(cap).resolves.toEqual({ scores: [] });
    expect(client.restarts).toBe(1);
    await client.close();
  });

  it('fails non-idempotent and already-streaming requests with worker_crashed', async () => {
    const { client, w } = setup();
    const chat = client.request('chat', { sessionId: 's', message: 'hi' });
    const chunks: string[] = [];
    const cap = client.request('caption', { image: { path: '/a.png' } }, { onChunk: (c) => chunks.push(c.text) });
    await tick();
    const capId = w().received[1]!.id;
    w().emit({ type: 'stream', id: capId, chunk: { text: 'a', tokenIds: [1] } });
    w().die(137, null);
    for (const p of [chat, cap]) {
      const e = await p.catch((x: unknown) => x);
      expect(e).toBeInstanceOf(WorkerClientError);
      expect((e as WorkerClientError).code).toBe('worker_crashed');
      expect((e as Error).message).toMatch(/exit code 137/);
    }
    expect(chunks).toEqual(['a']);
    await client.close();
  });

  it('gives up after too many crashes in a minute', async () => {
    const { client, w } = setup(2);
    for (let i = 0; i < 3; i++) {
      await tick();
      w().die(1, null);
    }
    const e = await client.request('info', {}).catch((x: unknown) => x);
    expect((e as WorkerClientError).code).toBe('worker_crashed');
    expect((e as Error).message).toMatch(/crashed 3 times/);
    await client.close();
  });

  it('sends cancel on abort and on timeout', async () => {
    const { client, w } = setup();
    const ac = new AbortController();
    const p = client.request('caption', { image: { path: '/a.png' } }, { signal: ac.signal });
    await tick();
    const id = w().received[0]!.id;
    ac.abort();
    expect(w().received[1]).toEqual({ type: 'cancel', id });
    w().emit({ type: 'error', id, error: { code: 'cancelled', message: 'request cancelled' } });
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    const t = client.request('info', {}, { timeoutMs: 5 });
    await expect(t).rejects.toMatchObject({ code: 'timeout' });
    expect(w().received.at(-1)).toMatchObject({ type: 'cancel' });
    await client.close();
  });
});

describe('worker client lanes and roles', () => {
  it('sends every request at once with its priority, none when the caller gave none', async () => {
    const { client, w } = setup();
    const bg = [1, 2, 3].map(() => client.request('classify', { image: { path: '/a.png' }, labels: ['x'] }, { priority: 'background' }));
    const ia = client.request('caption', { image: { path: '/b.png' } }, { priority: 'interactive' });
    const plain = client.request('info', {});
    await tick();
    // No queue in main: the interactive request reaches the worker while the background ones still run.
    const sent = w().received.filter((m) => m.type === 'request');
    expect(sent.map((m) => [m.method, m.priority])).toEqual([
      ['classify', 'background'],
      ['classify', 'background'],
      ['classify', 'background'],
      ['caption', 'interactive'],
      ['info', undefined],
    ]);
    expect('priority' in sent[4]!).toBe(false);
    for (const m of sent.slice(3)) w().answer(m.id, {});
    await Promise.all([ia, plain]);
    for (const m of sent.slice(0, 3)) w().answer(m.id, { scores: [] });
    await Promise.all(bg);
    await client.close();
  });

  it('replays the last load of every role after a crash, then retries in the original lanes', async () => {
    const { client, w } = setup();
    for (const params of [{ dir: '/vlm' }, { dir: '/emb', role: 'text-embedder' as const }]) {
      const p = client.request('load', params);
      await tick();
      w().answer(w().received.at(-1)!.id, { id: params.dir });
      await p;
    }
    const bg = client.request('classify', { image: { path: '/a.png' }, labels: ['x'] }, { priority: 'background' });
    const ia = client.request('info', {}, { priority: 'interactive' });
    await tick();
    w().die(null, 'SIGKILL');
    await tick();
    const sent = w().received.filter((m) => m.type === 'request');
    expect(sent.map((m) => [m.method, m.params, m.priority])).toEqual([
      ['load', { dir: '/vlm' }, undefined],
      ['load', { dir: '/emb', role: 'text-embedder' }, undefined],
      ['classify', { image: { path: '/a.png' }, labels: ['x'] }, 'background'],
      ['info', {}, 'interactive'],
    ]);
    w().answer(sent[3]!.id, { pid: 1 });
    w().answer(sent[2]!.id, { scores: [] });
    await expect(Promise.all([bg, ia])).resolves.toEqual([{ scores: [] }, { pid: 1 }]);

    // Unloading a role stops its replay; the other role's still happens.
    const un = client.request('unload', { role: 'text-embedder' });
    await tick();
    w().answer(w().received.at(-1)!.id, { unloaded: true });
    await un;
    w().die(1, null);
    await tick();
    expect(w().received.map((m) => (m.type === 'request' ? [m.method, m.params] : m.type))).toEqual([['load', { dir: '/vlm' }]]);
    await client.close();
  });
});
