/**
 * @file Unit tests of the renderer's API client: the WebSocket transport (frames, errors, events,
 * reconnect with backoff, calls failing when the socket drops) against a fake socket, and the Electron
 * bridge transport against a fake bridge.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../preload/api-error';
import type { ApiErrorCode, Bridge, JobsStatus } from '../../preload/contract';
import { createBridgeClient, createSocketClient, errorMessage, socketUrl } from '../../renderer/src/api';
import type { SocketLike } from '../../renderer/src/api-socket';

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: { id: number; method: string; args: unknown }[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as { id: number; method: string; args: unknown });
  }
  close(): void {
    this.drop();
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '' });
  }
  push(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

const status: JobsStatus = { paused: false, blockedReason: null, steps: [], photos: 3, missing: 0, errors: 0 };

function makeClient() {
  return createSocketClient({
    url: 'ws://host/api',
    createSocket: (url) => new FakeSocket(url),
    initialBackoffMs: 100,
    maxBackoffMs: 800,
    connectWaitMs: 1000,
  });
}
const last = () => FakeSocket.all[FakeSocket.all.length - 1]!;

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('socket transport', () => {
  it('derives ws/wss from the page URL', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:8123' })).toBe('ws://127.0.0.1:8123/api');
    expect(socketUrl({ protocol: 'https:', host: 'box.local' })).toBe('wss://box.local/api');
  });

  it('sends a frame and resolves with the matching result', async () => {
    const client = makeClient();
    last().open();
    const p = client.call('photos:page', { offset: 0, limit: 10 });
    expect(last().sent).toEqual([{ id: 1, method: 'photos:page', args: { offset: 0, limit: 10 } }]);
    last().push({ id: 1, ok: true, result: { items: [], total: 0, offset: 0 } });
    await expect(p).resolves.toEqual({ items: [], total: 0, offset: 0 });
  });

  it('answers out of order by id', async () => {
    const client = makeClient();
    last().open();
    const a = client.call('jobs:status', {});
    const b = client.call('library:folders', {});
    last().push({ id: 2, ok: true, result: [] });
    last().push({ id: 1, ok: true, result: status });
    await expect(b).resolves.toEqual([]);
    await expect(a).resolves.toEqual(status);
  });

  it('rejects with a typed ApiError carrying code and issues', async () => {
    const client = makeClient();
    last().open();
    const p = client.call('library:addFolder', { path: '/nope' });
    last().push({
      id: 1,
      ok: false,
      error: { code: 'not-found', message: 'No folder at /nope', issues: [{ path: 'path', message: 'does not exist' }] },
    });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('not-found');
    expect((err as ApiError).issues).toEqual([{ path: 'path', message: 'does not exist' }]);
    expect(errorMessage(err)).toBe('No folder at /nope (path: does not exist)');
  });

  it('maps an unknown error code to internal', async () => {
    const client = makeClient();
    last().open();
    const p = client.call('jobs:status', {});
    last().push({ id: 1, ok: false, error: { code: 'weird', message: 'boom' } });
    await expect(p).rejects.toMatchObject({ code: 'internal', message: 'boom' });
  });

  it('keeps every error code of the contract, cancelled included', async () => {
    // A Record, so a code added to the contract fails to compile here until it is listed.
    const codes: Record<ApiErrorCode, true> = {
      'bad-argument': true,
      'unknown-method': true,
      'not-found': true,
      conflict: true,
      unavailable: true,
      unauthorized: true,
      cancelled: true,
      internal: true,
    };
    const client = makeClient();
    last().open();
    for (const [i, code] of Object.keys(codes).entries()) {
      const p = client.call('jobs:status', {});
      last().push({ id: i + 1, ok: false, error: { code, message: `failed with ${code}` } });
      await expect(p).rejects.toMatchObject({ code, message: `failed with ${code}` });
    }
    // Only the codes themselves: not a name every object has.
    const p = client.call('jobs:status', {});
    last().push({ id: Object.keys(codes).length + 1, ok: false, error: { code: 'constructor', message: 'odd' } });
    await expect(p).rejects.toMatchObject({ code: 'internal', message: 'odd' });
  });

  it('delivers pushed events to listeners of that event only, until unsubscribed', () => {
    const client = makeClient();
    last().open();
    const progress = vi.fn();
    const changed = vi.fn();
    const off = client.on('jobs:progress', progress);
    client.on('library:changed', changed);
    last().push({ event: 'jobs:progress', payload: status });
    expect(progress).toHaveBeenCalledWith(status);
    expect(changed).not.toHaveBeenCalled();
    off();
    last().push({ event: 'jobs:progress', payload: status });
    expect(progress).toHaveBeenCalledTimes(1);
  });

  it('ignores frames that are not JSON or answer nothing pending', () => {
    const client = makeClient();
    last().open();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    last().onmessage?.({ data: 'not json' });
    last().push({ id: 99, ok: true, result: 1 });
    expect(warn).toHaveBeenCalledOnce();
    expect(client.connectionState()).toBe('open');
  });

  it('queues calls made before the socket opens and sends them on open', async () => {
    const client = makeClient();
    const p = client.call('app:info', {});
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent.map((f) => f.method)).toEqual(['app:info']);
    last().push({ id: 1, ok: true, result: { name: 'Shoebox' } });
    await expect(p).resolves.toEqual({ name: 'Shoebox' });
  });

  it('fails a queued call with unavailable when no connection comes', async () => {
    const client = makeClient();
    const p = client.call('app:info', {});
    const caught = p.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1001);
    const err = await caught;
    expect(err).toMatchObject({ code: 'unavailable' });
    expect((err as Error).message).toMatch(/not reachable/);
  });

  it('fails in-flight calls at once when the socket drops, then reconnects with growing backoff', async () => {
    const client = makeClient();
    const states: string[] = [];
    client.onConnection((s) => states.push(s));
    last().open();
    const p = client.call('library:rescan', {});
    last().drop();
    await expect(p).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/dropped before "library:rescan"/) });
    expect(client.connectionState()).toBe('reconnecting');
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeSocket.all).toHaveLength(2);
    last().drop(); // second attempt fails: next wait is about 200 ms
    await vi.advanceTimersByTimeAsync(120);
    expect(FakeSocket.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeSocket.all).toHaveLength(3);
    last().open();
    expect(states).toEqual(['open', 'reconnecting', 'open']);
    const q = client.call('jobs:status', {});
    last().push({ id: last().sent[0]!.id, ok: true, result: status });
    await expect(q).resolves.toEqual(status);
  });

  it('caps the backoff', async () => {
    makeClient();
    for (let i = 0; i < 6; i++) {
      last().drop();
      await vi.advanceTimersByTimeAsync(800);
    }
    expect(FakeSocket.all).toHaveLength(7);
  });

  it('close() fails everything pending and stops reconnecting', async () => {
    const client = makeClient();
    last().open();
    const p = client.call('jobs:status', {});
    client.close();
    await expect(p).rejects.toMatchObject({ code: 'unavailable' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.all).toHaveLength(1);
    await expect(client.call('jobs:status', {})).rejects.toMatchObject({ code: 'unavailable' });
  });
});

describe('bridge transport', () => {
  function fakeBridge(reply: Awaited<ReturnType<Bridge['invoke']>> | Error) {
    let listener: ((event: string, payload: unknown) => void) | null = null;
    const invoke = vi.fn(async (_method: string, _args: unknown) => {
      if (reply instanceof Error) throw reply;
      return reply;
    });
    const bridge: Bridge = {
      invoke,
      subscribe: (l) => {
        listener = l;
        return () => (listener = null);
      },
      pickFolder: vi.fn(async () => '/photos'),
    };
    return { bridge, invoke, emit: (e: string, p: unknown) => listener?.(e, p) };
  }

  it('resolves ok results and passes method and args through', async () => {
    const { bridge, invoke } = fakeBridge({ ok: true, result: status });
    const client = createBridgeClient(bridge);
    await expect(client.call('jobs:status', {})).resolves.toEqual(status);
    expect(invoke).toHaveBeenCalledWith('jobs:status', {});
    expect(client.transport).toBe('electron');
    await expect(client.pickFolder?.()).resolves.toBe('/photos');
  });

  it('throws ApiError.fromDto for an error reply and wraps IPC failures', async () => {
    const client = createBridgeClient(fakeBridge({ ok: false, error: { code: 'conflict', message: 'overlaps /a' } }).bridge);
    await expect(client.call('library:addFolder', { path: '/a/b' })).rejects.toMatchObject({ code: 'conflict', message: 'overlaps /a' });
    const broken = createBridgeClient(fakeBridge(new Error('channel closed')).bridge);
    await expect(broken.call('jobs:status', {})).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringMatching(/channel closed/),
    });
  });

  it('fans events out by name', () => {
    const { bridge, emit } = fakeBridge({ ok: true, result: null });
    const client = createBridgeClient(bridge);
    const seen = vi.fn();
    client.on('app:warning', seen);
    emit('jobs:progress', status);
    emit('app:warning', { code: 'watch-limit', message: 'polling' });
    expect(seen).toHaveBeenCalledExactlyOnceWith({ code: 'watch-limit', message: 'polling' });
  });
});
