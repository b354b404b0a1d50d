/**
 * The headless host on a real loopback socket: the token is required on every HTTP request and on
 * the WebSocket upgrade, the Host and Origin headers are checked, the token trades for a cookie, and
 * API frames round-trip through the router.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRouter } from '../../main/api/router';
import { createEventBus } from '../../main/events';
import { startHost, type Host } from '../../main/host/server';
import { silentLog } from '../../main/log';
import { requestSchemas, type Handlers } from '../../preload/contract';

let host: Host;
const events = createEventBus();
let photoDir: string;

function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers: { host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const cookie = () => ({ cookie: `shoebox_token=${host.token}` });

function openSocket(headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  const base = mkdtempSync(join(tmpdir(), 'shoebox-host-'));
  const renderer = join(base, 'renderer');
  photoDir = join(base, 'photos');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  mkdirSync(photoDir);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Shoebox</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(photoDir, 'p.jpg'), 'jpeg-bytes');
  const handlers = Object.fromEntries(
    Object.keys(requestSchemas).map((k) => [k, (a: unknown) => ({ method: k, args: a })]),
  ) as unknown as Handlers;
  host = await startHost({
    router: createRouter(handlers, silentLog),
    events,
    media: { folderRoot: (id) => (id === 1 ? photoDir : null), cachePath: () => null },
    rendererDir: renderer,
    log: silentLog,
  });
});
afterAll(() => host.close());

describe('headless host', () => {
  it('listens on loopback and prints a URL with the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it.each(['/', '/index.html', '/assets/app.js', '/media/original/1/p.jpg', '/anything'])('refuses %s without the token', async (path) => {
    const r = await get(path);
    expect(r.status).toBe(401);
    expect(r.body).not.toContain('jpeg-bytes');
  });

  it('refuses a wrong token', async () => {
    expect((await get('/?token=nope')).status).toBe(401);
    expect((await get('/', { cookie: 'shoebox_token=nope' })).status).toBe(401);
  });

  it('trades the token in the URL for an HttpOnly cookie and a clean redirect', async () => {
    const r = await get(`/?token=${host.token}`);
    expect(r.status).toBe(303);
    expect(r.headers['location']).toBe('/');
    expect(String(r.headers['set-cookie'])).toMatch(/shoebox_token=.+; HttpOnly; SameSite=Strict/);
  });

  it('serves the renderer, media and a CSP with the cookie or a bearer token', async () => {
    const page = await get('/', cookie());
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Shoebox</title>');
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'self'");
    expect((await get('/assets/app.js', { authorization: `Bearer ${host.token}` })).status).toBe(200);
    const photo = await get('/media/original/1/p.jpg', cookie());
    expect(photo).toMatchObject({ status: 200, body: 'jpeg-bytes' });
    expect(photo.headers['content-type']).toBe('image/jpeg');
    expect((await get('/media/original/1/..%2F..%2Fetc%2Fpasswd', cookie())).status).toBe(400);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin', async () => {
    expect((await get('/', { ...cookie(), host: 'evil.example:80' })).status).toBe(403);
    expect((await get('/', { ...cookie(), origin: 'http://evil.example' })).status).toBe(403);
  });

  it('refuses the WebSocket without the token or from another origin', async () => {
    await expect(openSocket({})).rejects.toThrow('HTTP 401');
    await expect(openSocket({ ...cookie(), origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
  });

  it('round-trips API calls and pushes events over the WebSocket', async () => {
    const ws = await openSocket({ ...cookie(), origin: `http://127.0.0.1:${host.port}` });
    const frames: unknown[] = [];
    ws.on('message', (d: Buffer) => frames.push(JSON.parse(d.toString('utf8'))));
    ws.send(JSON.stringify({ id: 1, method: 'photos:get', args: { id: 3 } }));
    ws.send(JSON.stringify({ id: 2, method: 'photos:get', args: { id: -3 } }));
    ws.send('not json');
    await new Promise((r) => setTimeout(r, 100));
    events.emit('app:warning', { code: 'x', message: 'hello' });
    await new Promise((r) => setTimeout(r, 100));
    ws.close();
    expect(frames).toContainEqual({ id: 1, ok: true, result: { method: 'photos:get', args: { id: 3 } } });
    expect(frames).toContainEqual(expect.objectContaining({ id: 2, ok: false, error: expect.objectContaining({ code: 'bad-argument' }) }));
    expect(frames).toContainEqual(expect.objectContaining({ id: null, ok: false }));
    expect(frames).toContainEqual({ event: 'app:warning', payload: { code: 'x', message: 'hello' } });
  });
});
