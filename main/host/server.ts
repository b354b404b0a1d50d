/**
 * @file The headless host: serves the built renderer, the API over WebSocket and media over HTTP on
 * 127.0.0.1 only. The same services and contract as the Electron app; used by `shoebox serve`, by
 * `npm start` where Electron's binary is missing, and by the end-to-end tests.
 *
 * [Note: Host authentication] A random token is made per launch and printed in the URL. Every HTTP
 * request and the WebSocket upgrade must carry it: as `?token=` (the first page load, which then sets an
 * HttpOnly SameSite=Strict cookie and redirects to the clean URL), as that cookie, or as
 * `Authorization: Bearer`. The Host header must name the loopback address we listen on (no DNS
 * rebinding), and an Origin header, when present, must be our own origin (no cross-site WebSocket).
 *
 * [Note: Same-origin redirect] The redirect after the token trade goes to a path on this host only. The
 * URL parser turns `/.//evil.com/` and `/\evil.com` into the pathname `//evil.com/`, which a browser
 * reads as a scheme-relative URL to another site, so `sameOriginPath` collapses leading slashes to one
 * and checks that the result resolves to our own origin. The Location stays relative so a page opened
 * as `localhost:<port>` keeps the host its cookie was set for.
 *
 * The API socket's own defences (bad frames close one socket, never the host) are [Note: Host socket
 * frames] in api-socket.ts.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Log } from '../log';
import { resolveMedia, type MediaLookup } from '../media';
import type { Router } from '../api/router';
import type { EventBus } from '../events';
import { MAX_API_MESSAGE_BYTES, serveApiSocket } from './api-socket';

export interface HostOptions {
  router: Router;
  events: EventBus;
  media: MediaLookup;
  /** Folder with the built renderer (index.html and assets). */
  rendererDir: string;
  port?: number;
  /** Fixed token (tests); random by default. */
  token?: string;
  log: Log;
}

export interface Host {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const COOKIE = 'shoebox_token';
const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};
/** The same policy as the Electron window's (main/window.ts), with the WebSocket origin allowed. */
const csp = (origin: string) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "media-src 'self'",
    `connect-src 'self' ${origin.replace(/^http/, 'ws')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The path and query of `url` as a Location that can only stay on `origin` (see [Note: Same-origin
 * redirect]): never `//host` or `/\host`, and `/` if anything else would leave the origin.
 */
export function sameOriginPath(url: URL, origin: string): string {
  const path = '/' + url.pathname.replace(/^[/\\]+/, '') + url.search;
  return new URL(path, origin).origin === new URL(origin).origin ? path : '/';
}

function cookieToken(req: IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v) return v;
  }
  return null;
}

/** Starts the host and resolves once it listens. */
export async function startHost(opts: HostOptions): Promise<Host> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const rendererDir = resolve(opts.rendererDir);
  const log = opts.log;
  let origin = '';
  let hosts: string[] = [];

  const authorized = (req: IncomingMessage, url: URL): 'ok' | 'query' | 'no' => {
    const q = url.searchParams.get('token');
    if (q !== null && safeEqual(q, token)) return 'query';
    const c = cookieToken(req);
    if (c !== null && safeEqual(c, token)) return 'ok';
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ') && safeEqual(auth.slice(7), token)) return 'ok';
    return 'no';
  };
  /** Host and Origin checks; returns a reason when the request must be refused. */
  const badOrigin = (req: IncomingMessage): string | null => {
    if (!hosts.includes(req.headers.host ?? '')) return 'unexpected Host header';
    const o = req.headers.origin;
    if (o !== undefined && o !== origin && o !== origin.replace('127.0.0.1', 'localhost')) return 'cross-origin request';
    return null;
  };

  const send = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body + '\n');
  };

  const serveFile = async (res: ServerResponse, file: string, type: string, cache: string, method: string) => {
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) return send(res, 404, 'Not found');
    res.writeHead(200, {
      'content-type': type,
      'content-length': st.size,
      'cache-control': cache,
      'x-content-type-options': 'nosniff',
    });
    if (method === 'HEAD') return res.end();
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    const refusal = badOrigin(req);
    if (refusal) return send(res, 403, `Forbidden: ${refusal}`);
    const auth = authorized(req, url);
    if (auth === 'no')
      return send(res, 401, 'Unauthorized: open the URL that Shoebox printed where it was started (it carries the access token).');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed');
    if (auth === 'query') {
      // Trade the token in the URL for a cookie, so it does not linger in history or get copied around.
      url.searchParams.delete('token');
      res.writeHead(303, {
        location: sameOriginPath(url, origin),
        'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
      });
      return res.end();
    }
    if (url.pathname.startsWith('/media/')) {
      const r = await resolveMedia(url.pathname.slice('/media/'.length), opts.media);
      if (!r.ok) return send(res, r.status, r.reason);
      return serveFile(res, r.file, r.mime, 'private, max-age=3600', req.method);
    }
    // Static renderer files; anything that is not a file falls back to index.html (client routing).
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, 'Bad path');
    }
    const file = resolve(join(rendererDir, rel));
    const inside = file.startsWith(rendererDir + sep);
    const st = inside ? await stat(file).catch(() => null) : null;
    if (st?.isFile()) {
      const type = STATIC_TYPES[extname(file)] ?? 'application/octet-stream';
      return serveFile(res, file, type, rel.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache', req.method);
    }
    const index = join(rendererDir, 'index.html');
    res.setHeader('content-security-policy', csp(origin));
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'no-referrer');
    return serveFile(res, index, STATIC_TYPES['.html']!, 'no-cache', req.method);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error('request failed', { err, url: req.url });
      if (!res.headersSent) send(res, 500, 'Internal error');
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_API_MESSAGE_BYTES });
  const clients = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    // Node drops its own 'error' listener from a socket it hands to 'upgrade'; without one, a client that
    // resets while we refuse it (or mid-handshake) throws ECONNRESET out of the process.
    socket.on('error', (err) => log.debug('upgrade socket error', { err: err.message }));
    const url = new URL(req.url ?? '/', origin);
    const refusal =
      badOrigin(req) ?? (authorized(req, url) === 'no' ? 'unauthorized' : null) ?? (url.pathname !== '/api' ? 'not found' : null);
    if (refusal) {
      const status = refusal === 'unauthorized' ? '401 Unauthorized' : refusal === 'not found' ? '404 Not Found' : '403 Forbidden';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });
  wss.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    serveApiSocket(ws, opts.router, log);
  });
  const unsubscribe = opts.events.onAny((event, payload) => {
    const frame = JSON.stringify({ event, payload });
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  hosts = [`127.0.0.1:${port}`, `localhost:${port}`];

  return {
    url: `${origin}/?token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
