/**
 * The headless host's API socket against bad frames, written byte for byte over raw TCP: each one closes
 * only its own socket, with the close code RFC 6455 names for it, or gets an error reply, and the host
 * keeps answering everyone else. See [Note: Host socket frames] in main/host/api-socket.ts.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MAX_API_MESSAGE_BYTES } from '../../main/host/api-socket';
import { cookieFor, rawSocket, startEchoHost, wsFrame, type EchoHost } from './helpers/host-client';

let h: EchoHost;

beforeAll(async () => {
  h = await startEchoHost(() => ({
    folderRoot: () => null,
    isIndexed: () => false,
    cachePath: () => null,
    ensurePreview: () => Promise.resolve({ ok: false, status: 404, reason: 'no previews here' }),
  }));
});
afterAll(() => h.host.close());

const TEXT = 0x1;
const BINARY = 0x2;
const CONTINUATION = 0x0;
const CLOSE = 0x8;
const PING = 0x9;

const closeWith = (code: number) => {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return wsFrame({ opcode: CLOSE, payload });
};

/** A request frame as the renderer sends it. */
const call = (id: number) => wsFrame({ opcode: TEXT, payload: JSON.stringify({ id, method: 'photos:get', args: { id: 3 } }) });

/** The host still serves: a fresh socket round-trips a call. */
async function roundTrip(): Promise<unknown> {
  const ws = await rawSocket(h.host);
  ws.write(call(7));
  const reply: unknown = JSON.parse(await ws.nextText());
  ws.destroy();
  return reply;
}

describe('host WebSocket fuzz', () => {
  it.each([
    ['a message over the payload limit', () => wsFrame({ opcode: TEXT, payload: Buffer.alloc(2 * 1024 * 1024, 0x20) }), 1009],
    ['invalid UTF-8 in a text frame', () => wsFrame({ opcode: TEXT, payload: Buffer.from([0x22, 0xff, 0xfe, 0x22]) }), 1007],
    ['an unmasked frame', () => wsFrame({ opcode: TEXT, payload: '{}', mask: false }), 1002],
    ['RSV1 without a negotiated extension', () => wsFrame({ opcode: TEXT, payload: '{}', rsv1: true }), 1002],
    ['a reserved opcode', () => wsFrame({ opcode: 0x3, payload: '{}' }), 1002],
    ['a bare continuation frame', () => wsFrame({ opcode: CONTINUATION, payload: '{}' }), 1002],
    ['a ping over 125 bytes', () => wsFrame({ opcode: PING, payload: Buffer.alloc(126) }), 1002],
    ['close code 999', () => closeWith(999), 1002],
    ['a binary frame', () => wsFrame({ opcode: BINARY, payload: JSON.stringify({ id: 1, method: 'app:info' }) }), 1003],
  ])('closes the socket on %s with %i and keeps serving', async (_name, frame, code) => {
    const ws = await rawSocket(h.host);
    ws.write(frame());
    expect(await ws.closed).toBe(code);
    ws.destroy();
    expect(await roundTrip()).toEqual({ id: 7, ok: true, result: { method: 'photos:get', args: { id: 3 } } });
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', '"photos:get"'],
    ['an array', '[1, "photos:get", {}]'],
    ['ill-formed JSON', '{"id": 1, "method": '],
    ['an object without a method', '{"id": 4}'],
    ['an object with a method of the wrong type', '{"id": 4, "method": 12}'],
    ['an object with an unexpected key', '{"id": 4, "method": "photos:get", "args": {"id": 3}, "admin": true}'],
    ['an object with an object id', '{"id": {"x": 1}, "method": "photos:get"}'],
  ])('answers %s with an error reply on a socket that stays usable', async (_name, text) => {
    const ws = await rawSocket(h.host);
    ws.write(wsFrame({ opcode: TEXT, payload: String(text) }));
    const reply = JSON.parse(await ws.nextText()) as { id: unknown; ok: boolean; error: { code: string } };
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad-argument' } });
    // The caller learns which call failed when its id was readable.
    expect(reply.id).toBe(/"id": 4/.test(String(text)) ? 4 : null);
    ws.write(call(8));
    expect(JSON.parse(await ws.nextText())).toMatchObject({ id: 8, ok: true });
    ws.destroy();
  });

  it('closes a normal client that sends 2 MB with 1009 and keeps serving', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${h.host.port}/api`, { headers: cookieFor(h.host) });
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.on('error', () => {}); // the client may see the reset of a send the host stopped reading
    ws.send('x'.repeat(2 * 1024 * 1024));
    expect(await closed).toBe(1009);
    expect(await roundTrip()).toMatchObject({ id: 7, ok: true });
  });

  it('accepts the largest request the contract allows', async () => {
    // library:addFolder's path: 4096 UTF-16 units, each a lone surrogate that JSON writes as 6 bytes.
    const path = '\ud800'.repeat(4096);
    const text = JSON.stringify({ id: 9, method: 'library:addFolder', args: { path } });
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_API_MESSAGE_BYTES);
    const ws = await rawSocket(h.host);
    ws.write(wsFrame({ opcode: TEXT, payload: text }));
    expect(JSON.parse(await ws.nextText())).toEqual({ id: 9, ok: true, result: { method: 'library:addFolder', args: { path } } });
    ws.destroy();
  });

  it('survives clients that reset the connection while the upgrade is refused', async () => {
    for (let i = 0; i < 20; i++) {
      const socket = connect(h.host.port, '127.0.0.1');
      socket.on('error', () => {});
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.write(
        `GET /api HTTP/1.1\r\nHost: 127.0.0.1:${h.host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      socket.resetAndDestroy();
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(await roundTrip()).toMatchObject({ id: 7, ok: true });
  });
});
