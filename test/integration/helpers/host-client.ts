/**
 * @file Test helpers for the headless host: a host over echo handlers and a temp renderer, a plain HTTP
 * GET that keeps the Host header under the test's control, and a raw WebSocket client that writes
 * hand-made frames byte for byte. Used by test/integration/host-*.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRouter } from '../../../main/api/router';
import { createEventBus, type EventBus } from '../../../main/events';
import { startHost, type Host } from '../../../main/host/server';
import { silentLog } from '../../../main/log';
import type { MediaLookup } from '../../../main/media';
import { requestSchemas, type Handlers } from '../../../preload/contract';

export interface EchoHost {
  host: Host;
  events: EventBus;
  /** A temp folder the test may use for its own files. */
  base: string;
}

/** Starts a host whose every handler answers `{ method, args }`, over a tiny built renderer. */
export async function startEchoHost(media: (base: string) => MediaLookup): Promise<EchoHost> {
  const base = mkdtempSync(join(tmpdir(), 'shoebox-host-'));
  const renderer = join(base, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Shoebox</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  const handlers = Object.fromEntries(
    Object.keys(requestSchemas).map((k) => [k, (a: unknown) => ({ method: k, args: a })]),
  ) as unknown as Handlers;
  const events = createEventBus();
  const host = await startHost({
    router: createRouter(handlers, silentLog),
    events,
    media: media(base),
    rendererDir: renderer,
    log: silentLog,
  });
  return { host, events, base };
}

/** Starts a host that serves only media from `media` (a real library): no API handlers, no renderer. */
export function startMediaHost(media: MediaLookup, root: string): Promise<Host> {
  return startHost({
    router: createRouter({} as Handlers, silentLog), // the media route does not use the API
    events: createEventBus(),
    media,
    rendererDir: join(root, 'no-renderer'),
    log: silentLog,
  });
}

export interface Reply {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

/** GET (or another method) on the host, with `Host: 127.0.0.1:<port>` unless `headers` says otherwise. */
export function httpGet(host: Host, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: host.port, path, method, headers: { host: `127.0.0.1:${host.port}`, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The session cookie that the token trades for. */
export const cookieFor = (host: Host) => ({ cookie: `shoebox_token=${host.token}` });

/** One WebSocket frame, as a client (masked) or, with `mask: false`, as a misbehaving one. */
export function wsFrame(opts: { opcode: number; payload?: Buffer | string; fin?: boolean; rsv1?: boolean; mask?: boolean }): Buffer {
  const payload = typeof opts.payload === 'string' ? Buffer.from(opts.payload) : (opts.payload ?? Buffer.alloc(0));
  const mask = opts.mask ?? true;
  const n = payload.length;
  const head = [((opts.fin ?? true) ? 0x80 : 0) | (opts.rsv1 ? 0x40 : 0) | opts.opcode];
  const maskBit = mask ? 0x80 : 0;
  let len: Buffer;
  if (n < 126) len = Buffer.from([maskBit | n]);
  else if (n < 0x10000) {
    len = Buffer.alloc(3);
    len[0] = maskBit | 126;
    len.writeUInt16BE(n, 1);
  } else {
    len = Buffer.alloc(9);
    len[0] = maskBit | 127;
    len.writeBigUInt64BE(BigInt(n), 1);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), len, payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(head), len, key, masked]);
}

/** A WebSocket spoken by hand over TCP. */
export interface RawSocket {
  /** Writes bytes as they are. */
  write(bytes: Buffer): void;
  /** The next text frame the server sends. */
  nextText(): Promise<string>;
  /** The code in the server's close frame (null when the connection ended without one). */
  closed: Promise<number | null>;
  destroy(): void;
}

/** Opens `/api` on the host with the session cookie over a plain TCP socket and completes the handshake. */
export function rawSocket(host: Host): Promise<RawSocket> {
  return new Promise((resolveOpen, rejectOpen) => {
    const socket: Socket = connect(host.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const texts: string[] = [];
    const textWaiters: ((t: string) => void)[] = [];
    let settleClosed: (code: number | null) => void = () => {};
    const closed = new Promise<number | null>((r) => (settleClosed = r));
    // The server may reset a connection it gave up on while we are still writing: that is not a failure.
    socket.on('error', () => {});
    socket.on('close', () => {
      settleClosed(null);
      if (!upgraded) rejectOpen(new Error('connection closed during the handshake'));
    });
    /** Reads every complete server frame (unmasked, per RFC 6455) from the buffer. */
    const readFrames = () => {
      for (;;) {
        if (buf.length < 2) return;
        const opcode = buf[0]! & 0x0f;
        let n = buf[1]! & 0x7f;
        let at = 2;
        if (n === 126) {
          if (buf.length < 4) return;
          n = buf.readUInt16BE(2);
          at = 4;
        } else if (n === 127) {
          if (buf.length < 10) return;
          n = Number(buf.readBigUInt64BE(2));
          at = 10;
        }
        if (buf.length < at + n) return;
        const payload = buf.subarray(at, at + n);
        buf = buf.subarray(at + n);
        if (opcode === 0x8) settleClosed(payload.length >= 2 ? payload.readUInt16BE(0) : null);
        else if (opcode === 0x1) {
          const text = payload.toString('utf8');
          const waiter = textWaiters.shift();
          if (waiter) waiter(text);
          else texts.push(text);
        }
      }
    };
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) {
          rejectOpen(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
          socket.destroy();
          return;
        }
        upgraded = true;
        resolveOpen({
          write: (bytes) => void socket.write(bytes),
          nextText: () => new Promise((r) => (texts.length > 0 ? r(texts.shift()!) : textWaiters.push(r))),
          closed,
          destroy: () => socket.destroy(),
        });
      }
      readFrames();
    });
    socket.write(
      [
        'GET /api HTTP/1.1',
        `Host: 127.0.0.1:${host.port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        `Cookie: shoebox_token=${host.token}`,
        '',
        '',
      ].join('\r\n'),
    );
  });
}
