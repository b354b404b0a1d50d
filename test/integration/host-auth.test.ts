/**
 * The headless host on a real loopback socket: the token is required on every HTTP request and on
 * the WebSocket upgrade, the Host and Origin headers are checked, the token trades for a cookie and a
 * same-origin redirect, media serves indexed files only, and API frames round-trip through the router.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EventBus } from '../../main/events';
import type { Host } from '../../main/host/server';
import { cookieFor, httpGet, startEchoHost } from './helpers/host-client';

let host: Host;
let events: EventBus;

const get = (path: string, headers: Record<string, string> = {}) => httpGet(host, path, headers);
const cookie = () => cookieFor(host);

function openSocket(headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  ({ host, events } = await startEchoHost((base) => {
    const photoDir = join(base, 'photos');
    mkdirSync(photoDir);
    writeFileSync(join(photoDir, 'p.jpg'), 'jpeg-bytes');
    writeFileSync(join(photoDir, 'notes.txt'), 'private notes'); // in the folder, but not a photo the library indexed
    return {
      folderRoot: (id) => (id === 1 ? photoDir : null),
      isIndexed: (id, rel) => id === 1 && rel === 'p.jpg',
      cachePath: () => null,
      ensurePreview: () => Promise.resolve({ ok: false, status: 404, reason: 'no previews here' }),
    };
  }));
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
    expect((await get(`/photos/2024?view=grid&token=${host.token}`)).headers['location']).toBe('/photos/2024?view=grid');
  });

  // The URL parser turns the first two into the pathname `//evil.com/`, a scheme-relative URL to another
  // site; it reads a request-target that itself starts with `//` or `/\` as naming a host, and keeps its path.
  it.each([
    ['/.//evil.com/', '/evil.com/'],
    ['/./\\evil.com/', '/evil.com/'],
    ['//evil.com/', '/'],
    ['/\\evil.com', '/'],
    ['///\\//evil.com/x', '/x'],
    ['/%2F%2Fevil.com', '/%2F%2Fevil.com'],
    ['/%5Cevil.com', '/%5Cevil.com'],
    ['/%5C%5Cevil.com', '/%5C%5Cevil.com'],
    ['/./%2F/evil.com', '/%2F/evil.com'],
  ])('redirects %s only within this origin', async (path, location) => {
    const r = await get(`${path}?token=${host.token}`);
    expect(r.status).toBe(303);
    expect(r.headers['location']).toBe(location);
    const own = `http://127.0.0.1:${host.port}`;
    expect(new URL(String(r.headers['location']), own).origin).toBe(own);
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

  it('serves only indexed files from a library folder', async () => {
    const notes = await get('/media/original/1/notes.txt', cookie());
    expect(notes.status).toBe(404);
    expect(notes.body).not.toContain('private notes');
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
