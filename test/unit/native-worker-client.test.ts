/**
 * @file The worker client's crash policy with a scripted fake worker process (no onnxruntime):
 * load replay before retries, one retry for idempotent requests, clear failures otherwise, giving
 * up on crash loops, cancel and timeout messages.
 */
import { describe, expect, it } from 'vitest';
import { createWorkerClient, WorkerClientError, type WorkerProcess } from '../../main/inference/worker-client';
import type { WorkerRequest, WorkerResponse } from '../../native/protocol';

/** A fake worker: records what it receives; the test decides what it answers and when it dies. */
class FakeWorker implements WorkerProcess {
  static all: FakeWorker[] = [];
  readonly pid: number;
  received: WorkerRequest[] = [];
  private onMsg: ((m: unknown) => void) | null = null;
  private onEx: ((code: number | null, signal: string | null) => void)[] = [];
  constructor() {
    this.pid = 1000 + FakeWorker.all.length;
    FakeWorker.all.push(this);
    queueMicrotask(() => this.emit({ type: 'ready', pid: this.pid }));
  }
  send(msg: WorkerRequest): void {
    this.received.push(msg);
  }
  onMessage(l: (m: unknown) => void): void {
    this.onMsg = l;
  }
  onExit(l: (code: number | null, signal: string | null) => void): void {
    this.onEx.push(l);
  }
  kill(): void {
    this.die(null, 'SIGKILL');
  }
  emit(m: WorkerResponse): void {
    this.onMsg?.(m);
  }
  die(code: number | null, signal: string | null): void {
    const l = this.onEx;
    this.onEx = [];
    l.forEach((f) => f(code, signal));
  }
  answer(id: number, result: unknown): void {
    this.emit({ type: 'result', id, result } as WorkerResponse);
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

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
